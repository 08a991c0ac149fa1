"""Each fault is caused, in process.

The faults that need real processes (kill -9 of a worker, a database cut
with a TCP proxy, two worker processes) are in tests/test_reliability_stack.py.
"""

import datetime
import inspect
import json
import threading
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings
from django.utils import timezone
from django.utils.module_loading import import_string

from intake import heartbeat, tasks
from intake.models import Beacon, CrmGate, Delivery, Registration
from intake.outbox import adapters, pacing, worker
from intake.outbox.adapters import base
from intake.outbox.adapters.superoffice import SuperOfficeAdapter
from intake.outbox.adapters.webhook import WebhookAdapter
from tests import fake_crm
from tests.conftest import GUIDANCE, form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    server = fake_crm.start()
    yield server
    server.shutdown()


@pytest.fixture
def webhook(settings, server):
    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    settings.CRM_WEBHOOK_SECRET = "whsec_" + "YS0zMi1ieXRlLWxvbmctdGVzdC1zaWduaW5nLWtleSE="
    return server


@pytest.fixture
def superoffice(settings, server):
    settings.CRM_BACKEND = "superoffice"
    settings.SUPEROFFICE_API_URL = server.url + "/api/v1"
    settings.SUPEROFFICE_USERNAME = "tasteget"
    settings.SUPEROFFICE_PASSWORD = "secret"
    settings.SUPEROFFICE_FALLBACK_OWNER_ID = 19
    return server


@pytest.fixture
def crm_delivery(submit):
    submit("/anmal-intresse/", GUIDANCE)
    return Delivery.objects.get(channel="crm")


def run(delivery):
    tasks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def closed_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- 1. an interrupted send is counted and recovered -------------------------------


def test_an_interrupted_send_has_counted_its_attempt(webhook, crm_delivery, monkeypatch):
    """The worker dies inside the CRM call (here: SystemExit, as kill does)."""

    def die(*args, **kwargs):
        raise SystemExit("killed mid-send")

    monkeypatch.setattr(WebhookAdapter, "deliver", die)
    with pytest.raises(SystemExit):
        tasks.deliver.call(crm_delivery.pk)
    crm_delivery.refresh_from_db()
    assert crm_delivery.attempts == 1 and crm_delivery.claimed_until is not None
    assert crm_delivery.last_attempt_at is not None


def test_a_running_task_older_than_the_lease_is_dead_and_its_delivery_is_sent_again(webhook, crm_delivery):
    from django_tasks_db.models import DBTaskResult

    # The state kill -9 leaves behind: the task row RUNNING, the delivery claimed.
    task_id = tasks.enqueue_delivery(crm_delivery.pk).id
    long_ago = timezone.now() - worker.lease() - datetime.timedelta(minutes=1)
    DBTaskResult.objects.filter(id=task_id).update(status="RUNNING", started_at=long_ago)
    Delivery.objects.filter(pk=crm_delivery.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1), attempts=1, next_attempt_at=long_ago
    )
    assert tasks.sweep() == 1
    assert DBTaskResult.objects.get(id=task_id).status == "FAILED"  # no longer taken for alive
    delivery = run(crm_delivery)
    assert delivery.status == "delivered" and delivery.attempts == 2
    assert webhook.people == {"ida@example.org": 1}


def test_a_live_claim_is_left_alone_by_the_sweep(crm_delivery):
    Delivery.objects.filter(pk=crm_delivery.pk).update(
        claimed_until=timezone.now() + datetime.timedelta(minutes=1),
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1),
        task_id="",
    )
    assert tasks.sweep() == 0


def test_the_sweep_checks_task_liveness_in_one_query_not_one_per_delivery(
    submit, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for number in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            submit("/anmal-intresse/", {**GUIDANCE, "email": f"person{number}@example.org"})
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    assert Delivery.objects.count() == 24
    # Every task is still queued: reap + due rows + one liveness look-up.
    with django_assert_max_num_queries(3):
        assert tasks.sweep() == 0


# --- 4./5. deadline, Retry-After, pacing, breaker ------------------------------------


def test_a_slow_drip_reply_is_cut_at_the_deliverys_total_deadline(webhook, crm_delivery, settings):
    settings.CRM_DELIVERY_DEADLINE_SECONDS = 1
    # 200 bytes, one every 0.1 s: each read is quick, the whole reply takes 20 s.
    webhook.plan = [("drip", 200, 0.1)]
    delivery = run(crm_delivery)
    assert delivery.status == "retrying"
    assert "time budget" in delivery.last_error


def test_retry_after_is_obeyed_exactly_not_overridden_by_the_backoff(webhook, crm_delivery):
    Delivery.objects.filter(pk=crm_delivery.pk).update(attempts=6)  # back-off alone would be ~16 min
    webhook.plan = [(429, {"Retry-After": "1"}, b"slow down")]
    before = timezone.now()
    delivery = run(crm_delivery)
    assert delivery.status == "retrying"
    assert before + datetime.timedelta(seconds=1) <= delivery.next_attempt_at < before + datetime.timedelta(seconds=5)
    gate = CrmGate.objects.get(backend="webhook")
    assert gate.open_until >= before + datetime.timedelta(seconds=1)  # the whole backend waits
    assert gate.failures == 0  # a throttle is not an outage
    assert worker.backoff(9, retry_after=1).total_seconds() == 1
    assert worker.backoff(1, retry_after=10**9).total_seconds() == 24 * 3600


def test_the_rate_limit_spreads_a_backlog_over_reserved_slots_shared_by_all_workers(webhook, submit, settings):
    settings.CRM_RATE_PER_SECOND = {"webhook": 2.0}
    for number in range(5):
        submit("/anmal-intresse/", {**GUIDANCE, "email": f"p{number}@example.org"})
    gate = pacing.Gate("webhook")
    slots = []
    for delivery in Delivery.objects.filter(channel="crm"):
        admission = gate.admit(delivery.pk, slot=None, claim=worker.claim)
        slots.append(admission.start_at or admission.wait_until)
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(slots, slots[1:], strict=False)]
    assert all(gap == pytest.approx(0.5) for gap in gaps), gaps
    # Slots within a second are taken by this worker (it sleeps until then);
    # the later ones are queued for their slot and not attempted yet.
    assert Delivery.objects.filter(channel="crm", attempts=0).count() == 2


def test_a_paced_delivery_is_queued_for_its_slot_without_an_attempt(webhook, submit, settings):
    settings.CRM_RATE_PER_SECOND = {"webhook": 0.1}  # one per 10 s
    for number in range(2):
        submit("/anmal-intresse/", {**GUIDANCE, "email": f"p{number}@example.org"})
    first, second = Delivery.objects.filter(channel="crm")
    assert run(first).status == "delivered"
    assert tasks.process(second.pk) == "paced"
    second.refresh_from_db()
    assert second.attempts == 0 and second.status == "pending"
    assert second.next_attempt_at > timezone.now() + datetime.timedelta(seconds=5)
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.get(id=second.task_id)
    assert queued.run_after == second.next_attempt_at and queued.task_result.kwargs["slot"]


def test_the_concurrency_cap_counts_live_claims(webhook, crm_delivery, settings):
    settings.CRM_MAX_CONCURRENCY = 1
    Delivery.objects.filter(pk=crm_delivery.pk).update(claimed_until=timezone.now() + datetime.timedelta(minutes=1))
    other = Delivery.objects.create(registration=crm_delivery.registration, channel="crm", action="unsubscribe")
    admission = pacing.Gate("webhook").admit(other.pk, slot=None, claim=worker.claim)
    assert admission.delivery is None and admission.reason == "concurrency"


def test_the_breaker_opens_when_the_crm_is_down_stops_sending_and_probes(settings, submit, server):
    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_SECRET = "secret"
    settings.CRM_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/hook"  # down: nothing listens
    settings.CRM_BREAKER_FAILURES = 2
    settings.CRM_RATE_PER_SECOND = {"webhook": 1000.0}
    for number in range(4):
        submit("/anmal-intresse/", {**GUIDANCE, "email": f"p{number}@example.org"})
    crm_rows = list(Delivery.objects.filter(channel="crm"))
    assert [tasks.process(d.pk) for d in crm_rows[:2]] == ["retrying", "retrying"]
    gate = CrmGate.objects.get(backend="webhook")
    assert gate.failures == 2 and gate.open_until > timezone.now()
    # Open: the next one is held, not sent, not counted.
    assert tasks.process(crm_rows[2].pk) == "paced"
    assert Delivery.objects.get(pk=crm_rows[2].pk).attempts == 0
    assert pacing.state("webhook")["breaker"] == "open"

    # The pause is over and the CRM is back: one probe goes, and closes it.
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    CrmGate.objects.update(open_until=timezone.now() - datetime.timedelta(seconds=1), next_slot_at=None)
    Delivery.objects.filter(pk=crm_rows[3].pk).update(next_attempt_at=timezone.now())
    assert tasks.process(crm_rows[3].pk) == "delivered"
    assert CrmGate.objects.get(backend="webhook").failures == 0
    assert len(server.requests) == 1


# --- 1. one task per channel ---------------------------------------------------------


def test_each_delivery_is_its_own_task_so_emails_never_wait_behind_the_crm(
    submit, django_capture_on_commit_callbacks, settings, server
):
    from django_tasks_db.models import DBTaskResult

    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_SECRET = "secret"
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    server.plan = [("sleep", 2)]  # the CRM hangs
    with django_capture_on_commit_callbacks(execute=True):
        submit("/anmal-intresse/", GUIDANCE)
    # One task, queued with the registration, gives each delivery its own.
    (queued,) = DBTaskResult.objects.filter(task_path__startswith="intake.")
    assert queued.task_path == "intake.tasks.deliver_registration"
    tasks.deliver_registration.call(*queued.args_kwargs["args"])
    deliveries = list(Delivery.objects.all())
    assert len({d.task_id for d in deliveries} - {str(queued.id)}) == len(deliveries) == 4
    # The e-mails' tasks run (and succeed) without the CRM's task running at all.
    for delivery in deliveries:
        if delivery.channel != "crm":
            DBTaskResult.objects.get(id=delivery.task_id)
            assert tasks.process(delivery.pk) == "delivered"
    assert len(mail.outbox) == 3 and server.requests == []


# --- 6. retries are visible ------------------------------------------------------------


def test_every_attempt_is_logged_without_personal_data(webhook, crm_delivery, caplog):
    webhook.plan = [(503, {}, b"ida@example.org is down")]
    with caplog.at_level("INFO", logger="intake.outbox.worker"):
        run(crm_delivery)
    line = next(r.getMessage() for r in caplog.records if "attempt=1" in r.getMessage())
    assert f"delivery={crm_delivery.pk}" in line and "channel=crm" in line and "status=retrying" in line
    assert "http=503" in line and "next_try=" in line
    assert "ida" not in caplog.text.lower() and "ström" not in caplog.text.lower()


def test_alerts_for_an_old_backlog_and_a_silent_worker_at_most_once_an_hour(crm_delivery, settings, mailoutbox):
    settings.INTAKE_ALERT_EMAILS = ["drift@example.org"]
    Delivery.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    assert sorted(heartbeat.alert()) == ["backlog", "worker"]
    assert len(mailoutbox) == 2 and mailoutbox[0].to == ["drift@example.org"]
    assert "ida" not in (mailoutbox[0].body + mailoutbox[1].body).lower()
    assert heartbeat.alert() == []  # not again within the hour
    heartbeat.beat("worker:w1")
    Beacon.objects.filter(key__startswith="alert:").update(at=timezone.now() - datetime.timedelta(hours=2))
    assert heartbeat.alert() == ["backlog"]  # the worker is back


def test_deliveries_status_summarises_the_outbox_for_operators(crm_delivery, capsys):
    call_command("deliveries_status")
    out = capsys.readouterr().out
    assert "crm" in out and "pending" in out and "Open: 4" in out
    assert "breaker closed" in out and "Last worker heartbeat: never" in out
    assert "ida" not in out.lower()


def test_healthz_reports_database_cache_worker_and_backlog(client, crm_delivery):
    heartbeat.beat("worker:abc")
    report = client.get("/healthz").json()
    assert report["database"] == "ok" and report["cache"] == "ok"
    assert report["worker"]["ok"] and report["worker"]["seconds_ago"] <= 5
    assert report["deliveries"]["open"] == 4 and report["status"] == "ok"
    Beacon.objects.update(at=timezone.now() - datetime.timedelta(hours=1))
    assert client.get("/healthz").json()["status"] == "degraded"


@override_settings(ALLOWED_HOSTS=["tasteget.nu"], SECURE_SSL_REDIRECT=True)
def test_healthz_answers_dockers_health_check_at_127_0_0_1(client):
    """The health check asks http://127.0.0.1:8000/healthz: not an allowed host, not HTTPS."""
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response.json()["database"] == "ok"
    assert client.get("/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # the rest stays strict


# --- 4. admin "retry now" ---------------------------------------------------------------


def test_admin_retry_resets_the_backoff_keeps_created_at_and_covers_retrying(admin_client, webhook, crm_delivery):
    created = crm_delivery.created_at
    Delivery.objects.filter(pk=crm_delivery.pk).update(
        status="retrying", attempts=9, next_attempt_at=timezone.now() + datetime.timedelta(hours=5)
    )
    page = admin_client.get(f"/admin/registrations/inspect/{crm_delivery.registration_id}/").content.decode()
    assert "Försök igen nu" in page
    assert admin_client.post(f"/admin/registrations/retry/{crm_delivery.registration_id}/").status_code == 302
    crm_delivery.refresh_from_db()
    assert crm_delivery.status == "pending" and crm_delivery.attempts == 0
    assert crm_delivery.created_at == created and crm_delivery.retry_from > created
    # The next temporary failure waits the first back-off step, not hours.
    webhook.plan = [(500, {}, b"down")]
    delivery = run(crm_delivery)
    assert delivery.attempts == 1
    assert delivery.next_attempt_at < timezone.now() + datetime.timedelta(minutes=1)


# --- 7. one person, however they arrive ---------------------------------------------------


def test_the_payload_carries_a_stable_person_key_beside_the_registration_id(settings, tmp_path, submit):
    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    submit("/anmal-intresse/", GUIDANCE)
    # Another municipality: a case of its own (the same one would be one case per person).
    submit("/anmal-intresse/", {**GUIDANCE, "email": "  IDA@example.org ", "municipality": "berg"})
    for delivery in Delivery.objects.filter(channel="crm", action="register"):
        run(delivery)
    first, second = (json.loads(line) for line in (tmp_path / "crm.jsonl").read_text().splitlines())
    assert first["id"] != second["id"] and first["registration_id"] != second["registration_id"]
    assert first["person_key"] == second["person_key"] and len(first["person_key"]) == 64


@pytest.mark.parametrize("locked", [True, False], ids=["with-lock", "without-lock-reproduces-the-fault"])
def test_two_workers_racing_create_one_superoffice_person(superoffice, crm_delivery, locked, monkeypatch):
    import contextlib

    from intake.outbox.payload import build_payload

    if not locked:
        unlocked = lambda *args, **kwargs: contextlib.nullcontext()  # noqa: E731
        monkeypatch.setattr("intake.outbox.adapters.superoffice.person_lock", unlocked)
    superoffice.lookup_barrier = threading.Barrier(2, timeout=5)  # both look up before either creates
    payload = build_payload(Delivery.objects.select_related("registration").get(pk=crm_delivery.pk))
    payload["kind"] = "magazine"  # person and consent only
    errors = []
    start = threading.Barrier(2)

    def worker():
        start.wait()
        try:
            SuperOfficeAdapter().deliver(payload, base.CrmResult(), None)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    creates = [r for r in superoffice.requests if r["method"] == "POST" and r["path"] == "/api/v1/Person"]
    assert len(creates) == (1 if locked else 2)


# --- 6. one adapter contract, errors carry their status, actions are explicit --------------


def test_every_adapter_has_the_same_deliver_signature_and_errors_carry_the_status(webhook, crm_delivery):
    signatures = {
        name: list(inspect.signature(import_string(path).deliver).parameters)
        for name, path in adapters.BACKENDS.items()
    }
    assert set(map(tuple, signatures.values())) == {("self", "payload", "known", "on_person")}
    assert "CRM_BACKEND ==" not in inspect.getsource(tasks)
    webhook.plan = [(418, {}, b"teapot")]
    adapter = adapters.get_adapter()
    with pytest.raises(base.PermanentError) as raised:
        adapter.deliver({"id": "x", "person": {}}, base.CrmResult(), None)
    assert raised.value.status == 418


def test_old_unsubscribe_rows_get_their_action_from_the_migration(crm_delivery):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("intake.migrations.0008_reliability")
    old = Delivery.objects.create(registration=crm_delivery.registration, channel="crm", recipient="unsubscribe")
    migration.name_the_actions(apps, None)
    old.refresh_from_db()
    assert old.action == "unsubscribe" and old.recipient == ""
    crm_delivery.refresh_from_db()
    assert crm_delivery.action == "register" and crm_delivery.retry_from == crm_delivery.created_at


# --- 2. the worker and the sweep survive database outages ---------------------------------


def test_the_worker_survives_a_database_outage_and_reconnects(monkeypatch, caplog):
    from django_tasks_db.models import DBTaskResult

    from intake.management.commands import run_worker

    DBTaskResult.objects.all().delete()

    calls = []
    real = run_worker.ResilientWorker.next_task

    def flaky(self):
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return real(self)

    monkeypatch.setattr(run_worker.ResilientWorker, "next_task", flaky)
    # As in conftest.run_worker: closing "old" connections would close the
    # test's own (in its transaction) on PostgreSQL.
    monkeypatch.setattr(run_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(run_worker.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(run_worker, "connections", mock.Mock(all=lambda **kwargs: []))
    with caplog.at_level("WARNING", logger="intake.worker"):
        call_command("run_worker", batch=True)
    assert len(calls) == 3
    assert sum("database unavailable" in r.getMessage() for r in caplog.records) == 2
    assert Beacon.objects.filter(key__startswith="worker:").exists()


def test_the_sweep_survives_a_database_outage(monkeypatch, caplog):
    from intake.management.commands import sweep_deliveries

    rounds = []

    def one_round():
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("could not connect to server")
        raise KeyboardInterrupt  # the test's way out of the endless loop

    monkeypatch.setattr(sweep_deliveries, "one_round", one_round)
    monkeypatch.setattr(sweep_deliveries.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(sweep_deliveries, "connections", mock.Mock(all=lambda **kwargs: []))
    with caplog.at_level("WARNING", logger="intake.sweep"), pytest.raises(KeyboardInterrupt):
        call_command("sweep_deliveries", every=60, verbosity=0)
    assert len(rounds) == 2 and "database unavailable" in caplog.text


# --- 3. a database outage during a form POST ----------------------------------------------


def test_a_form_post_during_a_database_outage_gets_503_and_keeps_the_answers(client, monkeypatch):
    page = client.get("/anmal-intresse/")
    hidden = form_values(page.content.decode())

    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.post("/anmal-intresse/", {**hidden, **GUIDANCE})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Dina svar skickades inte" in html
    assert 'name="first_name" value="Ida"' in html and 'name="message" value="Vi vill bo nära fjällen."' in html
    assert html.count('name="topics"') == 2 and f'value="{hidden["form_token"]}"' in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    monkeypatch.undo()

    # Sending the kept answers again stores the registration, once.
    resent = client.post("/anmal-intresse/", {**hidden, **GUIDANCE})
    assert resent.status_code in (200, 302) and Registration.objects.count() == 1


def test_the_503_page_is_english_on_english_pages(client, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    response = client.post("/en/register/", {"first_name": "Ida"})
    assert response.status_code == 503
    assert "Your answers were not sent" in response.content.decode()
