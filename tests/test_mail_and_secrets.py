"""Production refuses to start without a mail server or
with a webhook secret that Standard Webhooks receivers cannot use, and
`make check` fails on both (its CHECK_SECRETS and .env.example)."""

import base64
import json
import re
import subprocess
import sys
import time

import pytest
import standardwebhooks

from intake.outbox.adapters.webhook import sign_webhook
from intake.webhook_secret import webhook_key
from tests.security.test_deployment import REQUIRED, ROOT, clean_environment, read_env_example

KEY = b"a-32-byte-long-test-signing-key!"
PADDED = "whsec_" + base64.b64encode(KEY[:31]).decode()  # 31 bytes: ends in "="
UNPADDED = PADDED.rstrip("=")


def production_check(**overrides):
    env = clean_environment()
    env["DJANGO_SETTINGS_MODULE"] = "tasteget.settings.production"
    env.update(read_env_example())
    env.update(REQUIRED)
    env["DATABASE_URL"] = "postgres://tasteget@127.0.0.1:5432/tasteget"
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_with_mail_server_and_well_formed_secret_passes():
    for secret in (PADDED, UNPADDED):
        result = production_check(CRM_WEBHOOK_SECRET=secret)
        assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_email_host():
    result = production_check(EMAIL_HOST="")
    assert result.returncode != 0
    assert "EMAIL_HOST is required in production" in result.stderr


def test_a_local_relay_is_an_explicit_choice():
    env = {"EMAIL_HOST": "localhost", "EMAIL_PORT": "", "EMAIL_USE_TLS": ""}
    code = "from django.conf import settings; o = settings.MAILERS['default']['OPTIONS'];print(o['port'], o['use_tls'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            **clean_environment(),
            "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
            **REQUIRED,
            "DATABASE_URL": "postgres://tasteget@127.0.0.1:5432/tasteget",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["25", "False"]


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("a-webhook-secret-without-prefix", "no whsec_ prefix"),
        ("whsec_not*base64!", "not base64"),
        ("whsec_c2hvcnQ", "only 5 bytes"),
    ],
)
def test_production_refuses_a_malformed_webhook_secret_naming_the_format(secret, why):
    result = production_check(CRM_WEBHOOK_SECRET=secret)
    assert result.returncode != 0
    assert "CRM_WEBHOOK_SECRET must be whsec_ + the standard base64" in result.stderr
    assert why in result.stderr


def test_the_webhook_backend_without_a_secret_fails_the_deployment_check():
    result = production_check(CRM_WEBHOOK_SECRET="")
    assert result.returncode != 0
    assert "tasteget.E006" in result.stdout + result.stderr


def make_check_variables():
    """CHECK_SECRETS of the Makefile, evaluated as make and the shell do."""
    makefile = (ROOT / "Makefile").read_text()
    block = re.search(r"^CHECK_SECRETS = (.*?)\n(?=\S)", makefile, re.M | re.S).group(1)
    words = subprocess.run(
        ["bash", "-c", "for w in " + block.replace("$$", "$").replace("\\\n", " ") + '; do echo "$w"; done'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return dict(word.split("=", 1) for word in words)


def test_make_check_sets_a_mail_server_and_a_well_formed_secret():
    values = make_check_variables()
    assert values["EMAIL_HOST"]
    webhook_key(values["CRM_WEBHOOK_SECRET"])
    assert production_check(**values).returncode == 0
    assert production_check(**{**values, "EMAIL_HOST": ""}).returncode != 0
    assert production_check(**{**values, "CRM_WEBHOOK_SECRET": "plain-text"}).returncode != 0


@pytest.mark.parametrize("secret", [PADDED, UNPADDED])
def test_a_secret_we_accept_verifies_with_the_standard_webhooks_library(secret):
    assert webhook_key(secret) == KEY[:31]
    body = json.dumps({"id": "msg_1", "person": {"first_name": "Åsa"}}, ensure_ascii=False).encode()
    now = str(int(time.time()))  # the library checks the timestamp against its clock
    headers = {"webhook-id": "msg_1", "webhook-timestamp": now}
    headers["webhook-signature"] = sign_webhook(secret, "msg_1", now, body)
    assert standardwebhooks.Webhook(secret).verify(body, headers)["id"] == "msg_1"
