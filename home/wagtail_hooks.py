from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .locales import content_language
from .models import Adviser, Municipality


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


class PlacesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Municipalities")
    menu_icon = "site"
    menu_order = 250
    items = (MunicipalityViewSet, AdviserViewSet)


register_snippet(PlacesViewSetGroup)


@hooks.register("before_serve_page")
def show_untranslated_page_in_its_own_language(page, request, serve_args, serve_kwargs):
    """A page not translated into the visitor's language is rendered wholly in
    the language it is written in (so `lang` tells the truth), and the
    template adds a notice in the visitor's language (request.requested_language)."""
    requested = translation.get_language()
    shown = content_language(page)
    if shown and shown != requested:
        request.requested_language = requested
        translation.activate(shown)
        request.LANGUAGE_CODE = shown
