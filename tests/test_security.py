"""Security headers, error pages, health check and production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_public_pages_allow_no_inline_script(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(item.strip().split(" ", 1) for item in policy.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_admin_gets_its_own_policy(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_healthz_reports_the_database(client, monkeypatch):
    healthy = client.get("/healthz")  # more of the report: tests/test_reliability.py
    assert healthy.status_code == 200 and healthy.json()["database"] == "ok"

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    from django.db import connection

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def failing_view(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("boom/", failing_view)]
handler500 = "tasteget.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_designed_and_hides_the_error(client):
    client.raise_request_exception = False
    response = client.get("/boom/", headers={"accept-language": "en"})
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret internal detail" not in body and "Traceback" not in body


def run_production(env_overrides, *command):
    env = {key: value for key, value in os.environ.items() if key not in {*PRODUCTION_ENV, "TASTEGET_DEVELOPMENT"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="tasteget.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-only-0123456789",
    "ALLOWED_HOSTS": "tasteget.nu",
    "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
    "CRM_BACKEND": "webhook",
    "MEDIA_S3_BUCKET": "tasteget-media",
    "EMAIL_HOST": "smtp.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ERASURE_LEDGER_S3_BUCKET": "tasteget-erasure-ledger",
}


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_production(env, "check")
    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    webhook = {
        "CRM_WEBHOOK_URL": "https://crm.example.org/hook",
        "CRM_WEBHOOK_SECRET": "whsec_YS0zMi1ieXRlLWxvbmctdGVzdC1zaWduaW5nLWtleSE=",
    }
    result = run_production({**PRODUCTION_ENV, **webhook}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
