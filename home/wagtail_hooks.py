from django.utils import translation
from wagtail import hooks

from tasteget.translations import content_language


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
