from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from tasteget.helpers import ExcelCsvExportMixin
from tasteget.scheduling import DAY, HOUR, command

from .models import MissedQuery


class MissedQueryIndexView(ExcelCsvExportMixin, IndexView):
    """What anonymous visitors typed reaches an editor's spreadsheet: formula-guarded, for Swedish Excel."""


class MissedQueryViewSet(ModelViewSet):
    """Searches that found nothing: ideas for content or search promotions."""

    model = MissedQuery
    icon = "search"
    menu_label = _("Searches without results")
    add_to_settings_menu = True
    list_display = ["query_string", "language", "hits", "last_searched"]
    list_filter = ["language"]
    list_export = ["query_string", "language", "hits", "last_searched"]
    index_view_class = MissedQueryIndexView
    form_fields = []
    copy_view_enabled = False
    inspect_view_enabled = True


@hooks.register("register_admin_viewset")
def register_missed_query_viewset():
    return MissedQueryViewSet("missed_queries")


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    return [
        command("searchpromotions_garbage_collect", HOUR),
        command("prune_missed_searches", DAY),
    ]
