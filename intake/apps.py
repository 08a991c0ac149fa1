from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Registrations")
    # How this app finds, shows and erases one person's data (privacy/registry.py).
    personal_data = "intake.personal_data"

    def ready(self):
        scope_site_history()


def scope_site_history():
    """Reports → Site history shows an adviser only their municipality's registrations.

    Wagtail lets anyone with a permission on a model see every log entry of
    that model; for registrations that is too much (issue 13). Wagtail has no
    hook for it, so its manager method is wrapped here (tests/security).
    """
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast
    from wagtail.models.audit_log import ModelLogEntryManager

    original = ModelLogEntryManager.viewable_by_user
    if getattr(original, "scoped_by_intake", False):
        return

    def viewable_by_user(self, user):
        from django.contrib.contenttypes.models import ContentType

        from .models import Registration

        entries = original(self, user)
        if user.is_superuser or user.has_perm("intake.view_all_registrations"):
            return entries
        visible = Registration.objects.visible_to(user).annotate(key=Cast("pk", CharField())).values("key")
        content_type = ContentType.objects.get_for_model(Registration)
        return entries.exclude(Q(content_type=content_type) & ~Q(object_id__in=visible))

    viewable_by_user.scoped_by_intake = True
    ModelLogEntryManager.viewable_by_user = viewable_by_user
