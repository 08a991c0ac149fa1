from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Registrations")
    # How this app finds, shows and erases one person's data (privacy/registry.py).
    personal_data = "intake.personal_data"

    def ready(self):
        from tasteget import patches

        from .models import Registration

        patches.scope_log_entries(Registration, registration_ids_visible_to)


def registration_ids_visible_to(user):
    """Reports → Site history shows an adviser only their municipality's
    registrations (tasteget/patches.py puts this in Wagtail's log entry
    manager; tests/security). None: the user sees every registration."""
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from .models import Registration

    if user.is_superuser or user.has_perm("intake.view_all_registrations"):
        return None
    return Registration.objects.visible_to(user).annotate(key=Cast("pk", CharField())).values("key")
