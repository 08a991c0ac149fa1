"""Middleware that keeps answering when the database does not.

- `HealthzMiddleware` answers /healthz, /livez and /readyz first of all: before host validation
  (Docker's health check asks http://127.0.0.1:8000/healthz, and 127.0.0.1 is
  not in production's ALLOWED_HOSTS) and before the HTTPS redirect.
- `DatabaseUnavailableMiddleware`: a lost database (OperationalError,
  InterfaceError) becomes 503 with Retry-After and a page that needs no
  database; a form POST gets its answers back in a form that sends them again
  (the signed form token makes a repeat store one registration). Exceptions
  raised outside the view (other middleware) reach the same page through
  `tasteget.views.server_error`.
"""

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# Answered before host validation, the HTTPS redirect and the page cache.
# /metrics too: the operator's scraper asks gunicorn directly (token, not host).
PROBES = frozenset({"/healthz", "/livez", "/readyz", "/metrics"})


class HealthzMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PROBES and request.method in ("GET", "HEAD"):
            # The view the URLconf names (intake.health): this module imports no app.
            return resolve(request.path_info).func(request)
        return self.get_response(request)


def database_unavailable(request):
    """The 503 page; the posted answers come back, ready to send again."""
    language = translation.get_language_from_path(request.path_info) or translation.get_language() or "sv"
    fields = []
    if request.method == "POST":
        try:
            fields = [(name, value) for name, values in request.POST.lists() for value in values]
        except Exception:  # noqa: BLE001 - an unreadable body still gets the page
            fields = []
    with translation.override(language):
        body = render_to_string(
            "db_unavailable.html",
            {"fields": fields, "action": request.path, "posted": request.method == "POST", "LANGUAGE_CODE": language},
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        except DATABASE_ERRORS:
            return database_unavailable(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable(request)
        return None
