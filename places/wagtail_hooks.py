from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from tasteget.helpers import ExcelCsvExportMixin

from .models import Adviser, CoworkingSpace, Municipality, PostalCodeRange


class ExcelIndexView(ExcelCsvExportMixin, IndexView):
    """CSV for Swedish Excel, every cell formula-guarded."""


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "site"
    menu_label = _("Municipalities")
    list_display = ["name", "slug", "kind", "locale"]
    list_filter = ["kind", "locale"]
    search_fields = ["name", "slug"]
    ordering = ["sort_order", "name"]


class AdviserViewSet(SnippetViewSet):
    model = Adviser
    icon = "user"
    menu_label = _("Moving advisers")
    list_display = ["name", "municipality", "email", "phone", "is_active"]
    list_filter = ["municipality", "is_active"]
    search_fields = ["name", "email"]
    list_export = ["name", "municipality", "email", "phone", "crm_owner_id", "is_active"]
    index_view_class = ExcelIndexView


class PostalCodeRangeViewSet(SnippetViewSet):
    """Which municipality each postal code lies in (magazine orders by address).

    Its own listing beside the municipalities rather than a panel inside
    them: Region staff keep it without the right to change a municipality,
    and it belongs to the Swedish record only (a panel would be copied into
    every translation).
    """

    model = PostalCodeRange
    icon = "pick"
    menu_label = _("Postal code areas")
    list_display = ["label", "municipality", "note"]
    list_filter = ["municipality"]
    search_fields = ["first", "last", "note"]
    list_export = ["first", "last", "municipality", "note"]
    index_view_class = ExcelIndexView
    ordering = ["first"]


class PlacesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Municipalities")
    menu_icon = "site"
    menu_order = 250
    items = (MunicipalityViewSet, AdviserViewSet, PostalCodeRangeViewSet)


register_snippet(PlacesViewSetGroup)


class CoworkingSpaceViewSet(SnippetViewSet):
    model = CoworkingSpace
    icon = "home"
    menu_label = _("Coworking spaces")
    list_display = ["name", "municipality", "place", "locale"]
    list_filter = ["municipality", "locale"]
    search_fields = ["name", "place"]


register_snippet(CoworkingSpaceViewSet)
