from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Meet-ups")
    # How this app finds, shows and erases one person's sign-ups (privacy/registry.py).
    personal_data = "events.personal_data"
