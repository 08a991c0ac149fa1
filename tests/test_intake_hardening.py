"""Edge cases found in review: redirects, duplicates, lost claims, odd input."""

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone, translation
from django_tasks_db import DatabaseBackend

from intake import tasks
from intake.admin_views import embed_snippet
from intake.models import Delivery, Registration
from intake.outbox import worker
from intake.outbox.adapters import base
from places.models import Adviser, Municipality
from tests import fake_crm
from tests.conftest import GUIDANCE
from tests.test_crm_bridge import private_key_pem, run, server, superoffice, webhook  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_a_redirect_from_the_crm_is_a_failure_not_a_delivery(webhook, submit):  # noqa: F811
    submit("/anmal-intresse/", GUIDANCE)
    webhook.plan = [(301, {"Location": webhook.url + "/elsewhere"}, b"")]
    delivery = run(Delivery.objects.get(channel="crm"))
    assert delivery.status == "failed" and "HTTP 301" in delivery.last_error
    assert [r["method"] for r in webhook.requests] == ["POST"]


def test_two_advisers_sharing_an_address_get_one_email_and_the_registration_is_stored(submit):
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    Adviser.objects.create(municipality=berg, name="Vikarie", email="KARIN.berg@example.org")
    response = submit("/anmal-intresse/", {**GUIDANCE, "municipality": "berg"})
    assert response.status_code == 302
    assert list(Delivery.objects.filter(channel="adviser_email").values_list("recipient", flat=True)) == [
        "karin.berg@example.org"
    ]


def test_a_failure_to_queue_loses_nothing_and_the_sweep_catches_up(submit, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("task queue unavailable")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    response = submit("/anmal-intresse/", GUIDANCE)
    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert set(Delivery.objects.values_list("task_id", flat=True)) == {""}
    monkeypatch.undo()  # the queue is back
    Delivery.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(hours=1))
    assert tasks.sweep() == 4


def test_a_database_failure_while_queueing_stores_nothing_and_keeps_the_answers(submit, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    response = submit("/anmal-intresse/", {**GUIDANCE, "message": "Vi flyttar i vår."})
    assert response.status_code == 503 and response["Retry-After"]
    page = response.content.decode()
    assert "Vi flyttar i vår." in page and GUIDANCE["email"] in page
    assert not Registration.objects.exists() and not Delivery.objects.exists()


def test_another_task_backend_is_asked_after_the_commit(submit, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert submit("/anmal-intresse/", GUIDANCE).status_code == 302
    assert set(Delivery.objects.values_list("task_id", flat=True)) == {""}  # nothing asked before the commit
    for callback in callbacks:
        callback()
    (queued,) = tasks.deliver_registration.get_backend().results
    assert set(Delivery.objects.values_list("task_id", flat=True)) == {str(queued.id)}


def test_the_person_id_is_kept_when_a_later_step_fails(superoffice, submit):  # noqa: F811
    submit("/anmal-intresse/", GUIDANCE)
    # Finding (nobody) and creating the person succeed; the consent call fails once.
    real_default = fake_crm.Handler.default
    calls = {"consent": 0}

    def flaky(handler, body):
        if "/Consent/" in handler.path and calls["consent"] == 0:
            calls["consent"] += 1
            return handler.reply(500, b"consent service down")
        return real_default(handler, body)

    fake_crm.Handler.default = flaky
    try:
        delivery = run(Delivery.objects.get(channel="crm"))
        assert delivery.status == "retrying" and delivery.crm_person_id == "100", delivery.last_error
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert run(delivery).status == "delivered"
    finally:
        fake_crm.Handler.default = real_default
    creates = [r for r in superoffice.requests if r["method"] == "POST" and r["path"] == "/api/v1/Person"]
    assert len(creates) == 1


def test_an_outcome_is_not_saved_by_a_worker_that_lost_its_claim(submit):
    submit("/anmal-intresse/", GUIDANCE)
    delivery = worker.claim(Delivery.objects.get(channel="crm").pk)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_until=timezone.now() + datetime.timedelta(minutes=30))
    assert worker.finish(delivery, Delivery.Status.DELIVERED) == "claim lost"
    assert Delivery.objects.get(pk=delivery.pk).status == "pending"


def test_confirming_after_unsubscribing_changes_nothing_and_the_crm_is_not_told_to_subscribe(submit):
    from intake.services import confirm_newsletter, unsubscribe_newsletter

    submit("/nyhetsbrev/", {"email": "nils@example.org", "language": "sv", "consent": "on"})
    registration = Registration.objects.get()
    unsubscribe_newsletter(registration)
    confirm_newsletter(registration)
    registration.refresh_from_db()
    assert registration.confirmed_at is None
    assert not registration.deliveries.filter(channel="crm", action="register").exists()


def test_a_subscription_unsubscribed_before_delivery_is_not_sent(submit, settings, tmp_path):
    from intake.services import confirm_newsletter

    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    submit("/nyhetsbrev/", {"email": "nils@example.org", "language": "sv", "consent": "on"})
    registration = Registration.objects.get()
    confirm_newsletter(registration)
    Registration.objects.update(unsubscribed_at=timezone.now())
    delivery = run(registration.deliveries.get(channel="crm", recipient=""))
    assert delivery.status == Delivery.Status.CANCELLED and "unsubscribed first" in delivery.last_error
    assert delivery.delivered_at is None
    assert not (tmp_path / "crm.jsonl").exists()


@pytest.mark.parametrize(
    "path", ["/berattelser/?kommun=%00&amne=%00", "/anmal-intresse/?kommun=%00", "/en/stories/?sida=%00"]
)
def test_odd_query_strings_get_a_normal_page(client, path):
    assert client.get(path).status_code == 200


def test_embed_code_is_swedish_and_escaped_whatever_the_admin_language():
    municipality = Municipality.objects.in_default_locale().get(slug="are")
    municipality.name = 'Åre "kommun"'
    with translation.override("en"):
        snippet = embed_snippet("https://tasteget.nu", municipality)
    assert 'src="https://tasteget.nu/embed/are/"' in snippet
    assert "Anmäl intresse för flyttvägledning – Åre &quot;kommun&quot;" in snippet


def test_retry_after_as_an_http_date_without_zone():
    class Answer:
        headers = {"Retry-After": "Wed, 21 Oct 2099 07:28:00 -0000"}

    assert base.retry_after_seconds(Answer()) > 0
