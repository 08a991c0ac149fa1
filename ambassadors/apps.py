from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"
    verbose_name = _("Ambassadors")
    # How this app finds, shows and erases one person's data (privacy/registry.py).
    personal_data = "ambassadors.personal_data"
