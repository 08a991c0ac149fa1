"""Errors, logs and metrics an operator sees (docs/operations.md).

- **Request id**: `ObservabilityMiddleware` (outermost) takes a well-formed
  incoming `X-Request-ID` or makes a new one, returns it in the response
  header and keeps it in a context variable; `RequestIdFilter` adds it to
  every log record (`request_id`, "-" outside a request).
- **JSON logs**: `LOG_FORMAT=json` (production's default) formats every
  record as one JSON object (python-json-logger); `plain` otherwise.
- **Error reports**: with `SENTRY_DSN` set, sentry-sdk 3 (Sentry, self-hosted
  Sentry or GlitchTip) gets every unhandled exception, scrubbed by
  `scrub_event`: no request body, cookies, query string, frame variables,
  registration fields, e-mail addresses or phone numbers.
- **Metrics**: `/metrics` in the Prometheus text format, only with
  `Authorization: Bearer <METRICS_TOKEN>` (404 otherwise, and when no token is
  set). Request latency by method and status class; page-cache hits and
  misses; and, read from the database and cache at scrape time, the
  deliveries (open, retrying, failed), the oldest open delivery's age, the
  worker's heartbeat age and the CRM circuit state. With several gunicorn
  workers set `PROMETHEUS_MULTIPROC_DIR` (an empty directory per start): the
  counters and the histogram of all processes are then summed.
"""

import contextvars
import hmac
import logging
import os
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

logger = logging.getLogger(__name__)

# --- request id -------------------------------------------------------------------

request_id = contextvars.ContextVar("request_id", default="-")
WELL_FORMED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


# --- metrics ----------------------------------------------------------------------

# Labels are bounded: a method, a status class, hit/miss. Never a path.
REQUEST_SECONDS = Histogram(
    "tasteget_request_duration_seconds",
    "Time to answer a request, by method and status class.",
    ["method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE = Counter("tasteget_page_cache", "Page cache lookups by outcome.", ["outcome"])

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def count_page_cache(outcome):
    """One page-cache lookup: "hit" or "miss" (tasteget/pagecache.py)."""
    PAGE_CACHE.labels(outcome).inc()


class ObservabilityMiddleware:
    """Outermost: the request id for everything below, the latency of everything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if WELL_FORMED_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        # Set for the whole request and left set: Django logs an error
        # response (django.request) after the outermost middleware returns.
        request_id.set(rid)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            method = request.method if request.method in METHODS else "OTHER"
            REQUEST_SECONDS.labels(method, f"{status // 100}xx").observe(time.perf_counter() - started)


def registry(database=True):
    """What /metrics shows: every process's counters (multiprocess mode) or
    this one's, and the gauges read from the database."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        target = CollectorRegistry()
        multiprocess.MultiProcessCollector(target)
    else:
        target = CollectorRegistry()
        for collector in (REQUEST_SECONDS, PAGE_CACHE):
            target.register(collector)
    if database:
        # Gauges the apps read from their own tables (intake.metrics); named in
        # settings so that this module imports no app (tests/test_architecture.py).
        for path in settings.METRICS_COLLECTORS:
            target.register(import_string(path)())
    return target


def metrics(request):
    """Prometheus text format, for the operator's scraper only (404 to anyone else)."""
    token = getattr(settings, "METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        # Plain text: this view is answered before the security headers (HealthzMiddleware),
        # so it must not render an HTML page, which would have no CSP.
        response = HttpResponseNotFound("Not found\n", content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "no-store, private"
        return response
    response = HttpResponse(generate_latest(registry()), content_type="text/plain; version=0.0.4; charset=utf-8")
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response


# --- error reports ----------------------------------------------------------------

# Registration fields (intake/forms.py, intake/models/) and anything secret.
SENSITIVE_KEYS = re.compile(
    r"(first_name|last_name|name|e-?mail|phone|mobile|message|street_address|address|postal_code|zip|town|"
    r"country|origins?|contact_note|recipient|person|password|secret|token|key|auth|cookie|session|csrf|"
    r"signature|dsn|otp|ssn|personnummer)",
    re.I,
)
EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"\+?\d[\d \-()]{6,}\d")
TOKEN_PARAMS = re.compile(r"([?&][^=&#]*(token|key|secret|signature|code|email)[^=&#]*=)[^&#]*", re.I)
FILTERED = "[Filtered]"


def scrub_text(text):
    text = EMAIL.sub(FILTERED, text)
    text = PHONE.sub(FILTERED, text)
    return TOKEN_PARAMS.sub(r"\1" + FILTERED, text)


# The event's own bookkeeping: times, ids and versions, not anything typed.
SAFE_KEYS = {"timestamp", "start_timestamp", "event_id", "sdk", "modules", "contexts", "release", "environment"}


def scrub(value):
    if isinstance(value, dict):
        return {
            key: item
            if key in SAFE_KEYS
            else FILTERED
            if isinstance(key, str) and SENSITIVE_KEYS.search(key)
            else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


def scrub_event(event, hint=None):
    """sentry-sdk's before_send: nothing a visitor typed leaves the server."""
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("data", "cookies", "query_string", "env"):
            request.pop(part, None)
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
        headers = request.get("headers") or {}
        request["headers"] = {
            name: value
            for name, value in headers.items()
            if name.lower() not in {"cookie", "authorization", "x-forwarded-for", "x-real-ip", "referer"}
        }
    event.pop("user", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    return scrub(event)


def scrub_breadcrumb(crumb, hint=None):
    return scrub(crumb)


def init_sentry(dsn, environment="production", release=None, traces_sample_rate=0.0):
    """Start sentry-sdk with the scrubbing above (settings call it when SENTRY_DSN is set)."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # sentry-sdk 3 replaced send_default_pii with data_collection: no user,
        # cookies, bodies, query strings or frame variables; scrub_event
        # then removes whatever an integration still adds.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration()],
    )
