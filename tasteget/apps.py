from django.apps import AppConfig


class TastegetConfig(AppConfig):
    name = "tasteget"
    verbose_name = "Ta steget"

    def ready(self):
        # checks registers the deployment checks; routing connects its signals.
        from . import checks, locales, routing  # noqa: F401

        locales.install()
