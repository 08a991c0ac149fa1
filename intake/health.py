"""Health endpoints. Routed in tasteget/urls.py;
`tasteget.middleware_reliability.HealthzMiddleware` answers them before host
validation, the HTTPS redirect and the page cache.

- /livez: the process answers (no database, no cache, no query): for an
  orchestrator's liveness probe (restart when it fails).
- /readyz: the database answers (one query); the cache is asked too, but a
  Redis outage only makes the body say "degraded" (the site still takes
  registrations). 503 only without the database: for a readiness probe
  (send no traffic when it fails) and the compose health check.
- /healthz: the detailed report for operators (worker, backlog).

/livez and /readyz say nothing else (no versions, hosts or error text) and
each process answers /readyz from its last check for READY_CACHE_SECONDS, so
a probe storm costs at most one query a second per process.
"""

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .heartbeat import backlog, last_beat

READY_CACHE_SECONDS = 1.0
_ready = {"at": -1e9, "status": 503, "body": {}}
_ready_lock = threading.Lock()


def probe_response(body, status=200):
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def livez(request):
    """The process answers. Nothing else is asked."""
    return probe_response({"status": "ok"})


def readiness():
    """(status code, body) of a fresh check: the database, then the cache."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return 503, {"status": "unavailable"}
    try:
        # The strict twin raises where the site's cache would quietly miss
        # (tasteget/redis_cache.py); other backends have none and never fail so.
        getattr(cache, "strict", cache).get("readyz")
        return 200, {"status": "ready"}
    except Exception:  # noqa: BLE001 - Redis down: still ready, but say so
        return 200, {"status": "degraded"}


def readyz(request):
    now = time.monotonic()
    with _ready_lock:
        if now - _ready["at"] >= READY_CACHE_SECONDS:
            _ready["status"], _ready["body"] = readiness()
            _ready["at"] = time.monotonic()
        status, body = _ready["status"], dict(_ready["body"])
    return probe_response(body, status)


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
