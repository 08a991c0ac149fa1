"""One case per person: registering again adds to the open case, never a second one.

Same e-mail (any case, any spaces) and the same municipality while the case
is open: one registration, the new answers on it and the earlier ones in its
history, the advisers told "again", the CRM's person updated, a confirmation
to the person, and a thank-you page that reads exactly like a first one.
"""

import json
import re
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from intake import cases, services
from intake.choices import ContactStatus
from intake.models import Delivery, Registration, RegistrationUpdate
from intake.personal_data import erase_person, find_person
from places.models import Adviser, Municipality
from tests.conftest import GUIDANCE, form_values
from tests.test_crm_bridge import due_now, run
from tests.test_superoffice import drain, tenant  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

ARE_ADVISERS = {"oskar.are@example.org", "sara.are@example.org"}
AGAIN = {
    **GUIDANCE,
    "email": "  IDA@Example.org ",
    "phone": "070-999 88 77",
    "topics": ["housing", "school"],
    "message": "Vi har hittat ett hus i Järpen.",
}


def send_everything():
    """The worker: every open delivery, oldest first, until none is left."""
    for _round in range(4):
        open_ = list(Delivery.objects.filter(status__in=Delivery.OPEN).order_by("pk"))
        if not open_:
            return
        for delivery in open_:
            due_now(delivery)
            run(delivery)


@pytest.fixture
def crm_file(settings, tmp_path):
    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    return settings.CRM_FILE_PATH


def crm_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_registering_again_for_the_same_municipality_adds_to_the_open_case(submit, crm_file):
    submit("/anmal-intresse/", {**GUIDANCE, "message": "Vi funderar på Åre."})
    send_everything()
    first_mails = len(mail.outbox)
    submit("/anmal-intresse/", AGAIN)
    send_everything()

    registration = Registration.objects.get()
    assert registration.phone == "+46709998877"
    assert registration.topics == ["housing", "school"]
    assert registration.message == "Vi har hittat ett hus i Järpen."
    update = registration.updates.get()
    assert update.kind == "again"
    assert set(update.changed) == {"phone", "topics", "message"}
    assert update.earlier == {"phone": "+46701234567", "topics": ["jobs", "housing"], "message": "Vi funderar på Åre."}

    again = mail.outbox[first_mails:]
    to_advisers = [m for m in again if m.to[0] in ARE_ADVISERS]
    assert {m.to[0] for m in to_advisers} == ARE_ADVISERS and len(to_advisers) == 2
    assert all("igen" in m.subject for m in to_advisers)
    assert "Telefon" in to_advisers[0].body and "Meddelande" in to_advisers[0].body
    for private in ("Järpen", "+4670", "ida@example.org"):  # what changed is named, not quoted
        assert private not in to_advisers[0].body
    confirmations = [m for m in mail.outbox if m.to[0].strip().lower() == "ida@example.org"]
    assert len(confirmations) == 2

    lines = crm_lines(crm_file)
    assert [line["action"] for line in lines] == ["register", "update"]
    assert {line["person_key"] for line in lines} == {lines[0]["person_key"]}
    assert lines[1]["registration_id"] == registration.pk
    assert sorted(lines[1]["update"]["changed"]) == ["message", "phone", "topics"]
    crm_people = set(Delivery.objects.filter(channel="crm").values_list("crm_person_id", flat=True))
    assert len(crm_people) == 1


def test_the_advisers_page_shows_the_history(submit, admin_client):
    submit("/anmal-intresse/", {**GUIDANCE, "message": "Vi funderar på Åre."})
    submit("/anmal-intresse/", AGAIN)
    registration = Registration.objects.get()
    page = admin_client.get(f"/admin/registrations/inspect/{registration.pk}/").content.decode()
    assert "Vi funderar på Åre." in page and "Vi har hittat ett hus i Järpen." in page


# Headers that differ between any two responses (the clock, the request's id, the token).
PER_RESPONSE = ("date", "expires", "location", "x-request-id")


def test_the_screen_answer_is_the_same_for_a_first_registration_and_a_repeat(submit, client):
    def answer(data):
        response = submit("/anmal-intresse/", data)
        thanks = client.get(response["Location"])
        location = re.sub(r"r=[^&]+", "r=…", response["Location"])
        headers = {key: value for key, value in response.items() if key.lower() not in PER_RESPONSE}
        page = re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]+"', "", thanks.content.decode())
        page = re.sub(r"r=[A-Za-z0-9_\-]+", "r=…", page)
        page = re.sub(r'nonce="[^"]+"', "", page)
        return response.status_code, location, headers, thanks.status_code, page

    first = answer(GUIDANCE)
    repeat = answer(AGAIN)
    assert Registration.objects.count() == 1
    assert first[:2] == repeat[:2]
    assert first[2] == repeat[2]
    assert first[3:] == repeat[3:]


def test_the_same_form_sent_twice_adds_once(submit, client):
    page = client.get("/anmal-intresse/")
    data = {**form_values(page.content.decode()), **GUIDANCE}
    assert client.post("/anmal-intresse/", data).status_code == 302
    assert client.post("/anmal-intresse/", data).status_code == 302  # a double click
    page = client.get("/anmal-intresse/")
    data = {**form_values(page.content.decode()), **AGAIN}
    client.post("/anmal-intresse/", data)
    client.post("/anmal-intresse/", data)
    registration = Registration.objects.get()
    assert registration.updates.count() == 1
    assert registration.deliveries.filter(channel="crm").count() == 2


def test_a_case_opened_at_the_same_moment_is_added_to_not_doubled(submit):
    """Two registrations of one person racing: both looked and found no case;
    the second insert meets the database's guard and adds to the first."""
    submit("/anmal-intresse/", GUIDANCE)
    real = services.cases_of_person
    calls = []

    def missed_the_first(registration):
        calls.append(1)
        return (None, []) if len(calls) == 1 else real(registration)

    with mock.patch.object(services, "cases_of_person", missed_the_first):
        submit("/anmal-intresse/", AGAIN)
    assert len(calls) == 2
    assert Registration.objects.count() == 1
    assert Registration.objects.get().updates.count() == 1


def test_the_database_refuses_a_second_open_case_for_one_person():
    first = Registration.objects.create(
        kind="guidance",
        municipality=Municipality.objects.in_default_locale().get(slug="are"),
        source="x",
        language="sv",
        submission_key="a",
        email="ida@example.org",
        case_key=cases.case_key("guidance", "ida@example.org", 1),
    )
    with pytest.raises(IntegrityError):
        Registration.objects.create(
            kind="guidance",
            municipality=first.municipality,
            source="x",
            language="sv",
            submission_key="b",
            email="IDA@example.org ",
            case_key=cases.case_key("guidance", " IDA@example.org", 1),
        )


@pytest.mark.parametrize("status", [ContactStatus.MOVED, ContactStatus.NOT_MOVING])
def test_a_closed_case_makes_way_for_a_new_one(submit, status):
    submit("/anmal-intresse/", GUIDANCE)
    Registration.objects.update(contact_status=status)
    submit("/anmal-intresse/", AGAIN)
    assert Registration.objects.count() == 2
    assert Registration.objects.exclude(case_key="").count() == 1


def test_an_old_case_makes_way_for_a_new_one(submit, settings):
    settings.INTAKE_CASE_OPEN_DAYS = 30
    submit("/anmal-intresse/", GUIDANCE)
    Registration.objects.update(created_at=timezone.now() - timezone.timedelta(days=31))
    submit("/anmal-intresse/", AGAIN)
    assert Registration.objects.count() == 2


def test_another_municipality_opens_a_case_there_and_both_advisers_are_told(submit, crm_file):
    ostersund_advisers = set(
        Adviser.objects.serving(Municipality.objects.in_default_locale().get(slug="ostersund")).values_list(
            "email", flat=True
        )
    )
    assert ostersund_advisers and not ostersund_advisers & ARE_ADVISERS
    submit("/anmal-intresse/", GUIDANCE)
    send_everything()
    sent_before = len(mail.outbox)
    submit("/anmal-intresse/", {**AGAIN, "municipality": "ostersund"})
    send_everything()

    are, ostersund = Registration.objects.order_by("pk")
    assert ostersund.municipality.slug == "ostersund"
    note = are.updates.get()
    assert note.kind == "elsewhere" and note.other == ostersund
    new_mails = mail.outbox[sent_before:]
    to_are = [m for m in new_mails if m.to[0] in ARE_ADVISERS]
    assert len(to_are) == 2 and all("Östersund" in m.body for m in to_are)
    to_ostersund = [m for m in new_mails if m.to[0] in ostersund_advisers]
    assert len(to_ostersund) == len(ostersund_advisers)
    assert all("Åre" in m.body for m in to_ostersund)  # the new adviser hears of the open case too
    assert [line["action"] for line in crm_lines(crm_file)] == ["register", "register"]


def test_a_newsletter_signup_three_times_is_one_row(submit):
    data = {"email": "nils@example.org", "language": "sv", "consent": "on"}
    submit("/nyhetsbrev/", data)
    submit("/nyhetsbrev/", {**data, "email": "Nils@Example.org"})
    send_everything()
    assert Registration.objects.filter(kind="newsletter").count() == 1
    confirmations = [m for m in mail.outbox if m.to[0].lower() == "nils@example.org"]
    assert len(confirmations) == 2  # not yet confirmed: the link again

    services.confirm_newsletter(Registration.objects.get())
    send_everything()
    sent = len(mail.outbox)
    submit("/nyhetsbrev/", data)
    send_everything()
    assert Registration.objects.filter(kind="newsletter").count() == 1
    assert len(mail.outbox) == sent  # confirmed: nothing visible
    assert Delivery.objects.filter(channel="crm").count() == 1


def test_the_confirmation_cap_per_address_still_holds_for_repeats(submit, settings):
    settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY = 2
    data = {"email": "nils@example.org", "language": "sv", "consent": "on"}
    for _time in range(4):
        assert submit("/nyhetsbrev/", data).status_code == 302
    assert Registration.objects.count() == 1
    assert Delivery.objects.filter(channel="confirmation_email").count() == 2


def test_an_unsubscribed_address_may_subscribe_again(submit):
    data = {"email": "nils@example.org", "language": "sv", "consent": "on"}
    submit("/nyhetsbrev/", data)
    services.unsubscribe_newsletter(Registration.objects.get())
    submit("/nyhetsbrev/", data)
    assert Registration.objects.filter(kind="newsletter").count() == 2


def test_erasure_removes_the_history_too(submit):
    submit("/anmal-intresse/", {**GUIDANCE, "message": "Vi funderar på Åre."})
    submit("/anmal-intresse/", AGAIN)
    held = find_person(phone="46701234567")  # the earlier number is found, from the history
    assert len(held.rows) == 1
    erasure = mock.Mock(now=timezone.now(), crm_deliveries=[])
    erase_person(find_person(email="ida@example.org"), erasure)
    assert not RegistrationUpdate.objects.exists()
    registration = Registration.objects.get()
    assert registration.case_key == "" and registration.email == ""
    assert not Delivery.objects.filter(status__in=Delivery.OPEN).exists()


def test_superoffice_updates_the_person_it_has(tenant, submit):  # noqa: F811 - the fixture

    submit("/anmal-intresse/", GUIDANCE)
    drain()
    submit("/anmal-intresse/", {**AGAIN, "newsletter_opt_in": "on"})
    drain()
    assert len(tenant.persons) == 1
    assert len(tenant.appointments) == 1
    person_id = next(iter(tenant.persons))
    assert (person_id, "EMARKETING", "WEBFORM", "61A") in tenant.consents
    update = Delivery.objects.get(channel="crm", action="update")
    assert update.status == "delivered" and update.crm_person_id == str(person_id)
