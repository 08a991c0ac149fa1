"""Registrations from tasteget.nu: stored once, routed, with consent and outbox."""

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from intake import tasks
from intake.models import Delivery, Registration
from intake.working_days import add_working_days
from tests.conftest import GUIDANCE, form_values, run_worker

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("registered", "due"),
    [
        (datetime.date(2026, 12, 23), datetime.date(2027, 1, 5)),
        (datetime.date(2026, 6, 17), datetime.date(2026, 6, 25)),
        (datetime.date(2026, 11, 27), datetime.date(2026, 12, 4)),  # a Friday: the weekend is skipped
    ],
)
def test_first_contact_is_due_five_swedish_working_days_later(registered, due):
    assert add_working_days(registered, 5) == due


def test_guidance_registration_is_stored_with_consent_due_date_and_outbox(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit("/anmal-intresse/", GUIDANCE)
    assert response.status_code == 302
    registration = Registration.objects.get(email="ida@example.org")
    assert registration.municipality.slug == "are" and registration.municipality.locale.language_code == "sv"
    assert registration.source == "tasteget.nu" and registration.language == "sv"
    assert registration.topics == ["jobs", "housing"] and registration.children == 1
    assert registration.phone == "+46701234567"
    assert registration.due_date == add_working_days(timezone.localdate(), 5)
    assert registration.consent.version == "2026-1" and registration.consent.purpose == "guidance"
    assert registration.consent.text.startswith("Jag samtycker")
    channels = sorted((d.channel, d.recipient) for d in registration.deliveries.all())
    assert channels == [
        ("adviser_email", "oskar.are@example.org"),
        ("adviser_email", "sara.are@example.org"),
        ("confirmation_email", "ida@example.org"),
        ("crm", ""),
    ]
    assert all(d.task_id for d in registration.deliveries.all())  # enqueued after commit

    thanks = response.client.get(response["Location"])
    assert "Åre kommun" in thanks.content.decode()


def test_undecided_goes_to_the_region_and_its_advisers(submit):
    submit("/anmal-intresse/", {**GUIDANCE, "municipality": "region"})
    registration = Registration.objects.get()
    assert registration.municipality.is_region
    assert [d.recipient for d in registration.deliveries.filter(channel="adviser_email")] == [
        "frida.region@example.org"
    ]


def test_emails_are_sent_by_the_worker_and_hold_no_personal_data_beyond_a_first_name(submit):
    submit("/en/register/", {**GUIDANCE, "message": "Secret plans <b>here</b>"})
    registration = Registration.objects.get()
    assert mail.outbox == []  # nothing is sent in the request
    for delivery in registration.deliveries.exclude(channel="crm"):
        assert tasks.deliver.call(delivery.pk) == "delivered"
    adviser_mails = [m for m in mail.outbox if m.to == ["sara.are@example.org"]]
    assert len(adviser_mails) == 1
    body = adviser_mails[0].body
    assert "Ida" in body and f"/admin/registrations/inspect/{registration.pk}/" in body
    for private in ("Ström", "ida@example.org", "+4670", "Secret plans", "Trondheim"):
        assert private not in body
    confirmation = next(m for m in mail.outbox if m.to == ["ida@example.org"])
    assert "Sara Lind" in confirmation.body  # names the adviser, in English
    assert "within five working days" in confirmation.body
    assert registration.due_date.strftime("%-d") in confirmation.body


def test_double_submit_of_one_form_stores_one_registration(client):
    html = client.get("/anmal-intresse/").content.decode()
    data = {**form_values(html), **GUIDANCE}
    first = client.post("/anmal-intresse/", data)
    second = client.post("/anmal-intresse/", data)
    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1
    assert Delivery.objects.count() == 4


def test_missing_and_bad_fields_get_clear_errors_and_keep_valid_answers(submit):
    response = submit(
        "/en/register/",
        {**GUIDANCE, "first_name": "", "email": "not-an-address", "preferred_contact": "phone", "phone": ""},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-summary" role="alert"' in body
    assert '<a href="#id_first_name">First name: Enter your first name.</a>' in body
    assert "Enter an e-mail address in the form name@example.org." in body
    assert "Give a phone number, since you want us to call you." in body
    assert 'value="Ström"' in body and "Vi vill bo nära fjällen." in body
    assert "<title>Error:" in body
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"municipality": "stockholm"}, "Select a valid choice"),
        ({"consent_version": "1999-9"}, "The consent text you saw is not known"),
        ({"form_token": "forged:token"}, "The form could not be verified"),
        ({"website": "http://spam.example"}, "Leave this field empty"),
        ({"phone": "12"}, "Enter a phone number"),
        ({"first_name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({"consent": ""}, "You need to agree before we can store your details."),
        ({"adults": "-1"}, "Ensure this value is greater than or equal to 1"),
    ],
)
def test_forged_or_bad_input_is_rejected_with_an_error_not_a_500(submit, override, message):
    response = submit("/en/register/", {**GUIDANCE, **override})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Registration.objects.count() == 0


def test_a_token_for_another_form_is_rejected(client, submit):
    magazine_html = client.get("/bestall-magasinet/").content.decode()
    token = form_values(magazine_html)["form_token"]
    response = submit("/en/register/", {**GUIDANCE, "form_token": token})
    assert "The form could not be verified" in response.content.decode()


@override_settings(INTAKE_MIN_FILL_SECONDS=30)
def test_a_form_sent_faster_than_a_person_can_is_not_stored(submit):
    response = submit("/en/register/", GUIDANCE)
    assert "quicker than a person can fill in the form" in response.content.decode()
    assert Registration.objects.count() == 0


@override_settings(INTAKE_RATE_LIMIT=2)
def test_rate_limit_answers_429_and_keeps_the_answers(client):
    statuses = []
    for index in range(3):
        html = client.get("/en/register/").content.decode()
        response = client.post("/en/register/", {**form_values(html), **GUIDANCE, "email": f"p{index}@example.org"})
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert "Too many forms have been sent from your address" in response.content.decode()
    assert 'value="p2@example.org"' in response.content.decode()
    assert Registration.objects.count() == 2


def test_html_in_any_field_is_shown_as_text(submit, admin_client):
    script = "<script>alert(1)</script>"
    submit("/en/register/", {**GUIDANCE, "first_name": script, "message": script})
    registration = Registration.objects.get()
    assert registration.first_name == script  # stored as given, escaped on output
    for url in (f"/admin/registrations/inspect/{registration.pk}/", "/admin/registrations/"):
        body = admin_client.get(url).content.decode()
        assert script not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


MAGAZINE = {
    "first_name": "Per",
    "last_name": "Lund",
    "street_address": "Storgatan 1",
    "postal_code": "831 30",
    "town": "Östersund",
    "country": "Sverige",
    "consent": "on",
}


def test_one_magazine_order_per_address_and_issue(submit):
    first = submit("/bestall-magasinet/", MAGAZINE)
    assert first.status_code == 302
    again = submit(
        "/bestall-magasinet/", {**MAGAZINE, "street_address": "storgatan  1", "postal_code": "83130"}, follow=True
    )
    assert again.status_code == 200
    # Looks exactly like a first order: no one learns whether an address ordered.
    assert "Vi har redan en beställning" not in again.content.decode()
    assert Registration.objects.filter(kind="magazine").count() == 1
    order = Registration.objects.get(kind="magazine")
    assert order.magazine_issue == "2026:1" and order.fulfilment == "new"
    assert order.consent.purpose == "magazine"


def test_the_worker_delivers_a_new_registration_one_task_per_delivery(
    submit, django_capture_on_commit_callbacks, settings, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        submit("/anmal-intresse/", GUIDANCE)
    # While the visitor waits: one task, stored with the registration, named on every delivery.
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "intake.tasks.deliver_registration"
    assert set(Delivery.objects.values_list("task_id", flat=True)) == {str(queued.id)}
    run_worker()
    # Then one task per delivery: the e-mails never wait behind the CRM.
    assert DBTaskResult.objects.filter(task_path="intake.tasks.deliver").count() == 4
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert len(mail.outbox) == 3  # two advisers and the confirmation
    assert (tmp_path / "crm.jsonl").read_text().count("\n") == 1


def test_rate_limit_uses_the_address_the_trusted_proxy_saw(rf, settings):
    from intake.ratelimit import client_key

    request = rf.post("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_key(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_key(request) == "203.0.113.9"  # the forged first entry is ignored
