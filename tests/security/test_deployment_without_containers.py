"""Following docs/deployment.md ("Without containers")
word for word gives a site that passes `check --deploy`, serves no debug
page and requires two factors for the admin.

The steps run as the document gives them, in a clean environment made of
.env.example with its REQUIRED values filled in, against a database of
their own; gunicorn serves the site and it is asked over HTTP as the TLS
proxy in front of it would ask.
"""

import http.cookies
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.security.test_deployment import REQUIRED, ROOT, clean_environment, read_env_example

# No django_db mark: the steps run against a database of their own, and a
# transactional test would flush the suite's demo-loaded test database.
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="production runs on PostgreSQL only (the PostgreSQL pass of .ci/run runs this)",
    ),
]

HOST = "tasteget.nu"


@pytest.fixture
def production(tmp_path):
    """The production environment: a fresh database, .env.example and the REQUIRED values."""
    import psycopg

    name = f"deploy_{uuid.uuid4().hex[:10]}"
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server}/{name}"
    env = clean_environment()
    env["DJANGO_SETTINGS_MODULE"] = "tasteget.settings.production"  # as the document says
    env.update(read_env_example())
    env.update(REQUIRED)
    env.update(
        {
            "DATABASE_URL": url,
            "STATIC_ROOT": str(tmp_path / "static"),
            "TASTEGET_VAR_DIR": str(tmp_path / "var"),
            "ERASURE_LEDGER_DIR": str(tmp_path / "erasure-ledger"),
        }
    )
    yield env
    with psycopg.connect(server + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *command):
    result = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class Client:
    """Requests as the TLS proxy forwards them (Host, X-Forwarded-Proto), keeping cookies."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path, data=None, https=True):
        headers = {"Host": HOST, "Referer": f"https://{HOST}{path}"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return response.status, response.headers, response.read().decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_deployment_without_containers_is_safe_as_documented(production):
    section = (ROOT / "docs" / "deployment.md").read_text().split("## Without containers", 1)[1].split("\n## ", 1)[0]
    steps = re.findall(r"`(manage\.py [^`]+|gunicorn [^`]+)`", section)
    # The document names these steps; the test runs what it names.
    assert steps[:3] == ["manage.py migrate", "manage.py sync_locales", "manage.py collectstatic"]
    assert "`DJANGO_SETTINGS_MODULE=tasteget.settings.production`" in section
    manage(production, "check", "--deploy", "--fail-level", "WARNING")
    manage(production, "migrate", "--noinput")
    manage(production, "sync_locales")
    manage(production, "collectstatic", "--noinput")
    manage(
        production,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('drift', 'drift@example.org', 'a-long-deployment-password')",
    )
    gunicorn = next(step for step in steps if step.startswith("gunicorn "))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    executable = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen(
        [executable, *gunicorn.split()[1:], "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=production,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = Client(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _headers, _body = client.request("/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.3)
        assert status == 200

        # Plain http is sent to https; the site itself answers over https.
        status, headers, _body = client.request("/", https=False)
        assert status == 301 and headers["Location"].startswith("https://")
        status, headers, body = client.request("/")
        assert status == 200 and "Strict-Transport-Security" in headers
        assert client.request("/static/css/site.css")[0] == 200  # collectstatic + whitenoise

        # No debug page: a missing page and a bad host give the site's own short answers.
        status, _headers, body = client.request("/finns-inte/")
        assert status == 404
        assert "Traceback" not in body and "DEBUG = True" not in body and "URLconf" not in body

        # The admin asks for a second factor before any admin page.
        status, _headers, body = client.request("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        status, headers, _body = client.request(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": "drift", "password": "a-long-deployment-password"},
        )
        assert status == 302
        status, headers, body = client.request("/admin/")
        assert status == 302 and "/admin/" in headers["Location"] and headers["Location"] != "/admin/"
        status, _headers, body = client.request(urllib.parse.urlsplit(headers["Location"]).path)
        assert status == 200
        assert "Dashboard" not in body and "Instrumentpanel" not in body
        assert re.search(r"(?i)two.factor|tvåstegs|autentiserings|engångskod|one-time", body)
    finally:
        server.terminate()
        server.wait(timeout=10)
