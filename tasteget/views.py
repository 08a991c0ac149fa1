import sys

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness, for Docker's health check and for operators.

    200 while the database answers (the web process can take registrations);
    503 when it does not. Also reports the cache, the worker's last heartbeat
    and the delivery backlog: "degraded" when the cache fails, no worker has
    beaten for INTAKE_ALERT_WORKER_MINUTES, or a delivery has waited longer
    than INTAKE_ALERT_BACKLOG_MINUTES. Counts and ages only, no personal data.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    report = {"status": "ok", "database": "ok"}
    try:
        cache.set("healthz", "1", 10)
        report["cache"] = "ok" if cache.get("healthz") == "1" else "unavailable"
    except Exception:  # noqa: BLE001 - Redis down
        report["cache"] = "unavailable"
    try:
        from intake.heartbeat import backlog, last_beat

        now = timezone.now()
        beat = last_beat("worker:")
        age = int((now - beat).total_seconds()) if beat else None
        worker_ok = age is not None and age <= settings.INTAKE_ALERT_WORKER_MINUTES * 60
        report["worker"] = {"last_heartbeat": beat.isoformat() if beat else None, "seconds_ago": age, "ok": worker_ok}
        report["deliveries"] = backlog(now)
        stuck = report["deliveries"]["oldest_seconds"] > settings.INTAKE_ALERT_BACKLOG_MINUTES * 60
    except Exception:  # noqa: BLE001 - the report must not fail the health check
        worker_ok, stuck = False, False
        report["worker"] = "unknown"
    if report["cache"] != "ok" or not worker_ok or stuck:
        report["status"] = "degraded"
    return JsonResponse(report)


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
