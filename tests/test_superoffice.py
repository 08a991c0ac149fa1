"""The SuperOffice adapter against a strict SuperOffice tenant (tests/fake_superoffice.py).

All three kinds of registration go through the adapter while the tenant
fails (500, 503, 429 with Retry-After, an answer lost after a create, a move
to another server) and recovers: exactly one person each, exactly one
follow-up per guidance registration, with a real type and task, owned by the
chosen municipality's adviser.
"""

import datetime

import pytest
from django.utils import translation

from intake.choices import Topic
from intake.models import Delivery, Registration
from intake.outbox.adapters import superoffice
from intake.services import confirm_newsletter
from places.models import Adviser, Municipality
from tests import fake_superoffice
from tests.conftest import GUIDANCE
from tests.test_crm_bridge import due_now, private_key_pem, run  # noqa: F401 - a fixture
from tests.test_intake_registration import MAGAZINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(settings):
    server = fake_superoffice.start()
    settings.CRM_BACKEND = "superoffice"
    settings.CRM_RATE_PER_SECOND = {"superoffice": 1000.0}
    settings.SUPEROFFICE_API_URL = server.api_url
    settings.SUPEROFFICE_USERNAME = fake_superoffice.USERNAME
    settings.SUPEROFFICE_PASSWORD = fake_superoffice.PASSWORD
    settings.SUPEROFFICE_MUNICIPALITY_FIELD = server.list_field
    settings.SUPEROFFICE_FALLBACK_OWNER_ID = 0
    settings.SUPEROFFICE_TENANT_STATE_URL = server.url + "/api/state/{context}"
    settings.SUPEROFFICE_CONTEXT_IDENTIFIER = fake_superoffice.CONTEXT
    superoffice.SuperOfficeAdapter._moved_to = None
    superoffice.SuperOfficeAuth._ticket = None
    Adviser.objects.filter(email="sara.are@example.org").update(crm_owner_id=17)
    Municipality.objects.filter(slug="are").update(crm_list_item_id=12)
    Municipality.objects.filter(slug="ostersund").update(crm_list_item_id=13)
    yield server
    server.shutdown()
    superoffice.SuperOfficeAdapter._moved_to = None


def register_all_three(submit):
    submit("/anmal-intresse/", GUIDANCE)
    submit("/bestall-magasinet/", MAGAZINE)  # no e-mail
    submit("/nyhetsbrev/", {"email": "nils@example.org", "language": "sv", "consent": "on"})
    confirm_newsletter(Registration.objects.get(kind="newsletter"))


def drain(rounds=6):
    """Send every open CRM delivery, letting time pass between rounds."""
    for _round in range(rounds):
        open_ = list(Delivery.objects.filter(channel="crm", status__in=["pending", "retrying"]))
        if not open_:
            return
        for delivery in open_:
            due_now(delivery)
            run(delivery)


def person_named(tenant, **fields):
    found = [p for p in tenant.persons.values() if all(p.get(key) == value for key, value in fields.items())]
    assert len(found) == 1, (fields, tenant.persons)
    return found[0]


FAILURES = {
    "500": lambda t: t.plan.append((500, {}, fake_superoffice.error("SoException", "Internal error"))),
    "503": lambda t: t.fail_on.setdefault(("POST", "Person"), []).append((503, {"Retry-After": "120"}, b"busy")),
    "429": lambda t: t.fail_on.setdefault(("POST", "Appointment"), []).append((429, {"Retry-After": "30"}, b"")),
    "person-answer-lost": lambda t: t.fail_on.setdefault(("POST", "Person"), []).extend([("lose",)] * 3),
    "followup-answer-lost": lambda t: t.fail_on.setdefault(("POST", "Appointment"), []).append(("lose",)),
    "tenant-moved": lambda t: t.move(),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_three_kinds_reach_superoffice_once_through_failures(tenant, submit, failure):
    register_all_three(submit)
    FAILURES[failure](tenant)
    drain()

    crm_rows = Delivery.objects.filter(channel="crm")
    assert {row.status for row in crm_rows} == {"delivered"}, [row.last_error for row in crm_rows]
    assert len(tenant.persons) == 3
    ida = person_named(tenant, Firstname="Ida", Lastname="Ström")
    per = person_named(tenant, Firstname="Per", Lastname="Lund")
    nils = person_named(tenant, Lastname="Prenumerant (Ta steget)")
    assert nils["Emails"][0]["Value"] == "nils@example.org" and nils["Firstname"] == ""
    assert ida["CustomFields"][tenant.list_field] == "12"
    assert per["CustomFields"][tenant.list_field] == ""  # the Region is no list item
    assert per["Address"]["Postal"] == {"Address1": "Storgatan 1", "Zipcode": "831 30", "City": "Östersund"}

    assert len(tenant.appointments) == 1
    (appointment,) = tenant.appointments.values()
    assert appointment["Type"] == "inDiary" and appointment["Task"]["TaskListItemId"] == 3
    assert appointment["Associate"] == {"AssociateId": 17}
    assert appointment["Person"] == {"PersonId": ida["PersonId"]}
    start = datetime.datetime.fromisoformat(appointment["StartDate"])
    assert start.utcoffset() is not None and start.date() == Registration.objects.get(kind="guidance").due_date
    guidance = crm_rows.get(registration__kind="guidance")
    assert guidance.crm_followup_id == str(appointment["AppointmentId"])
    assert guidance.crm_person_id == str(ida["PersonId"])
    consents = {(person_id, purpose, legal) for person_id, purpose, _source, legal in tenant.consents}
    assert consents == {
        (ida["PersonId"], "STORE", "61A"),
        (per["PersonId"], "STORE", "61A"),
        (nils["PersonId"], "EMARKETING", "61A"),
    }
    if failure == "tenant-moved":
        paths = {request["path"].split("/api/")[0] for request in tenant.requests if "/api/v1/" in request["path"]}
        assert len(paths) == 2  # once at the old address, then only the new one
        assert superoffice.SuperOfficeAdapter.api_url() == tenant.api_url


def test_a_moved_tenant_is_found_through_the_system_users_login(tenant, settings, submit, private_key_pem):  # noqa: F811
    settings.SUPEROFFICE_USERNAME = ""
    settings.SUPEROFFICE_TENANT_STATE_URL = ""
    settings.SUPEROFFICE_SYSTEM_USER_TOKEN = "Tasteget-1234"
    settings.SUPEROFFICE_CLIENT_SECRET = fake_superoffice.APP_TOKEN
    settings.SUPEROFFICE_PRIVATE_KEY = private_key_pem
    settings.SUPEROFFICE_LOGIN_URL = tenant.url + "/Login/api/PartnerSystemUser/Authenticate"
    tenant.move()  # before the login: its JWT's webapi_url says where the tenant is now
    submit("/anmal-intresse/", GUIDANCE)
    drain()
    assert Delivery.objects.get(channel="crm").status == "delivered"
    assert len(tenant.persons) == 1 and len(tenant.appointments) == 1


def test_a_redirect_without_a_state_api_is_temporary_and_says_why(tenant, settings, submit):
    settings.SUPEROFFICE_TENANT_STATE_URL = ""
    tenant.move()
    submit("/anmal-intresse/", GUIDANCE)
    delivery = run(Delivery.objects.get(channel="crm"))
    assert delivery.status == "retrying" and "tenant has probably moved" in delivery.last_error
    assert not tenant.persons


def test_wrong_credentials_fail_with_superoffices_error(tenant, settings, submit):
    settings.SUPEROFFICE_PASSWORD = "wrong"
    submit("/anmal-intresse/", GUIDANCE)
    delivery = run(Delivery.objects.get(channel="crm"))
    assert delivery.status == "failed" and "SoCredentialsException" in delivery.last_error


def test_a_returning_persons_new_municipality_is_written(tenant, submit):
    tenant.persons[50] = {
        "PersonId": 50,
        "Firstname": "Ida",
        "Lastname": "Ström",
        "Emails": [{"Value": "ida@example.org"}],
        "CustomFields": {tenant.list_field: "13"},
    }
    submit("/anmal-intresse/", GUIDANCE)  # now she chooses Åre
    drain()
    assert len(tenant.persons) == 1
    assert tenant.persons[50]["CustomFields"][tenant.list_field] == "12"
    assert tenant.patches == [(50, [{"op": "replace", "path": f"CustomFields/{tenant.list_field}", "value": "12"}])]


def test_an_adviser_without_owner_id_fails_clearly_instead_of_owning_by_the_api_user(tenant, settings, submit):
    Adviser.objects.update(crm_owner_id=None)
    submit("/anmal-intresse/", GUIDANCE)
    delivery = run(Delivery.objects.get(channel="crm"))
    assert delivery.status == "failed" and "CRM owner id" in delivery.last_error
    assert not tenant.appointments and delivery.crm_person_id  # the person is kept for the retry

    settings.SUPEROFFICE_FALLBACK_OWNER_ID = 19
    Delivery.objects.filter(pk=delivery.pk).update(status="retrying")
    drain()
    (appointment,) = tenant.appointments.values()
    assert appointment["Associate"] == {"AssociateId": 19}
    assert len(tenant.persons) == 1


def test_tenants_with_mandatory_company_get_the_configured_one(tenant, settings, submit):
    tenant.mandatory_contact = True
    submit("/anmal-intresse/", GUIDANCE)
    delivery = run(Delivery.objects.get(channel="crm"))
    assert delivery.status == "failed" and "MandatoryContactOnPerson" in delivery.last_error

    settings.SUPEROFFICE_PERSON_CONTACT_ID = 1
    Delivery.objects.filter(pk=delivery.pk).update(status="retrying")
    drain()
    assert person_named(tenant, Firstname="Ida")["Contact"] == {"ContactId": 1}


def test_the_guidance_forms_newsletter_wish_sends_emarketing_consent(tenant, submit):
    submit("/anmal-intresse/", {**GUIDANCE, "newsletter_opt_in": "on"})
    drain()
    assert {purpose for _id, purpose, _source, _legal in tenant.consents} == {"STORE", "EMARKETING"}


def test_a_repeated_magazine_order_without_email_finds_the_same_person(tenant, submit):
    submit("/bestall-magasinet/", MAGAZINE)
    drain()
    Registration.objects.update(magazine_issue="2025:2")  # last year's order; now the new issue
    submit("/bestall-magasinet/", {**MAGAZINE, "street_address": "Storgatan 1"})
    drain()
    assert Registration.objects.count() == 2
    assert len(tenant.persons) == 1
    assert {row.crm_person_id for row in Delivery.objects.filter(channel="crm")} == {str(next(iter(tenant.persons)))}


def test_the_description_is_readable_swedish_and_within_superoffices_limit(tenant, submit):
    submit("/anmal-intresse/", {**GUIDANCE, "message": "Långt meddelande. " * 110})
    drain()
    (appointment,) = tenant.appointments.values()
    person = person_named(tenant, Firstname="Ida")
    with translation.override("sv"):
        jobs, housing = str(Topic.JOBS.label), str(Topic.HOUSING.label)
    for description in (appointment["Description"], person["Description"]):
        assert len(description) <= 2047
        assert f"{jobs}, {housing}" in description and "jobs, housing" not in description
    assert appointment["Description"].startswith(superoffice.MARKER_PREFIX) and appointment["Description"].endswith("…")


def test_a_meetup_sign_up_is_a_person_with_consent_and_an_appointment_at_the_meetup(tenant, submit):
    from events.models import EventPage

    event = EventPage.objects.get(slug="vandring-i-funasdalen", locale__language_code="sv")
    for adviser in Adviser.objects.serving(event.municipality):
        Adviser.objects.filter(pk=adviser.pk).update(crm_owner_id=17)
    submit(event.url, {"first_name": "Maja", "last_name": "Fjäll", "email": "maja@example.org", "consent": "on"})
    drain()

    (delivery,) = Delivery.objects.filter(channel="crm")
    assert delivery.status == "delivered", delivery.last_error
    maja = person_named(tenant, Firstname="Maja", Lastname="Fjäll")
    assert {(p, purpose) for p, purpose, _source, _legal in tenant.consents} == {(maja["PersonId"], "STORE")}
    (appointment,) = tenant.appointments.values()
    assert appointment["Person"] == {"PersonId": maja["PersonId"]}
    assert appointment["Associate"] == {"AssociateId": 17}
    assert datetime.datetime.fromisoformat(appointment["StartDate"]) == event.start
    assert datetime.datetime.fromisoformat(appointment["EndDate"]) == event.end
    assert "Höstvandring i Funäsdalen" in appointment["Title"]
    assert delivery.crm_followup_id == str(appointment["AppointmentId"])
