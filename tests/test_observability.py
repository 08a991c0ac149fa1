"""Errors, logs and metrics are seen, and hold no personal data."""

import gzip
import json
import logging
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from intake import pipeline
from tasteget import observability
from tests.conftest import GUIDANCE
from tests.security.test_deployment import REQUIRED, ROOT, clean_environment

pytestmark = pytest.mark.django_db


# --- request id and JSON logs --------------------------------------------------------


def test_a_request_id_is_taken_when_well_formed_and_made_otherwise(client):
    given = client.get("/livez", HTTP_X_REQUEST_ID="proxy-4f2a9c1e-77")
    assert given["X-Request-ID"] == "proxy-4f2a9c1e-77"
    for bad in ("short", "evil id\nSet-Cookie: x=1", "x" * 200):
        made = client.get("/livez", HTTP_X_REQUEST_ID=bad)["X-Request-ID"]
        assert made != bad and len(made) == 32
    assert client.get("/livez")["X-Request-ID"] != client.get("/livez")["X-Request-ID"]


def test_every_log_line_of_a_request_carries_its_id_as_json(client, settings):
    from django.utils.log import configure_logging

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(observability.RequestIdFilter())
    formatter = settings.LOGGING["formatters"]["json"]
    from pythonjsonlogger.json import JsonFormatter

    handler.setFormatter(JsonFormatter(formatter["format"], rename_fields=formatter["rename_fields"]))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/no-such-page-here/", HTTP_X_REQUEST_ID="req-0123456789")
    finally:
        logger.removeHandler(handler)
    assert configure_logging  # the settings' LOGGING is what production loads
    line = json.loads(records[-1])
    assert line["request_id"] == "req-0123456789"
    assert line["level"] == "WARNING" and line["logger"] == "django.request"


def test_production_logs_json_by_default_and_plain_on_request():
    code = "import logging; logging.getLogger('tasteget.x').warning('hello')"
    env = {
        **clean_environment(),
        **REQUIRED,
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
    }
    run = [sys.executable, "manage.py", "shell", "-c", code]
    out = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    line = json.loads(out.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello" and line["request_id"] == "-" and line["level"] == "WARNING"
    out = subprocess.run(run, cwd=ROOT, env={**env, "LOG_FORMAT": "plain"}, capture_output=True, text=True, timeout=120)
    assert out.stderr.strip().splitlines()[-1].endswith("WARNING tasteget.x [-] hello")


# --- metrics -----------------------------------------------------------------------------


def scrape(client, token="s3cret-metrics-token"):  # noqa: S107 - a test token
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1:8000")


def sample(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{") and line.split(" ")[0] == name:
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_need_the_token_and_are_never_cached(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404  # no token configured: nobody
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 404
    assert scrape(client, "wrong").status_code == 404
    response = scrape(client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_metrics_show_latency_page_cache_deliveries_worker_and_circuit(
    client, settings, submit, django_assert_max_num_queries
):
    from intake.heartbeat import beat

    settings.METRICS_TOKEN = "s3cret-metrics-token"
    submit("/anmal-intresse/", GUIDANCE)  # 4 open deliveries, nothing sent yet
    beat("worker:test")
    client.get("/")
    client.get("/")  # the second one from the page cache
    with django_assert_max_num_queries(3):
        text = scrape(client).content.decode()
    assert 'tasteget_request_duration_seconds_count{method="GET",status="2xx"}' in text
    assert 'tasteget_request_duration_seconds_bucket{le="0.5",method="POST",status="3xx"}' in text
    assert "path=" not in text  # bounded: never one series per address
    assert sample(text, 'tasteget_page_cache_total{outcome="hit"}') >= 1
    assert sample(text, 'tasteget_page_cache_total{outcome="miss"}') >= 1
    assert sample(text, 'tasteget_deliveries{state="open"}') == 4
    assert sample(text, 'tasteget_deliveries{state="failed"}') == 0
    assert sample(text, "tasteget_oldest_open_delivery_seconds") >= 0
    assert 0 <= sample(text, "tasteget_worker_heartbeat_age_seconds") < 60
    assert sample(text, 'tasteget_crm_circuit_state{state="closed"}') == 1
    assert "ida@example.org" not in text


def test_the_gunicorn_workers_counters_are_summed_in_multiprocess_mode(tmp_path):
    """Two processes count a page-cache hit each; a third one's scrape shows 2."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    count = "import django; django.setup(); from tasteget import observability as o; o.count_page_cache('hit')"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], cwd=ROOT, env=env, check=True, timeout=120)
    show = (
        "import django; django.setup(); from prometheus_client import generate_latest;"
        "from tasteget import observability as o; print(generate_latest(o.registry(database=False)).decode())"
    )
    out = subprocess.run([sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert sample(out.stdout, 'tasteget_page_cache_total{outcome="hit"}') == 2, out.stderr


# --- error reports -------------------------------------------------------------------------


class FakeIngest(ThreadingHTTPServer):
    """Plays a Sentry / GlitchTip ingest endpoint: keeps what it is sent."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), IngestHandler)
        self.envelopes = []
        self.received = threading.Event()


class IngestHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        self.server.envelopes.append((self.path, body.decode("utf-8")))
        self.server.received.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")


def events(envelopes):
    found = []
    for _path, text in envelopes:
        lines = text.split("\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append((json.loads(payload), payload))
    return found


@pytest.fixture
def ingest():
    server = FakeIngest()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    sentry_sdk.init(dsn=None)  # the rest of the suite reports nowhere


def test_an_error_during_a_registration_reaches_sentry_without_personal_data(client, ingest, monkeypatch):
    observability.init_sentry(f"http://publickey@127.0.0.1:{ingest.server_address[1]}/42", environment="test")

    def broken(request, form):
        form.is_valid()
        raise RuntimeError(f"could not check {form.cleaned_data.get('email')} / {form.cleaned_data.get('phone')}")

    monkeypatch.setattr(pipeline, "check_submission", broken)
    client.raise_request_exception = False
    page = client.get("/anmal-intresse/?token=abc123secret")
    from tests.conftest import form_values

    response = client.post(
        "/anmal-intresse/?utm=x&token=abc123secret",
        {**form_values(page.content.decode()), **GUIDANCE},
        HTTP_COOKIE="sessionid=s3ss10n",
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    assert ingest.received.wait(10)
    (event, raw), *_ = events(ingest.envelopes)
    assert ingest.envelopes[0][0] == "/api/42/envelope/"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    for secret in ("Ida", "Ström", "Str\\u00f6m", "ida@example.org", "070-123 45 67", "Trondheim", "fjällen"):
        assert secret not in raw, secret
    assert "abc123secret" not in raw and "s3ss10n" not in raw
    request = event.get("request", {})
    assert "data" not in request and "cookies" not in request and "query_string" not in request
