"""Docker-compose.yml is the whole site.

Docker does not run in CI, so the file is read as compose reads it: services
reference each other correctly, the one-shot services run before the
application, the database password comes from `.env`, Caddy's configuration
is valid (Caddy itself checks it), and docs/deployment.md describes what
compose actually runs.
"""

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import requests
import yaml

from tasteget.storage import PUBLIC_PREFIX
from tests.security.test_deployment import ROOT, compose_environment, read_env_example

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = [name for name, service in SERVICES.items() if service.get("image") == "tasteget:latest"]
DOCS = (ROOT / "docs" / "deployment.md").read_text()


def test_every_dependency_is_a_service_with_a_condition_compose_knows():
    for name, service in SERVICES.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):  # the short form: started
            depends = dict.fromkeys(depends, {"condition": "service_started"})
        for dependency, rule in depends.items():
            assert dependency in SERVICES, f"{name} depends on a missing service {dependency}"
            assert dependency != name
            assert rule["condition"] in {"service_started", "service_healthy", "service_completed_successfully"}
            if rule["condition"] == "service_healthy":
                check = SERVICES[dependency].get("healthcheck", {})
                assert check.get("test") and not check.get("disable"), f"{dependency} has no health check"


def test_the_application_waits_for_the_migration_and_the_bucket():
    assert {"web", "worker", "scheduler", "migrate"} <= set(APP_SERVICES)
    for name in APP_SERVICES:
        if name == "migrate":
            continue
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["createbucket"]["condition"] == "service_completed_successfully", name
    migrate = SERVICES["migrate"]
    assert set(migrate["depends_on"]) == {"db"}  # not on itself, through the anchor
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert "manage.py migrate --noinput" in " ".join(migrate["command"])
    assert migrate["restart"] == "no"


def test_the_worker_is_run_worker_not_db_worker():
    assert SERVICES["worker"]["command"][:3] == ["python", "manage.py", "run_worker"]
    assert "db_worker" not in DOCS


def test_one_scheduler_service_runs_every_periodic_job():
    assert SERVICES["scheduler"]["command"] == ["python", "manage.py", "run_scheduler"]
    assert (ROOT / "tasteget" / "management" / "commands" / "run_scheduler.py").exists()
    # The loops it replaced, and the profile the CRM poll needed, are gone.
    assert not {"sweep", "housekeeping", "crm_poll"} & set(SERVICES)
    assert all("--every" not in (service.get("command") or []) for service in SERVICES.values())
    assert not any(service.get("profiles") for service in SERVICES.values())
    assert "COMPOSE_PROFILES" not in read_env_example() and "COMPOSE_PROFILES" not in DOCS
    assert "run_scheduler" in DOCS and "SUPEROFFICE_ANSWERS=poll" in DOCS


def test_the_database_password_comes_from_env_and_builds_the_database_url():
    text = (ROOT / "docker-compose.yml").read_text()
    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "tasteget:tasteget@" not in text
    url = compose_environment({"POSTGRES_PASSWORD": "s3cr3tFromEnv"})["DATABASE_URL"]
    assert url == "postgres://tasteget:s3cr3tFromEnv@db:5432/tasteget"
    assert read_env_example()["POSTGRES_PASSWORD"] == ""  # REQUIRED: filled in by the operator


def test_minio_and_createbucket_make_the_bucket_the_application_uses():
    env_example = read_env_example()
    assert SERVICES["minio"]["healthcheck"]["test"]
    create = SERVICES["createbucket"]
    assert create["depends_on"]["minio"]["condition"] == "service_healthy"
    script = create["command"][0]
    bucket = "$$MEDIA_S3_BUCKET"
    assert f'mc mb --ignore-existing "local/{bucket}"' in script
    assert f'mc anonymous set download "local/{bucket}/{PUBLIC_PREFIX.rstrip("/")}"' in script
    assert "set -e" in script
    # The bucket, the key and the endpoint createbucket makes are those .env.example gives the application.
    for name in ("MEDIA_S3_BUCKET", "MEDIA_S3_ACCESS_KEY_ID"):
        assert create["environment"][name] == "${" + name + ":-" + env_example[name] + "}"
    assert SERVICES["caddy"]["environment"]["MEDIA_S3_BUCKET"] == create["environment"]["MEDIA_S3_BUCKET"]
    assert env_example["MEDIA_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "minio" in SERVICES and "ports" not in SERVICES["minio"]  # not published
    assert env_example["MEDIA_STORAGE"] == "s3" and env_example["MEDIA_PUBLIC_URL"] == "/media/"
    assert "media" not in COMPOSE["volumes"]  # no uploads on a container's disk


def test_caddy_is_the_front_and_its_upstreams_are_services():
    caddy = SERVICES["caddy"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert caddy["environment"]["SITE_DOMAIN"].startswith("${SITE_DOMAIN:?")
    caddyfile = (ROOT / "deploy" / "caddy" / "Caddyfile").read_text()
    assert "{$SITE_DOMAIN" in caddyfile
    upstreams = re.findall(r"reverse_proxy\s+\{\$[A-Z_]+:([\w.-]+):(\d+)\}", caddyfile)
    assert ("cache", "80") in upstreams and ("minio", "9000") in upstreams
    for host, _port in upstreams:
        assert host in SERVICES
    assert "@purge method PURGE BAN" in caddyfile
    # No other service is published beyond loopback.
    for name, service in SERVICES.items():
        if name != "caddy":
            for port in service.get("ports", ()):
                assert port.startswith("127.0.0.1:"), (name, port)


@pytest.mark.skipif(not Path("/usr/bin/caddy").exists(), reason="caddy is not installed (scripts/install-test-tools)")
def test_caddy_accepts_its_configuration(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "SITE_DOMAIN": "tasteget.nu, www.tasteget.nu",
        "MEDIA_S3_BUCKET": "tasteget-media",
    }
    result = subprocess.run(
        ["/usr/bin/caddy", "validate", "--config", "deploy/caddy/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Valid configuration" in result.stdout + result.stderr
    formatted = subprocess.run(
        ["/usr/bin/caddy", "fmt", "deploy/caddy/Caddyfile"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert formatted.stdout == (ROOT / "deploy" / "caddy" / "Caddyfile").read_text()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stand_ins():
    """A bucket (moto's S3 server) and a recording stand-in for Varnish."""
    import boto3
    from moto.server import ThreadedMotoServer

    from tasteget.storage import public_read_policy

    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    s3.start()
    s3_port = s3.get_host_and_port()[1]
    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{s3_port}",
        region_name="us-east-1",
        aws_access_key_id="caddy-test",
        aws_secret_access_key="caddy-test-secret",
    )
    client.create_bucket(Bucket="tasteget-media")
    client.put_bucket_policy(Bucket="tasteget-media", Policy=json.dumps(public_read_policy("tasteget-media")))
    client.put_object(Bucket="tasteget-media", Key="images/a.webp", Body=b"RIFF....WEBP", ContentType="image/webp")
    client.put_object(Bucket="tasteget-media", Key="original_images/a.jpg", Body=b"\xff\xd8\xff exif")

    seen = []

    class Varnish(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.command, self.path, dict(self.headers)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"a page")

        do_PURGE = do_GET

        def log_message(self, *args):
            pass

    pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Varnish)
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    yield {"s3": s3_port, "pages": pages.server_address[1], "seen": seen}
    pages.shutdown()
    s3.stop()


@pytest.mark.skipif(not Path("/usr/bin/caddy").exists(), reason="caddy is not installed (scripts/install-test-tools)")
def test_caddy_serves_renditions_from_the_bucket_and_pages_from_varnish(stand_ins, tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        # Plain http on a free port: no certificates in a test.
        "SITE_DOMAIN": f"http://127.0.0.1:{port}",
        "CADDY_ADMIN": f"127.0.0.1:{free_port()}",
        "MEDIA_UPSTREAM": f"127.0.0.1:{stand_ins['s3']}",
        "PAGES_UPSTREAM": f"127.0.0.1:{stand_ins['pages']}",
        "MEDIA_S3_BUCKET": "tasteget-media",
    }
    caddy = subprocess.Popen(
        ["/usr/bin/caddy", "run", "--config", str(ROOT / "deploy" / "caddy" / "Caddyfile"), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        site = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if caddy.poll() is not None:
                    pytest.fail(caddy.stderr.read().decode()[-2000:])
                threading.Event().wait(0.1)
        rendition = requests.get(f"{site}/media/images/a.webp", headers={"Cookie": "sessionid=x"}, timeout=10)
        assert rendition.status_code == 200
        assert rendition.content == b"RIFF....WEBP"
        assert requests.get(f"{site}/media/original_images/a.jpg", timeout=10).status_code == 404
        assert requests.get(f"{site}/media/documents/x.pdf", timeout=10).status_code == 404
        assert requests.request("PURGE", f"{site}/", timeout=10).status_code == 405
        page = requests.get(f"{site}/om-oss/", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
        assert page.status_code == 200 and page.content == b"a page"
        method, path, headers = stand_ins["seen"][-1]
        assert (method, path) == ("GET", "/om-oss/")
        assert headers["X-Forwarded-For"] == "127.0.0.1"  # the client's address, not the forged one
        assert headers["X-Forwarded-Proto"] == "http"
        assert all(method != "PURGE" for method, _path, _headers in stand_ins["seen"])
    finally:
        caddy.terminate()
        caddy.wait(timeout=10)


def test_ci_installs_caddy():
    assert "caddy" in (ROOT / "scripts" / "install-test-tools").read_text()
    assert shutil.which("caddy") or not Path("/usr/bin/caddy").exists()


def test_every_service_has_a_health_check_or_is_one_shot():
    one_shot = {name for name, service in SERVICES.items() if service.get("restart") == "no"}
    assert one_shot == {"migrate", "createbucket"}
    for name, service in SERVICES.items():
        if name in one_shot or name in {"worker", "scheduler", "cache", "redis"}:
            continue
        # web: the image's HEALTHCHECK (Dockerfile); the others their own.
        if name == "web":
            assert "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()
            continue
        assert service.get("healthcheck", {}).get("test"), name


def test_the_deployment_doc_describes_every_service():
    for name in SERVICES:
        assert f"`{name}`" in DOCS, f"docs/deployment.md does not describe the service {name}"
    for stale in (
        "Known gap",
        "db_worker",
        "media lives in the `media` volume",
        "run --rm web python manage.py migrate",
    ):
        assert stale not in DOCS, stale
    for needed in ("POSTGRES_PASSWORD", "SITE_DOMAIN", "MEDIA_S3_BUCKET", "copy_media_to_storage", "Caddy"):
        assert needed in DOCS, needed


def test_the_image_build_loads_the_production_settings_without_a_bucket():
    """collectstatic runs at build time with dummy values: no bucket is needed for static files."""
    from tests.security.test_deployment import run_manage

    dockerfile = (ROOT / "Dockerfile").read_text()
    line = re.search(r"^RUN ((?:[A-Z_]+=\S+ )+)\\\n\s+python manage.py collectstatic", dockerfile, re.M)
    assert line, "the build's collectstatic line changed"
    values = dict(pair.split("=", 1) for pair in line.group(1).split())
    result = run_manage(
        {**values, "DJANGO_SETTINGS_MODULE": "tasteget.settings.production"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.STATIC_ROOT)",
    )
    assert result.returncode == 0, result.stderr[-2000:]
