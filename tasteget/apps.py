from django.apps import AppConfig


class TastegetConfig(AppConfig):
    name = "tasteget"
    verbose_name = "Ta steget"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
