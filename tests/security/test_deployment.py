"""A deployment that follows the docs is safe.

`cp .env.example .env` then `docker compose up` used to run the development
settings (DEBUG, public key, no Secure cookies, http links in e-mails).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REQUIRED = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-only-0123456789",
    "ALLOWED_HOSTS": "tasteget.nu",
    "CRM_BACKEND": "webhook",
    "MEDIA_S3_SECRET_ACCESS_KEY": "a-long-random-media-secret-for-the-check-only",
    # Filled in by .env.example (compose's MinIO); tests without it need them.
    "MEDIA_S3_BUCKET": "tasteget-media",
    "MEDIA_S3_ACCESS_KEY_ID": "tasteget-app",
    # Compose purges its Varnish, which takes PURGE only with this token.
    "FRONTEND_CACHE_PURGE_TOKEN": "a-long-random-purge-token-for-the-check-only",
    "CRM_WEBHOOK_URL": "https://crm.example.org/hook",
    "CRM_WEBHOOK_SECRET": "whsec_YS0zMi1ieXRlLWxvbmctdGVzdC1zaWduaW5nLWtleSE",
    "EMAIL_HOST": "smtp.example.org",
    # Filled in by .env.example too (compose's Redis and ledger volume).
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ERASURE_LEDGER_DIR": "/app/var/erasure-ledger",
}
DEV_KEY = "dev-only-not-secret-0b6c7d3e9a1f4e2c8d5b7a6f3e1c9d2b"


def clean_environment():
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV"}
    return {key: value for key, value in os.environ.items() if key in keep}


def as_compose_starts_it(env_file_values, *command):
    """The image's ENV, then the env_file, then compose's `environment:`."""
    env = clean_environment()
    env["DJANGO_SETTINGS_MODULE"] = "tasteget.settings.production"  # Dockerfile ENV
    env.update(env_file_values)
    env.update(compose_environment(env_file_values))
    return subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def read_env_example():
    namespace = {"__name__": "with_env_file"}
    exec(compile((ROOT / "scripts" / "with-env-file").read_text(), "with-env-file", "exec"), namespace)  # noqa: S102
    return namespace["read_env_file"](ROOT / ".env.example")


def compose_environment(values=None):
    """The `environment:` of the application's services (the `x-app` anchor),
    with `${NAME:-default}` and `${NAME:?message}` filled from `values` (the
    `.env` compose reads), as compose fills them."""
    import yaml

    text = (ROOT / "docker-compose.yml").read_text()
    environment = yaml.safe_load(text)["x-app"]["environment"]
    values = values or {}

    def fill(match):
        name, operator, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if values.get(name):
            return values[name]
        return rest if operator == ":-" else ""

    pattern = re.compile(r"\$\{([A-Z_]+)(?:(:-|:\?)([^}]*))?\}")
    return {key: pattern.sub(fill, str(value)) for key, value in environment.items()}


def test_env_example_does_not_choose_the_development_settings():
    values = read_env_example()
    assert "DJANGO_SETTINGS_MODULE" not in values
    assert compose_environment()["DJANGO_SETTINGS_MODULE"] == "tasteget.settings.production"
    assert values["WAGTAILADMIN_BASE_URL"] == ""
    assert values["CRM_BACKEND"] == ""


def test_env_example_copied_as_it_is_refuses_to_start_until_filled_in():
    result = as_compose_starts_it(read_env_example(), "check")
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required in production" in result.stderr


def test_env_example_with_its_required_values_passes_the_deployment_checks():
    result = as_compose_starts_it({**read_env_example(), **REQUIRED}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_even_a_dev_settings_line_in_env_gives_production():
    values = {**read_env_example(), **REQUIRED, "DJANGO_SETTINGS_MODULE": "tasteget.settings.dev"}
    result = as_compose_starts_it(values, "shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False", result.stdout


def run_manage(env_overrides, *command):
    env = {**clean_environment(), **env_overrides}
    return subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_development_settings_load_only_with_the_development_flag():
    refused = run_manage({"DJANGO_SETTINGS_MODULE": "tasteget.settings.dev"}, "check")
    assert refused.returncode != 0
    assert "TASTEGET_DEVELOPMENT=1" in refused.stderr
    allowed = run_manage({"DJANGO_SETTINGS_MODULE": "tasteget.settings.dev", "TASTEGET_DEVELOPMENT": "1"}, "check")
    assert allowed.returncode == 0, allowed.stderr


def test_make_run_sets_the_development_flag_and_wsgi_uses_production():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run messages: export TASTEGET_DEVELOPMENT = 1$", makefile, re.M)
    assert (
        'setdefault("DJANGO_SETTINGS_MODULE", "tasteget.settings.production")'
        in (ROOT / "tasteget" / "wsgi.py").read_text()
    )
    assert "scripts/with-env-file .env.example" in makefile


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": DEV_KEY}, "tasteget.E002"),
        ({"WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8000"}, "tasteget.E003"),
        ({"TASTEGET_REQUIRE_2FA": "false"}, "tasteget.E005"),
    ],
)
def test_deployment_checks_catch_what_check_deploy_did_not(override, message):
    env = {
        **REQUIRED,
        "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        **override,
    }
    result = run_manage(env, "check", "--deploy")
    assert result.returncode != 0
    assert message in result.stderr + result.stdout


def test_production_refuses_the_file_crm_backend():
    env = {
        **REQUIRED,
        "CRM_BACKEND": "file",
        "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
    }
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "CRM_BACKEND=file is for development only" in result.stderr


def test_compose_publishes_gunicorn_on_loopback_only_behind_one_trusted_proxy():
    text = (ROOT / "docker-compose.yml").read_text()
    assert '"127.0.0.1:8000:8000"' in text
    assert '"8000:8000"' not in text
    assert compose_environment()["TRUSTED_PROXY_COUNT"] == "1"


SHOW_LOCAL_STATE = (
    "import json; from django.conf import settings; print(json.dumps({"
    "'caches': {name: c['BACKEND'] for name, c in settings.CACHES.items()},"
    "'mail': settings.MAILERS['default']['BACKEND'],"
    "'media': settings.STORAGES['default']['BACKEND'],"
    "'ledger': settings.STORAGES['erasure_ledger']['BACKEND'],"
    "'database': settings.DATABASES['default']['ENGINE']}))"
)


def test_production_keeps_nothing_another_node_needs_on_its_own_disk():
    """Web and worker nodes are interchangeable: every cache is the shared
    Redis, mail leaves over SMTP, media and the erasure ledger are in buckets."""
    env = {
        **REQUIRED,
        "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        "ERASURE_LEDGER_DIR": "",
        "ERASURE_LEDGER_S3_BUCKET": "tasteget-erasure-ledger",
    }
    result = run_manage(env, "shell", "-c", SHOW_LOCAL_STATE)
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(state["caches"]) == {"default", "renditions", "pages"}
    assert all("Redis" in backend for backend in state["caches"].values()), state["caches"]
    assert state["mail"] == "django.core.mail.backends.smtp.EmailBackend"
    assert state["media"] == "tasteget.storage.MediaStorage"
    assert state["ledger"] == "storages.backends.s3.S3Storage"
    assert state["database"] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        (("REDIS_URL",), "The environment variable REDIS_URL is required in production"),
        (("ERASURE_LEDGER_DIR", "ERASURE_LEDGER_S3_BUCKET"), "ERASURE_LEDGER_S3_BUCKET is required in production"),
    ],
)
def test_production_refuses_to_keep_the_page_cache_or_the_ledger_on_one_node(unset, message):
    env = {
        **REQUIRED,
        "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        **dict.fromkeys(unset, ""),
    }
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert message in result.stderr
