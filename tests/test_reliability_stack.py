"""With real processes: the worker killed with SIGKILL mid-send,
the supervisor restarting it, two worker processes racing for one person,
and (PostgreSQL) the database cut by a TCP proxy under the worker and the
web server.

Each test works on its own copy of the test database (tests/stack.py), so
the processes see committed data and the suite's database stays as it is.
"""

import os
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests import fake_crm
from tests.conftest import GUIDANCE
from tests.stack import ROOT, Stack, TcpProxy, clone_test_database, free_port, via_proxy, wait_for

SECRET = "whsec_YS0zMi1ieXRlLWxvbmctdGVzdC1zaWduaW5nLWtleSE="


@pytest.fixture
def database_url(django_db_setup, django_db_blocker, tmp_path):
    with django_db_blocker.unblock():
        url, drop = clone_test_database(connection, tmp_path)
    yield url
    with django_db_blocker.unblock():
        drop()


@pytest.fixture
def server():
    server = fake_crm.start()
    yield server
    server.shutdown()


@pytest.fixture
def stack(database_url, server, tmp_path):
    stack = Stack(
        database_url,
        CRM_BACKEND="webhook",
        CRM_WEBHOOK_URL=server.url + "/hook",
        CRM_WEBHOOK_SECRET=SECRET,
        TASTEGET_VAR_DIR=tmp_path,
    )
    yield stack
    stack.stop_all()


@pytest.mark.django_db  # (also makes pytest-django set up the database this module copies)
def test_the_stack_helper_registers_like_the_forms_do(capsys):
    from intake.models import Delivery, Registration
    from tests.stack import register_here

    register_here(2, "ida@example.org", "magazine", same=True)
    assert Registration.objects.filter(email="ida@example.org").count() == 2
    assert Delivery.objects.filter(channel="crm").count() == 2
    assert capsys.readouterr().out.startswith("[")


def crm_row(stack):
    return next(row for row in stack.deliveries() if row["channel"] == "crm")


def test_a_worker_killed_with_sigkill_mid_send_is_recovered_by_the_sweep(stack, server):
    server.plan = [("sleep", 3)]  # the CRM is slow: the worker is mid-send when it dies
    stack.register()
    worker = stack.start("run_worker")
    wait_for(lambda: server.requests, what="the CRM call")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()

    row = crm_row(stack)
    assert row["status"] == "pending" and row["attempts"] == 1  # the interrupted send counts
    assert stack.task_status(row["task_id"]) == "RUNNING"  # what kill -9 leaves behind

    # Once the lease (deadline 5 s + 1 s) has run out the sweep re-sends it
    # (with whatever else the dead worker held: its adviser e-mail may have
    # been claimed too, so the count is not asserted).
    def swept():
        stack.run("sweep_deliveries")
        now = crm_row(stack)
        return now["claimed_until"] is None and now["task_id"] != row["task_id"]

    wait_for(swept, timeout=30, every=1, what="the sweep")
    assert stack.task_status(row["task_id"]) == "FAILED"
    stack.run("run_worker", "--batch")
    row = crm_row(stack)
    assert row["status"] == "delivered" and row["attempts"] == 2
    assert len({request["headers"]["webhook-id"] for request in server.requests}) == 1
    assert server.people == {"ida@example.org": 1}


def test_the_supervisor_restarts_a_worker_killed_with_sigkill(stack, server):
    supervisor = stack.start("run_worker", supervise=True)

    def child():
        path = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children")
        pids = path.read_text().split() if path.exists() else []
        return int(pids[0]) if pids else None

    first = wait_for(child, what="the worker")
    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: (child() or first) != first and child(), what="a new worker")
    assert second != first and supervisor.poll() is None
    stack.register()
    wait_for(lambda: crm_row(stack)["status"] == "delivered", timeout=60, every=1, what="delivery")


def test_two_worker_processes_create_one_superoffice_person(database_url, server, tmp_path):
    server.lookup_barrier = threading.Barrier(2, timeout=5)  # unserialised, both would look before either creates
    stack = Stack(
        database_url,
        CRM_BACKEND="superoffice",
        SUPEROFFICE_API_URL=server.url + "/api/v1",
        SUPEROFFICE_USERNAME="tasteget",
        SUPEROFFICE_PASSWORD="secret",
        CRM_RATE_PER_SECOND="100",
        # Longer than the barrier's wait, so the serialised look-up (which
        # waits out the barrier alone) is not cut and retried after a back-off.
        CRM_DELIVERY_DEADLINE_SECONDS="20",
        TASTEGET_VAR_DIR=tmp_path,
    )
    try:
        stack.register(count=2, email="ida@example.org", kind="magazine", same=True)
        stack.start("run_worker")
        stack.start("run_worker")
        wait_for(
            lambda: all(row["status"] == "delivered" for row in stack.deliveries() if row["channel"] == "crm"),
            timeout=120,
            every=1,
            what="both deliveries",
        )
    finally:
        stack.stop_all()
    creates = [r for r in server.requests if r["method"] == "POST" and r["path"] == "/api/v1/Person"]
    assert len(creates) == 1
    assert {row["crm_person_id"] for row in stack.deliveries() if row["channel"] == "crm"} == {"100"}


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a TCP proxy in front of PostgreSQL")


@postgres_only
def test_a_database_cut_gives_503_keeps_the_answers_and_the_worker_survives(stack, server, tmp_path):
    proxy = TcpProxy("127.0.0.1", int(stack.database_url.rsplit(":", 1)[1].split("/")[0]))
    proxied = via_proxy(stack.database_url, proxy)
    port = free_port()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    try:
        worker = stack.start("run_worker", database_url=proxied, log=log)
        web = stack.start("runserver", "--noreload", f"127.0.0.1:{port}", database_url=proxied)
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(base + "/healthz"), what="the web server")
        session = requests.Session()
        page = session.get(base + "/anmal-intresse/")
        hidden = dict(fake_crm_hidden(page.text))

        proxy.cut()
        response = session.post(base + "/anmal-intresse/", data={**hidden, **GUIDANCE}, allow_redirects=False)
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        assert 'name="first_name" value="Ida"' in response.text
        assert session.get(base + "/healthz").status_code == 503
        wait_for(lambda: "database unavailable" in (tmp_path / "worker.log").read_text(), what="the worker's log")
        assert worker.poll() is None and web.poll() is None

        proxy.restore()
        resent = session.post(base + "/anmal-intresse/", data={**hidden, **GUIDANCE}, allow_redirects=False)
        assert resent.status_code == 302
        wait_for(lambda: crm_row(stack)["status"] == "delivered", timeout=60, every=1, what="delivery")
        assert server.people == {"ida@example.org": 1}
    finally:
        stack.stop_all()
        proxy.close()
        log.close()


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code in (200, 503)
    except requests.RequestException:
        return False


def fake_crm_hidden(html):
    import re

    return re.findall(r'name="(form_token|consent_version|csrfmiddlewaretoken)" value="([^"]+)"', html)


def test_make_run_supervises_the_worker_and_the_scheduler():
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/supervise --name worker -- $(PY) manage.py run_worker" in makefile
    assert "scripts/supervise --name scheduler -- $(PY) manage.py run_scheduler" in makefile
    assert "--every" not in makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    result = subprocess.run([str(ROOT / "scripts" / "supervise")], capture_output=True, text=True)
    assert result.returncode != 0 and "command" in result.stderr
    assert tempfile.gettempdir()
