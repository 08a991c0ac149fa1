"""The data protection officer's person view (privacy/): find one person by
e-mail or phone, see where each piece comes from and when it goes, export
it, erase it (the CRM told through the outbox), and the access log."""

import datetime
import hashlib
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from ambassadors.models import Ambassador, AmbassadorApplication
from intake import retention
from intake.choices import Kind
from intake.models import AccessLogEntry, Delivery, Registration, prune_access_log
from privacy.models import ErasureReceipt
from tasteget.tasks import send_email
from tests import fake_crm
from tests.conftest import run_worker
from tests.factories import DeliveryFactory, MunicipalityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

EMAIL = "Sara.Lind@example.org"
OTHER = "someone.else@example.org"


def login_as(client, django_user_model, group_name, username="dpo"):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


@pytest.fixture
def dpo(client, django_user_model):
    login_as(client, django_user_model, "Dataskyddsombud")
    return client


@pytest.fixture
def crm(settings):
    server = fake_crm.start()
    settings.CRM_BACKEND = "webhook"
    settings.CRM_WEBHOOK_URL = server.url + "/hook"
    settings.CRM_WEBHOOK_SECRET = "a-test-secret"
    yield server
    server.shutdown()


@pytest.fixture
def sara():
    """Sara: a guidance registration and a newsletter subscription in the CRM,
    an ambassador application and profile; Other: someone else."""
    municipality = MunicipalityFactory()
    guidance = RegistrationFactory(
        email=EMAIL.lower(), first_name="Sara", phone="070-111 22 33", municipality=municipality, message="=1+2"
    )
    DeliveryFactory(registration=guidance, status="delivered", delivered_at=timezone.now(), crm_person_id="501")
    newsletter = RegistrationFactory(
        kind=Kind.NEWSLETTER, email=EMAIL, first_name="", municipality=municipality, confirmed_at=timezone.now()
    )
    DeliveryFactory(registration=newsletter, status="delivered", delivered_at=timezone.now(), crm_person_id="501")
    other = RegistrationFactory(email=OTHER, first_name="Olle", municipality=municipality)
    DeliveryFactory(registration=other, status="delivered", delivered_at=timezone.now(), crm_person_id="777")
    application = AmbassadorApplication.objects.create(
        name="Sara Lind",
        email=EMAIL,
        phone="+46 70 111 22 33",
        municipality=municipality,
        languages="sv",
        text="Hej",
        consent_text="…",
        consent_version="2026-1",
        consent_language="sv",
        submission_key="app-1",
    )
    ambassador = Ambassador.objects.create(
        name="Sara", municipality=municipality, languages="sv", text="Hej", email=EMAIL.upper()
    )
    log(instance=application, action="wagtail.edit")
    log(instance=ambassador, action="wagtail.edit")
    return {"guidance": guidance, "newsletter": newsletter, "other": other, "application": application}


def test_the_data_protection_officer_group_has_the_person_view_and_nothing_else():
    group = Group.objects.get(name="Dataskyddsombud")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == {"access_admin", "view_person"}


@pytest.mark.parametrize("group", ["Editors", "Region: anmälningar", "Ambassadörssamordnare"])
def test_other_staff_cannot_reach_the_person_view(client, django_user_model, group):
    login_as(client, django_user_model, group, "staff")
    for url in ("/admin/personal-data/", "/admin/personal-data/access-log/"):
        assert client.get(url).status_code in (302, 403), url
    assert client.post("/admin/personal-data/export/", {"q": EMAIL}).status_code in (302, 403)
    assert client.post("/admin/personal-data/erase/", {"q": EMAIL, "confirm": "on"}).status_code in (302, 403)


def test_searching_by_email_shows_everything_with_source_and_deletion(dpo, sara):
    page = dpo.post("/admin/personal-data/", {"q": " sara.lind@EXAMPLE.org "}).content.decode()
    assert f"Registration #{sara['guidance'].pk}" in page or f"Anmälan #{sara['guidance'].pk}" in page
    for row in (sara["guidance"], sara["newsletter"], sara["application"]):
        assert f"#{row.pk}" in page
    assert "Olle" not in page and OTHER not in page
    assert "501" in page  # the CRM link
    assert "12" in page  # months: when the guidance registration goes


def test_searching_by_phone_matches_whatever_way_it_was_written(dpo, sara):
    page = dpo.post("/admin/personal-data/", {"q": "+46701112233"}).content.decode()
    assert f"#{sara['guidance'].pk}" in page and f"#{sara['application'].pk}" in page
    assert "Olle" not in page


def test_a_reduced_newsletter_subscription_is_found_by_its_hash(dpo, sara):
    retention.purge()
    sara["newsletter"].refresh_from_db()
    assert sara["newsletter"].email == ""
    page = dpo.post("/admin/personal-data/", {"q": EMAIL}).content.decode()
    assert f"#{sara['newsletter'].pk}" in page


def test_bad_input_finds_nothing_and_never_fails(dpo, sara):
    for query in ("", "x" * 400, "123", "'; DROP TABLE", "@"):
        assert dpo.post("/admin/personal-data/", {"q": query}).status_code == 200
    assert dpo.post("/admin/personal-data/erase/", {"q": EMAIL}).status_code == 400  # not confirmed
    assert Registration.objects.filter(email__iexact=EMAIL).count() == 2


def test_export_as_json_and_xlsx_holds_the_persons_data_and_is_logged(dpo, sara):
    response = dpo.post("/admin/personal-data/export/", {"q": EMAIL, "format": "json"})
    assert response["Content-Type"].startswith("application/json") and "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    emails = {section["data"].get("email", "").lower() for section in document["data"]}
    assert EMAIL.lower() in emails and OTHER not in response.content.decode()
    assert len(document["data"]) == 4  # two registrations, the application, the profile

    response = dpo.post("/admin/personal-data/export/", {"q": EMAIL, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert EMAIL.lower() in cells and "'=1+2" in cells and "=1+2" not in cells

    entries = list(AccessLogEntry.objects.filter(action="export"))
    assert len(entries) == 2 and f"registration {sara['guidance'].pk}" in entries[0].objects_touched
    assert all("example.org" not in str(vars(entry)) for entry in AccessLogEntry.objects.all())


def report_figures():
    return list(
        Registration.objects.values("kind", "municipality", "contact_status", "created_at__date")
        .annotate(count=Count("pk"))
        .order_by("kind", "municipality", "contact_status", "created_at__date")
    )


def test_erasure_removes_the_person_keeps_the_figures_and_tells_the_crm(
    dpo, sara, crm, django_capture_on_commit_callbacks
):
    send_email.enqueue([EMAIL], "Ett meddelande", "Hej Sara")
    send_email.enqueue([OTHER], "Ett meddelande", "Hej Olle")
    figures = report_figures()

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo.post("/admin/personal-data/erase/", {"q": EMAIL, "confirm": "on"})
    receipt = ErasureReceipt.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/personal-data/receipts/{receipt.pk}/"
    run_worker()

    assert report_figures() == figures
    for key in ("guidance", "newsletter"):
        row = Registration.objects.get(pk=sara[key].pk)
        assert row.anonymised_at and row.email == "" and row.first_name == "" and row.phone == ""
    assert Registration.objects.get(pk=sara["other"].pk).email == OTHER
    assert not AmbassadorApplication.objects.filter(email__iexact=EMAIL).exists()
    assert not Ambassador.objects.filter(email__iexact=EMAIL).exists()
    assert not ModelLogEntry.objects.filter(label__icontains="Sara").exists()
    assert not DBTaskResult.objects.filter(args_kwargs__icontains="sara.lind").exists()
    assert DBTaskResult.objects.filter(args_kwargs__icontains=OTHER).exists()

    erasures = [payload for kind, payload in crm.erasures if kind == "webhook"]
    assert [payload["crm_person_id"] for payload in erasures] == ["501"]
    assert erasures[0]["person_key"] == hashlib.sha256(EMAIL.lower().encode()).hexdigest()
    assert "email" not in json.dumps(erasures[0])
    erase_delivery = Delivery.objects.get(action=Delivery.Action.ERASE)
    assert erase_delivery.status == Delivery.Status.DELIVERED

    page = dpo.get(response["Location"]).content.decode()
    assert f"#{sara['guidance'].pk}" in page and "sara" not in page.lower()
    again = dpo.post("/admin/personal-data/", {"q": EMAIL}).content.decode()
    assert "Nothing on the site belongs" in again or "Inget på webbplatsen hör till" in again
    assert "sara" not in dpo.get("/admin/personal-data/access-log/").content.decode().lower()

    # The hash stays only until the CRM has been told; the next purge clears it.
    assert retention.purge()["erasure_hashes_cleared"] == 1
    assert not Registration.objects.exclude(person_hash="").filter(pk__in=[sara["guidance"].pk]).exists()
    assert retention.purge()["erasure_hashes_cleared"] == 0


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("delete", [("superoffice", "DELETE", "501")]), ("anonymise", [("superoffice", "PUT", "501")])],
)
def test_superoffice_erases_by_person_id_as_set(
    dpo, sara, settings, django_capture_on_commit_callbacks, mode, expected
):
    server = fake_crm.start()
    try:
        settings.CRM_BACKEND = "superoffice"
        settings.SUPEROFFICE_API_URL = server.url + "/api/v1"
        settings.SUPEROFFICE_USERNAME = "tasteget"
        settings.SUPEROFFICE_PASSWORD = "secret"
        settings.SUPEROFFICE_ERASURE = mode
        server.auth = "basic"
        with django_capture_on_commit_callbacks(execute=True):
            dpo.post("/admin/personal-data/erase/", {"q": EMAIL, "confirm": "on"})
        run_worker()
        assert server.erasures == expected
    finally:
        server.shutdown()


def test_a_crm_erasure_that_cannot_be_done_is_a_manual_step_on_the_receipt(
    dpo, sara, settings, django_capture_on_commit_callbacks
):
    server = fake_crm.start()
    try:
        settings.CRM_BACKEND = "superoffice"
        settings.SUPEROFFICE_API_URL = server.url + "/api/v1"
        settings.SUPEROFFICE_USERNAME = "tasteget"
        settings.SUPEROFFICE_PASSWORD = "secret"
        settings.SUPEROFFICE_ERASURE = "manual"
        settings.INTAKE_ALERT_EMAILS = []
        with django_capture_on_commit_callbacks(execute=True):
            response = dpo.post("/admin/personal-data/erase/", {"q": EMAIL, "confirm": "on"})
        run_worker()
        assert server.erasures == []
        page = dpo.get(response["Location"]).content.decode()
        assert "Erase SuperOffice person 501 by hand" in page
    finally:
        server.shutdown()


def test_opening_a_registration_or_application_is_logged_and_the_log_expires(client, django_user_model, sara):
    login_as(client, django_user_model, "Region: anmälningar", "region")
    assert client.get(f"/admin/registrations/inspect/{sara['guidance'].pk}/").status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.username, entry.action, entry.objects_touched) == (
        "region",
        "view",
        f"registration {sara['guidance'].pk}",
    )
    AccessLogEntry.objects.update(at=timezone.now() - datetime.timedelta(days=731))
    AccessLogEntry.objects.create(username="recent", action="view", subject="registration")
    assert prune_access_log() == 1
    assert list(AccessLogEntry.objects.values_list("username", flat=True)) == ["recent"]


def test_the_access_request_holds_the_advisers_note_under_readable_names(dpo, sara, django_user_model):
    """What the adviser wrote and who made the contact are the person's data too;
    the officer and the person read field names, not column names."""
    adviser = django_user_model.objects.create_user("anna", "anna@are.example", "x-long-password", first_name="Anna")
    Registration.objects.filter(pk=sara["guidance"].pk).update(
        contact_status="contacted",
        contacted_at=timezone.now(),
        contacted_by=adviser,
        contact_note="Ringde, vill ha hjälp med bostad i Järpen.",
    )
    page = dpo.post("/admin/personal-data/", {"q": EMAIL}).content.decode()
    assert "Ringde, vill ha hjälp med bostad i Järpen." in page and "Anna" in page
    for internal in ("created_at", "contact_note", "first_name", "consent.version", ">email<"):
        assert internal not in page, internal
    assert ">Anteckning<" in page and ">Registrerad<" in page

    document = json.loads(dpo.post("/admin/personal-data/export/", {"q": EMAIL, "format": "json"}).content)
    guidance = next(section for section in document["data"] if f"#{sara['guidance'].pk} " in section["source"])
    assert guidance["data"]["contact_note"] == "Ringde, vill ha hjälp med bostad i Järpen."
    assert guidance["data"]["contacted_by"] == "Anna"

    response = dpo.post("/admin/personal-data/export/", {"q": EMAIL, "format": "xlsx"})
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    assert ["Anteckning", "Ringde, vill ha hjälp med bostad i Järpen."] in [row[1:] for row in rows]
    assert not any(row[1] in ("created_at", "contact_note", "email", "deleted_at") for row in rows)


def test_erasure_closes_the_open_deliveries_unsent_not_as_delivered(sara):
    from privacy import people

    waiting = DeliveryFactory(
        registration=sara["guidance"], channel=Delivery.Channel.CONFIRMATION_EMAIL, recipient=EMAIL.lower()
    )
    retrying = DeliveryFactory(registration=sara["newsletter"], action=Delivery.Action.PREFERENCES, status="retrying")
    people.erase(people.find(EMAIL), None)
    for delivery in (waiting, retrying):
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.CANCELLED and delivery.delivered_at is None
        assert delivery.last_error == "Not sent: the person asked to be erased." and delivery.recipient == ""
