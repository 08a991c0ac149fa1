"""/healthz: the web process, the database, the cache, the worker and the
outbox, for Docker's health check and for operators. Routed in
tasteget/urls.py; `tasteget.middleware_reliability.HealthzMiddleware`
answers it before host validation."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .heartbeat import backlog, last_beat


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
