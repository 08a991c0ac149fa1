from django.apps import AppConfig


class TastegetConfig(AppConfig):
    name = "tasteget"
    verbose_name = "Ta steget"
