from django.apps import AppConfig


class TastegetConfig(AppConfig):
    name = "tasteget"
    verbose_name = "Ta steget"

    def ready(self):
        # checks registers the deployment checks; restrictions and routing connect their signals.
        from . import checks, locales, patches, restrictions, routing  # noqa: F401

        patches.install()
        locales.install()
