from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Home, pages and municipalities")

    def ready(self):
        # Purge the page cache and the CDN when content changes (home/purge.py).
        from . import purge, renditions

        purge.connect()
        renditions.connect()
