"""Answers from SuperOffice: signed webhook events (and polling) mark the
registration contacted and record the move status; forged, stale or
replayed events change nothing."""

import datetime
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from intake.answers import signature
from intake.models import CrmEvent, Delivery, Registration
from tests.conftest import GUIDANCE, run_worker
from tests.test_superoffice import drain, tenant  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

SECRET = "shared-webhook-secret"
URL = "/crm/superoffice/webhook/"


@pytest.fixture
def answered(tenant, settings, submit, django_user_model):  # noqa: F811
    """A delivered guidance registration whose follow-up Sara has completed in SuperOffice."""
    settings.SUPEROFFICE_ANSWERS = "webhook"
    settings.SUPEROFFICE_WEBHOOK_SECRET = SECRET
    settings.SUPEROFFICE_MOVE_STATUS_FIELD = tenant.move_field
    settings.SUPEROFFICE_MOVE_STATUS_MAP = {"31": "moved", "32": "not_moving"}
    submit("/anmal-intresse/", GUIDANCE)
    drain()
    (appointment,) = tenant.appointments.values()
    appointment["Completed"] = "Completed"
    tenant.sara = django_user_model.objects.create_user("sara", email="sara.are@example.org", password="x")
    return tenant


def event(name, key, **extra):
    return {
        "EventId": str(uuid.uuid4()),
        "Timestamp": timezone.now().isoformat(),
        "Event": name,
        "PrimaryKey": int(key),
        "Entity": name.split(".")[0],
        "ContextIdentifier": "Cust12345",
        "ChangedByAssociateId": 17,
        "WebhookName": "tasteget-answers",
        **extra,
    }


def post(client, payload, secret=SECRET, sign=True):
    body = json.dumps(payload).encode()
    headers = {"HTTP_X_SUPEROFFICE_SIGNATURE": signature(secret, body)} if sign else {}
    headers["HTTP_X_SUPEROFFICE_EVENT"] = payload.get("Event", "")
    return client.post(URL, body, content_type="application/json", **headers)


def followup_id():
    return Delivery.objects.get(channel="crm").crm_followup_id


def test_a_signed_appointment_changed_marks_the_registration_contacted(
    answered, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event("appointment.changed", followup_id()))
    assert response.status_code == 200
    run_worker()
    registration = Registration.objects.get(kind="guidance")
    assert registration.contact_status == "contacted"
    assert registration.contacted_at is not None and registration.contacted_by == answered.sara
    assert CrmEvent.objects.get().processed_at is not None


@pytest.mark.parametrize("forgery", ["wrong-secret", "unsigned", "tampered", "stale"])
def test_forged_or_stale_events_change_nothing(answered, client, django_capture_on_commit_callbacks, forgery):
    payload = event("appointment.changed", followup_id())
    body = json.dumps(payload).encode()
    headers = {"HTTP_X_SUPEROFFICE_SIGNATURE": signature(SECRET, body)}
    if forgery == "wrong-secret":
        headers["HTTP_X_SUPEROFFICE_SIGNATURE"] = signature("guessed", body)
    elif forgery == "unsigned":
        headers = {}
    elif forgery == "tampered":
        body = body.replace(b"appointment.changed", b"person.changed")
    else:
        payload["Timestamp"] = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
        body = json.dumps(payload).encode()
        headers = {"HTTP_X_SUPEROFFICE_SIGNATURE": signature(SECRET, body)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, body, content_type="application/json", **headers)
    assert response.status_code == 401
    run_worker()
    registration = Registration.objects.get(kind="guidance")
    assert registration.contacted_at is None and registration.contact_status == "new"
    assert not CrmEvent.objects.exists()


def test_a_replayed_event_gets_409_and_is_handled_once(answered, client, django_capture_on_commit_callbacks):
    payload = event("appointment.changed", followup_id())
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, payload).status_code == 200
        assert post(client, payload).status_code == 409
    reads = [r for r in answered.requests if r["path"].endswith(f"/Appointment/{followup_id()}")]
    run_worker()
    assert CrmEvent.objects.count() == 1
    assert len([r for r in answered.requests if r["path"].endswith(f"/Appointment/{followup_id()}")]) == len(reads) + 1


def test_an_unfinished_followup_does_not_count_as_contact(answered, client, django_capture_on_commit_callbacks):
    next(iter(answered.appointments.values()))["Completed"] = "NotStarted"
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, event("appointment.changed", followup_id())).status_code == 200
    run_worker()
    assert Registration.objects.get(kind="guidance").contacted_at is None


def test_the_move_status_comes_from_the_persons_field(answered, client, django_capture_on_commit_callbacks):
    person_id = Delivery.objects.get(channel="crm").crm_person_id
    answered.persons[int(person_id)]["CustomFields"][answered.move_field] = "31"
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, event("person.changed", person_id)).status_code == 200
    run_worker()
    registration = Registration.objects.get(kind="guidance")
    assert registration.contact_status == "moved" and registration.contacted_at is not None


def test_polling_feeds_the_same_handler(answered, settings):
    settings.SUPEROFFICE_ANSWERS = "poll"
    person_id = Delivery.objects.get(channel="crm").crm_person_id
    answered.persons[int(person_id)]["CustomFields"][answered.move_field] = "32"
    out = io.StringIO()
    call_command("crm_poll", stdout=out)
    registration = Registration.objects.get(kind="guidance")
    assert registration.contacted_by == answered.sara and registration.contact_status == "not_moving"
    assert "2 registration(s) changed." in out.getvalue()
    call_command("crm_poll", stdout=out)  # nothing new: nothing changes
    assert out.getvalue().endswith("0 registration(s) changed.\n")


def test_the_webhook_is_registered_once_and_updated(answered, settings):
    out = io.StringIO()
    call_command("crm_webhooks", "register", "--url", "https://tasteget.nu/crm/superoffice/webhook/", stdout=out)
    call_command("crm_webhooks", "register", "--url", "https://www.tasteget.nu/crm/superoffice/webhook/", stdout=out)
    (hook,) = answered.webhooks.values()
    assert hook["TargetUrl"] == "https://www.tasteget.nu/crm/superoffice/webhook/"
    assert hook["Secret"] == SECRET and set(hook["Events"]) == {"appointment.changed", "person.changed"}
    assert "Created webhook" in out.getvalue() and "Updated webhook" in out.getvalue()
