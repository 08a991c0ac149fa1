from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Ambassador, CoworkingSpace


class CoworkingSpaceViewSet(SnippetViewSet):
    model = CoworkingSpace
    icon = "home"
    menu_label = _("Coworking spaces")
    list_display = ["name", "municipality", "place", "locale"]
    list_filter = ["municipality", "locale"]
    search_fields = ["name", "place"]


register_snippet(CoworkingSpaceViewSet)


class AmbassadorViewSet(SnippetViewSet):
    model = Ambassador
    icon = "group"
    menu_label = _("Ambassadors")
    list_display = ["name", "municipality", "place", "is_published"]
    list_filter = ["municipality", "is_published"]
    search_fields = ["name", "place"]


register_snippet(AmbassadorViewSet)
