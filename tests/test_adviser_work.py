"""An adviser's daily work in the admin: the contact record, the work list
filters, search, readable exports, the dashboard panel and the digest."""

import csv
import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from intake.choices import ContactStatus, Kind
from intake.models import Registration
from intake.work import send_daily_digests
from places.models import Adviser, Municipality
from tests.factories import DeliveryFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture
def are():
    return Municipality.objects.in_default_locale().get(slug="are")


@pytest.fixture
def adviser(client, django_user_model):
    user = django_user_model.objects.create_user("are-adviser", "sara@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Flyttvägledare: Åre kommun"))
    client.force_login(user)
    return user


def listing(client, query=""):
    return client.get("/admin/registrations/" + query).content.decode()


def test_marking_a_registration_contacted_takes_it_out_of_the_overdue_list(client, adviser, are):
    late = RegistrationFactory(
        municipality=are, first_name="Sena", due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    assert f"/inspect/{late.pk}/" in listing(client, "?work=overdue")

    response = client.post(
        f"/admin/registrations/edit/{late.pk}/", {"contact_status": "contacted", "contact_note": "Ringde, ses i maj."}
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.contact_status == ContactStatus.CONTACTED and late.contacted_by == adviser
    assert late.contacted_at is not None and not late.is_overdue
    assert f"/inspect/{late.pk}/" not in listing(client, "?work=overdue")
    assert ModelLogEntry.objects.filter(object_id=str(late.pk), action="wagtail.edit", user=adviser).exists()

    # A later step keeps the date of the first contact.
    first = late.contacted_at
    client.post(f"/admin/registrations/edit/{late.pk}/", {"contact_status": "moved", "contact_note": "Flyttade in."})
    late.refresh_from_db()
    assert late.contact_status == ContactStatus.MOVED and late.contacted_at == first


def test_the_work_filters_and_search(client, adviser, are):
    today = timezone.localdate()
    new = RegistrationFactory(municipality=are, email="ny@example.org", due_date=today + datetime.timedelta(days=9))
    soon = RegistrationFactory(municipality=are, email="snart@example.org", due_date=today)
    done = RegistrationFactory(
        municipality=are, email="klar@example.org", contact_status="contacted", contacted_at=timezone.now()
    )
    assert {f"/inspect/{r.pk}/" in listing(client, "?work=new") for r in (new, soon)} == {True}
    assert f"/inspect/{done.pk}/" not in listing(client, "?work=new")
    due = listing(client, "?work=due_this_week")
    assert f"/inspect/{soon.pk}/" in due and f"/inspect/{done.pk}/" not in due
    found = listing(client, "?q=snart@example")
    assert f"/inspect/{soon.pk}/" in found and f"/inspect/{new.pk}/" not in found


def test_magazine_orders_and_newsletters_are_not_in_an_advisers_list(client, adviser, are):
    order = RegistrationFactory(municipality=are, kind=Kind.MAGAZINE, street_address="Storgatan 1", due_date=None)
    guidance = RegistrationFactory(municipality=are)
    body = listing(client)
    assert f"/inspect/{guidance.pk}/" in body and f"/inspect/{order.pk}/" not in body
    assert client.get(f"/admin/registrations/inspect/{order.pk}/").status_code in (302, 404)


def test_the_list_and_the_export_speak_plainly(client, adviser, are):
    registration = RegistrationFactory(
        municipality=are,
        phone="+46701234567",
        topics=["housing", "jobs"],
        move_when="within_6_months",
        first_name="=1+1",
        created_at=datetime.datetime(2026, 11, 25, 23, 30, tzinfo=datetime.UTC),
    )
    DeliveryFactory(registration=registration, status="delivered")
    body = listing(client)
    assert ">delivered<" not in body and ">Levererad<" in body and ">None<" not in body
    exported = client.get("/admin/registrations/?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == str(registration.pk))
    values = dict(zip(header, row, strict=True))
    assert values["Registrerad"] == "2026-11-26 00:30"  # local time
    assert values["Vill ha hjälp med"] == "Bostad, Vägar till jobb"
    assert values["Planerad flytt"] == "Inom sex månader"
    assert values["Förnamn"] == "'=1+1"  # the formula guard, in CSV
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/admin/registrations/?export=xlsx").streaming_content))
    )
    sheet = book.active
    phones = [cell for cell in sheet[1] if cell.value == "Telefon"]
    column = phones[0].column
    phone = next(
        sheet.cell(row=r, column=column)
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(row=r, column=1).value == registration.pk
    )
    assert phone.value == "+46701234567" and phone.data_type == "s"  # text, not a number or formula


def test_the_dashboard_shows_the_advisers_work(client, adviser, are):
    RegistrationFactory(municipality=are, due_date=timezone.localdate() - datetime.timedelta(days=1))
    body = client.get("/admin/").content.decode()
    assert "/admin/registrations/?work=overdue" in body and "1 försenad" in body


def test_the_daily_digest_tells_counts_once_on_working_days(are, django_capture_on_commit_callbacks, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    Adviser.objects.create(municipality=are, name="Extra", email="extra.are@example.org")
    RegistrationFactory(municipality=are, first_name="Hemlig", due_date=datetime.date(2026, 11, 20))
    thursday_morning = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=STOCKHOLM)
    saturday = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=STOCKHOLM)
    assert send_daily_digests(saturday) == []
    assert send_daily_digests(thursday_morning.replace(hour=6)) == []
    assert "are" in send_daily_digests(thursday_morning)
    message = next(m for m in mail.outbox if "extra.are@example.org" in m.to)
    assert "1 försenad" in message.body and "/admin/registrations/?work=overdue" in message.body
    assert "Hemlig" not in message.body and "@example.org" not in message.body
    assert "are" not in send_daily_digests(thursday_morning.replace(hour=15))  # once a day
    assert Registration.objects.filter(first_name="Hemlig").exists()


def test_the_list_says_overdue_in_words(client, adviser, are):
    today = timezone.localdate()
    RegistrationFactory(municipality=are, first_name="Sen", due_date=today - datetime.timedelta(days=2))
    RegistrationFactory(municipality=are, first_name="Itid", due_date=today + datetime.timedelta(days=2))
    rows = {row.split("</tr>")[0] for row in listing(client).split("<tr")[1:]}
    late = next(row for row in rows if "(Sen)" in row)
    on_time = next(row for row in rows if "(Itid)" in row)
    assert "Försenad" in late and "Försenad" not in on_time


def test_the_contact_record_is_one_click_from_the_registration_and_shows_the_number_to_call(client, adviser, are):
    """Not behind "⋯", and the phone number is on the form the adviser fills in while calling."""
    person = RegistrationFactory(municipality=are, first_name="Ida", last_name="Ström", phone="+46701234567")
    page = client.get(f"/admin/registrations/inspect/{person.pk}/").content.decode()
    assert f'<a class="button" href="/admin/registrations/edit/{person.pk}/">Registrera kontakten</a>' in page
    form = client.get(f"/admin/registrations/edit/{person.pk}/").content.decode()
    assert "Ida Ström" in form and 'href="tel:+46701234567"' in form
    assert f'href="mailto:{person.email}"' in form
