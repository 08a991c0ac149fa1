"""/livez and /readyz for orchestrators (and /healthz kept)."""

import re
import socket
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import OperationalError

from intake import health

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_readiness():
    health._ready["at"] = -1e9
    yield
    health._ready["at"] = -1e9


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_livez_answers_without_a_query_at_any_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez", HTTP_HOST="127.0.0.1:8000")  # not an allowed host
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_asks_the_database_once_then_answers_from_its_last_check(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response.json() == {"status": "ready"}
    assert response["Cache-Control"] == "no-store"
    with django_assert_num_queries(0):  # a probe storm costs one query a second per process
        assert client.get("/readyz").json() == {"status": "ready"}


def test_readyz_is_503_without_the_database_and_says_nothing_more(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: PostgreSQL 15.4')

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert response["Cache-Control"] == "no-store"
    assert client.get("/livez").status_code == 200  # the process itself is fine: no restart


def test_readyz_with_redis_down_is_ready_but_degraded(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "tasteget.redis_cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"},
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded"}
    assert "6379" not in response.content.decode() and "redis" not in response.content.decode().lower()


def test_probes_are_never_redirected_to_https_nor_kept_by_the_page_cache(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = []  # answered before the redirect: exempt even without the list
    for path in ("/livez", "/readyz"):
        first = client.get(path)
        assert first.status_code == 200, path
        assert first["Cache-Control"] == "no-store"  # the page cache stores no answer that says so
    production = (ROOT / "tasteget" / "settings" / "production.py").read_text()
    exempt = re.search(r"^SECURE_REDIRECT_EXEMPT = (.*)$", production, re.M).group(1)
    assert all(f"^{name}$" in exempt for name in ("healthz", "livez", "readyz"))


def test_the_container_health_check_asks_readyz():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/readyz'" in dockerfile.split("HEALTHCHECK", 1)[1].split("\nCMD", 1)[0]


def test_healthz_keeps_its_report(client):
    report = client.get("/healthz").json()
    assert report["database"] == "ok" and "worker" in report and "deliveries" in report
