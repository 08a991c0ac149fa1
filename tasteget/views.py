from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the process answers and the database does too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
    return HttpResponseServerError(render_to_string("500.html"))
