from django.utils import translation
from wagtail import hooks

from tasteget.scheduling import HOUR, MINUTE, Job, command
from tasteget.translations import content_language

from . import purge


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


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    return [
        # Cache purges that Redis or a Varnish did not take when a page was published; never raises.
        Job("retry_pending_purges", MINUTE, purge.retry_pending),
        # Wagtail's scheduled publishing takes no lock: the scheduler's claim runs it once a minute.
        command("publish_scheduled", MINUTE),
        # A meet-up that started leaves the home and municipality pages' listings.
        Job("purge_started_meetups", HOUR, purge.meetups_started),
    ]
