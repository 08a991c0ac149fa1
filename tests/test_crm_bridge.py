"""The CRM bridge against a local HTTP server that plays the CRM.

For each adapter: the right fields arrive; 500, timeouts, 429 with
Retry-After and malformed JSON lose nothing and end delivered, with exactly
one person; a 400 ends as failed and shows in the admin; a worker that dies
between the CRM's answer and our commit creates no duplicate.
"""

import base64
import datetime
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import call_command
from django.utils import timezone

from intake import tasks
from intake.models import CrmGate, Delivery, Registration
from intake.outbox import worker
from intake.outbox.adapters import base
from intake.outbox.adapters.superoffice import SuperOfficeAdapter, SuperOfficeAuth
from tests import fake_crm
from tests.conftest import GUIDANCE, run_worker

pytestmark = pytest.mark.django_db

SECRET = "whsec_" + base64.b64encode(b"a-32-byte-long-test-signing-key!").decode()


@pytest.fixture
def server():
    server = fake_crm.start()
    yield server
    server.shutdown()


@pytest.fixture
def webhook(settings, server):
    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    settings.CRM_WEBHOOK_SECRET = SECRET
    return server


@pytest.fixture
def private_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(params=["basic", "system_user"])
def superoffice(request, settings, server, private_key_pem):
    settings.CRM_BACKEND = "superoffice"
    settings.SUPEROFFICE_MUNICIPALITY_FIELD = "SuperOffice:3"
    settings.SUPEROFFICE_FALLBACK_OWNER_ID = 19
    SuperOfficeAdapter._moved_to = None
    settings.SUPEROFFICE_API_URL = server.url + "/api/v1"
    if request.param == "basic":
        settings.SUPEROFFICE_USERNAME = "tasteget"
        settings.SUPEROFFICE_PASSWORD = "secret"
    else:
        settings.SUPEROFFICE_USERNAME = ""
        settings.SUPEROFFICE_SYSTEM_USER_TOKEN = "Tasteget-1234"
        settings.SUPEROFFICE_CLIENT_SECRET = "app-secret"
        settings.SUPEROFFICE_PRIVATE_KEY = private_key_pem
        settings.SUPEROFFICE_CONTEXT_IDENTIFIER = "Cust12345"
        settings.SUPEROFFICE_LOGIN_URL = server.url + "/Login/api/PartnerSystemUser/Authenticate"
        SuperOfficeAuth._ticket = None
    server.auth = request.param
    return server


@pytest.fixture
def crm_delivery(submit):
    """A guidance registration for Åre; returns its CRM delivery."""
    from places.models import Adviser, Municipality

    Adviser.objects.filter(email="sara.are@example.org").update(crm_owner_id=17)
    Municipality.objects.filter(slug="are").update(crm_list_item_id=12)
    submit("/anmal-intresse/", GUIDANCE)
    return Delivery.objects.get(channel="crm")


def run(delivery):
    """What the worker does for one task, then the row as stored."""
    tasks.deliver.call(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def due_now(delivery):
    """Time passes: the delivery is due and the backend's pause is over."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    CrmGate.objects.update(open_until=None, next_slot_at=None, probe_until=None)


def verify_standard_webhook(secret, headers, body):
    """An independent implementation of the Standard Webhooks check."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = headers["webhook-id"].encode() + b"." + headers["webhook-timestamp"].encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(sig.split(",", 1)[1] == expected for sig in headers["webhook-signature"].split(" "))


# --- webhook -------------------------------------------------------------------


def test_webhook_delivers_the_registration_signed_per_standard_webhooks(webhook, crm_delivery):
    delivery = run(crm_delivery)
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert delivery.crm_person_id == "1"
    request = webhook.requests[0]
    headers = {key.lower(): value for key, value in request["headers"].items()}
    assert headers["webhook-id"] == str(delivery.external_id)
    assert verify_standard_webhook(SECRET, headers, request["body"])
    payload = json.loads(request["body"])
    assert payload["kind"] == "guidance"
    assert payload["person"] == {
        "first_name": "Ida",
        "last_name": "Ström",
        "email": "ida@example.org",
        "phone": "+46701234567",
    }
    assert payload["municipality"] == {
        "slug": "are",
        "name": "Åre kommun",
        "kind": "municipality",
        "crm_list_item_id": 12,
    }
    assert payload["preferred_contact"] == "email"
    assert payload["topics"] == ["jobs", "housing"]
    assert payload["owner_crm_id"] == 17
    assert payload["due_date"] == Registration.objects.get().due_date.isoformat()
    assert payload["consent"]["purpose"] == "guidance" and payload["consent"]["version"] == "2026-1"


def test_webhook_signature_fails_for_a_tampered_body(webhook, crm_delivery):
    run(crm_delivery)
    request = webhook.requests[0]
    headers = {key.lower(): value for key, value in request["headers"].items()}
    assert not verify_standard_webhook(SECRET, headers, request["body"].replace(b"Ida", b"Eva"))


@pytest.mark.parametrize(
    "failure",
    [
        (500, {}, b"Internal error"),
        (503, {"Retry-After": "120"}, b"busy"),
        ("sleep", 2.5),
    ],
    ids=["500", "503-retry-after", "timeout"],
)
def test_webhook_failures_retry_with_the_same_id_until_delivered(webhook, crm_delivery, failure, monkeypatch):
    monkeypatch.setattr(base.HttpAdapter, "timeout", (1, 1))
    webhook.plan = [failure, failure]
    before = timezone.now()
    delivery = run(crm_delivery)
    assert delivery.status == "retrying" and delivery.last_error
    assert delivery.next_attempt_at > before
    if failure[0] == 503:
        assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=120)
    due_now(delivery)
    assert run(delivery).status == "retrying"
    due_now(delivery)
    delivery = run(delivery)
    assert delivery.status == "delivered" and delivery.attempts == 3
    ids = {r["headers"]["webhook-id"] for r in webhook.requests}
    assert ids == {str(delivery.external_id)}
    assert webhook.people == {"ida@example.org": 1}


def test_webhook_400_fails_at_once_and_shows_in_the_admin(webhook, crm_delivery, admin_client, settings, mailoutbox):
    settings.INTAKE_ALERT_EMAILS = ["crm-ansvarig@example.org"]
    webhook.plan = [(400, {}, b'{"error": "Firstname is required"}')]
    delivery = run(crm_delivery)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "HTTP 400" in delivery.last_error
    listing = admin_client.get("/admin/registrations/").content.decode()
    assert "Firstname is required" in listing
    inspect = admin_client.get(f"/admin/registrations/inspect/{delivery.registration_id}/").content.decode()
    assert "Gör om misslyckade leveranser" in inspect
    run_worker()
    assert any("crm-ansvarig@example.org" in m.to for m in mailoutbox)

    # An operator fixes the cause and retries from the admin.
    response = admin_client.post(f"/admin/registrations/retry/{delivery.registration_id}/")
    assert response.status_code == 302
    assert run(delivery).status == "delivered"


def test_retries_stop_after_the_retry_window(webhook, crm_delivery, settings):
    webhook.plan = [(500, {}, b"down")]
    Delivery.objects.filter(pk=crm_delivery.pk).update(retry_from=timezone.now() - datetime.timedelta(days=5))
    delivery = run(crm_delivery)
    assert delivery.status == "failed" and "Gave up" in delivery.last_error


def test_backoff_grows_and_has_jitter(settings):
    delays = [worker.backoff(attempt).total_seconds() for attempt in range(1, 12)]
    assert 24 <= delays[0] <= 36
    assert delays[5] > delays[2] > delays[0]
    assert max(delays) <= 6 * 3600 * 1.2
    assert worker.backoff(1, retry_after=600).total_seconds() >= 600


# --- SuperOffice -----------------------------------------------------------------


def test_superoffice_creates_person_consent_and_a_followup_for_the_adviser(superoffice, crm_delivery):
    delivery = run(crm_delivery)
    assert delivery.status == "delivered", delivery.last_error
    assert superoffice.people == {"ida@example.org": 100}
    assert delivery.crm_person_id == "100" and delivery.crm_followup_id == "1"
    create = next(r for r in superoffice.requests if r["method"] == "POST" and r["path"] == "/api/v1/Person")
    body = json.loads(create["body"])
    assert body["Firstname"] == "Ida" and body["Emails"][0]["Value"] == "ida@example.org"
    assert body["MobilePhones"][0]["Value"] == "+46701234567"
    assert body["CustomFields"] == {"SuperOffice:3": "12"}
    assert superoffice.consents[0][0] == "/api/v1/Person/100/Consent/STORE"
    appointment = superoffice.appointments[0]
    assert appointment["Associate"] == {"AssociateId": 17}
    assert appointment["StartDate"].startswith(Registration.objects.get().due_date.isoformat())
    auth = create["headers"]["Authorization"]
    if superoffice.auth == "basic":
        assert auth == "Basic " + base64.b64encode(b"tasteget:secret").decode()
    else:
        assert auth == "SOTicket 7T:1234ABCD"
        assert create["headers"]["SO-AppToken"] == "app-secret"
        login = json.loads(superoffice.requests[0]["body"])
        assert login["SignedSystemToken"].startswith("Tasteget-1234.")
        assert login["ContextIdentifier"] == "Cust12345"


def test_superoffice_finds_an_existing_person_instead_of_creating_one(superoffice, crm_delivery):
    superoffice.people["ida@example.org"] = 555
    delivery = run(crm_delivery)
    assert delivery.crm_person_id == "555"
    assert not any(r["method"] == "POST" and r["path"] == "/api/v1/Person" for r in superoffice.requests)


@pytest.mark.parametrize(
    "failure",
    [
        (500, {}, b"Internal error"),
        (429, {"Retry-After": "300"}, b"slow down"),
        (200, {"Content-Type": "application/json"}, b"{not json"),
        ("sleep", 2.5),
    ],
    ids=["500", "429-retry-after", "malformed-json", "timeout"],
)
def test_superoffice_failures_retry_until_delivered_with_one_person(superoffice, crm_delivery, failure, monkeypatch):
    monkeypatch.setattr(base.HttpAdapter, "timeout", (1, 1))
    superoffice.plan = [failure]
    if superoffice.auth == "system_user":
        superoffice.plan.insert(0, (200, {}, fake_crm.recorded("superoffice_system_user_authenticated.json")))
    before = timezone.now()
    delivery = run(crm_delivery)
    assert delivery.status == "retrying" and delivery.last_error
    if failure[0] == 429:
        assert delivery.next_attempt_at >= before + datetime.timedelta(seconds=300)
    if failure[0] == 200:
        assert "Malformed JSON" in delivery.last_error
    due_now(delivery)
    delivery = run(delivery)
    assert delivery.status == "delivered", delivery.last_error
    assert len(superoffice.people) == 1 and len(superoffice.appointments) == 1
    creates = [r for r in superoffice.requests if r["method"] == "POST" and r["path"] == "/api/v1/Person"]
    assert len(creates) == 1


def test_worker_killed_between_crm_answer_and_commit_creates_no_duplicate(superoffice, crm_delivery, monkeypatch):
    real_finish = worker.finish

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(worker, "finish", crash)
    with pytest.raises(SystemExit):
        tasks.deliver.call(crm_delivery.pk)
    monkeypatch.setattr(worker, "finish", real_finish)
    crm_delivery.refresh_from_db()
    assert crm_delivery.status == "pending" and superoffice.people == {"ida@example.org": 100}

    # The claim runs out; the sweep finds the delivery and it is sent again.
    Delivery.objects.filter(pk=crm_delivery.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1),
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1),
        task_id="",
    )
    assert tasks.sweep() == 1
    delivery = run(crm_delivery)
    assert delivery.status == "delivered"
    assert superoffice.people == {"ida@example.org": 100}
    creates = [r for r in superoffice.requests if r["method"] == "POST" and r["path"] == "/api/v1/Person"]
    assert len(creates) == 1


def test_superoffice_400_fails(superoffice, crm_delivery):
    superoffice.plan = [(400, {}, b'{"Error": "Bad request"}')]
    if superoffice.auth == "system_user":
        superoffice.plan.insert(0, (200, {}, fake_crm.recorded("superoffice_system_user_authenticated.json")))
    assert run(crm_delivery).status == "failed"


# --- file adapter and the sweep -----------------------------------------------------


def test_file_adapter_writes_one_json_line_per_delivery(settings, tmp_path, crm_delivery):
    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    run(crm_delivery)
    Delivery.objects.filter(pk=crm_delivery.pk).update(status="pending", claimed_until=None)
    run(crm_delivery)  # a repeat writes nothing new
    lines = (tmp_path / "crm.jsonl").read_text().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["person"]["email"] == "ida@example.org"


def test_sweep_reenqueues_deliveries_whose_task_was_lost(crm_delivery):
    from django_tasks_db.models import DBTaskResult

    assert tasks.sweep() == 0  # its task is still queued
    DBTaskResult.objects.all().delete()  # the queue was emptied
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(minutes=10))
    assert tasks.sweep() == 4
    assert tasks.sweep() == 0  # now they are queued again
    call_command("sweep_deliveries", verbosity=0)
