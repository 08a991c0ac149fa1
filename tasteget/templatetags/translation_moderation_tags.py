from django import template
from wagtail.models import Page, WorkflowState

from tasteget.translation_moderation import can_submit

register = template.Library()


@register.simple_tag(takes_context=True)
def translation_submission(context, page):
    """For the translation editor: {"in_moderation": bool} when the user may
    submit this translated page for moderation, else None."""
    user = context["request"].user
    if not isinstance(page, Page) or not can_submit(user, page):
        return None
    state = page.current_workflow_state
    return {"in_moderation": state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS}
