import sys

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation


def page_not_found(request, exception=None):
    # A route under a page shown in another language (home/wagtail_hooks.py)
    # may raise 404: answer in the language the visitor chose, not the page's.
    requested = getattr(request, "requested_language", None)
    if requested:
        del request.requested_language
        translation.activate(requested)
        request.LANGUAGE_CODE = requested
    return render(request, "404.html", status=404)


def server_error(request):
    # Rendered without the request's context processors: whatever broke the
    # page may break them too. The template needs nothing from the database.
    from .middleware_reliability import DATABASE_ERRORS, database_unavailable

    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        # The database went away outside the view (in a middleware): 503 and
        # the visitor's answers, not a generic 500.
        return database_unavailable(request)
    return HttpResponseServerError(render_to_string("500.html"))
