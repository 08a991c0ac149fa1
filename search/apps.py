from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from django.tasks.signals import task_finished

        from .tasks import index_updated

        task_finished.connect(index_updated, dispatch_uid="tasteget-search-index-updated")
