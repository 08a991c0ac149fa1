"""Editors submit a translation for moderation.

wagtail-localize's translation editor offers publishing only to those who may
publish; an editor (docs/roles.md) could translate every string and then had
no way to hand the result on. Here the translation is saved as a draft
revision of the translated page and the page's workflow (the Moderators'
approval, as for any page) is started, or restarted with the new draft, so
moderators are told and find it under "Awaiting your review" on their
dashboard, where approving publishes it.

The button sits under the translation editor
(templates/wagtail_localize/admin/edit_translation.html, which extends
wagtail-localize's own template).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page, WorkflowState
from wagtail_localize.models import Translation


def can_submit(user, page):
    """Whether `user` gets the button: may edit the page but not publish it, and a workflow applies."""
    permissions = page.permissions_for_user(user)
    return permissions.can_edit() and not permissions.can_publish() and page.get_workflow() is not None


@require_POST
def submit_translation(request, translation_id):
    translation = get_object_or_404(Translation, pk=translation_id, enabled=True)
    page = translation.get_target_instance()
    if not isinstance(page, Page) or not can_submit(request.user, page):
        raise PermissionDenied
    edit_url = redirect("wagtailadmin_pages:edit", page.pk)
    try:
        translation.save_target(user=request.user, publish=False)
    except ValidationError:
        messages.error(
            request, _("Some translations are not valid yet. Correct them, then submit the translation again.")
        )
        return edit_url
    page = Page.objects.get(pk=page.pk).specific
    state = page.current_workflow_state
    if state is not None and state.status in (WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES):
        state.cancel(user=request.user)  # the moderators review the new draft, not the old one
    page.get_workflow().start(page, request.user)
    messages.success(
        request,
        _("The translation '%(title)s' has been submitted for moderation. The moderators have been told.")
        % {"title": page.get_admin_display_title()},
    )
    return edit_url
