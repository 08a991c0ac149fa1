from django.apps import AppConfig


class TastegetConfig(AppConfig):
    name = "tasteget"
    verbose_name = "Ta steget"
    # How this app finds, shows and erases one person's data (privacy/registry.py).
    personal_data = "tasteget.task_results"

    def ready(self):
        # checks registers the deployment checks; restrictions and routing connect their signals.
        from . import checks, locales, patches, restrictions, routing  # noqa: F401

        patches.install()
        locales.install()
