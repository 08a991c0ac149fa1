"""Newcomer meet-ups (events/): the pages, the sign-up with its waiting list,
the calendar files, cancelling and the promotion it gives, the reminder, the
CRM payload and the listings."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.utils import timezone

from events import ics
from events.links import cancel_link, read_cancel_token
from events.models import EventPage, Signup, upcoming_meetups
from events.services import due_reminders
from intake.models import Delivery, Registration
from intake.outbox.payload import build_payload
from places.models import Municipality
from tests.conftest import form_values, run_worker

PERSON = {"first_name": "Ida", "last_name": "Ström", "email": "ida@example.org", "phone": "", "consent": "on"}


def person(number):
    return {**PERSON, "first_name": f"Person{number}", "email": f"person{number}@example.org"}


@pytest.fixture
def meetup(db):
    """The demo's walk in Funäsdalen: one place, nobody signed up."""
    return EventPage.objects.get(slug="vandring-i-funasdalen", locale__language_code="sv")


@pytest.fixture
def full_meetup(db):
    return EventPage.objects.get(slug="afterski-i-are", locale__language_code="sv")


def cancel_link_in(text):
    """The sign-up the cancel link in `text` names (tokens carry the time they were made)."""
    token = re.search(r"/avboka/([\w-]+)/", text).group(1)
    return read_cancel_token(token)


def sign_up(client, event, data, django_capture_on_commit_callbacks):
    html = client.get(event.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(event.url, {**form_values(html), **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_the_meetup_page_shows_when_where_languages_and_places_left(client, meetup):
    html = client.get(meetup.url).content.decode()
    assert "Fjällmuseet, Funäsdalen" in html
    assert "1 plats kvar." in html or "1 place left." in html
    assert 'name="form_token"' in html
    assert '"@type": "Event"' in html


def test_signing_up_takes_a_place_then_the_waiting_list(client, meetup, django_capture_on_commit_callbacks):
    response = sign_up(client, meetup, person(1), django_capture_on_commit_callbacks)
    first = Signup.objects.get(registration__email="person1@example.org")
    assert first.status == Signup.Status.CONFIRMED
    thanks = client.get(response["Location"]).content.decode()
    assert meetup.url + "ics/" in thanks
    assert cancel_link_in(thanks) == first

    response = sign_up(client, meetup, person(2), django_capture_on_commit_callbacks)
    second = Signup.objects.get(registration__email="person2@example.org")
    assert second.status == Signup.Status.WAITING
    assert "nummer 1" in client.get(response["Location"]).content.decode()
    registration = second.registration
    assert registration.kind == "event"
    assert registration.consent.purpose == "event"
    # The CRM hears of it through the outbox; the e-mails are the meet-up's own.
    assert list(registration.deliveries.values_list("channel", flat=True)) == [Delivery.Channel.CRM]


def test_the_person_gets_a_confirmation_with_the_calendar_file_and_the_organiser_is_told(
    client, meetup, django_capture_on_commit_callbacks
):
    sign_up(client, meetup, person(1), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    run_worker()
    to_person = next(message for message in mail.outbox if message.to == ["person1@example.org"])
    assert to_person.attachments[0][0] == "vandring-i-funasdalen.ics"
    assert "BEGIN:VEVENT" in to_person.attachments[0][1]
    signup = Signup.objects.get(registration__email="person1@example.org")
    assert cancel_link_in(to_person.body) == signup
    organiser = [message for message in mail.outbox if message.to != ["person1@example.org"]]
    assert organiser and "Person1" in organiser[0].body


def test_the_same_address_twice_keeps_one_sign_up(client, meetup, django_capture_on_commit_callbacks):
    sign_up(client, meetup, person(1), django_capture_on_commit_callbacks)
    sign_up(client, meetup, {**person(1), "email": "PERSON1@example.org"}, django_capture_on_commit_callbacks)
    assert Signup.objects.filter(event=meetup).count() == 1


def test_cancelling_gives_the_place_to_the_first_on_the_waiting_list_once(
    client, meetup, django_capture_on_commit_callbacks
):
    for number in (1, 2, 3):
        sign_up(client, meetup, person(number), django_capture_on_commit_callbacks)
    first, second, third = (Signup.objects.get(registration__email=f"person{n}@example.org") for n in (1, 2, 3))
    url = cancel_link(first)
    asked = client.get(url).content.decode()
    assert "Vill du avboka" in asked, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", asked))[-1500:]
    assert Signup.objects.get(pk=first.pk).status == Signup.Status.CONFIRMED  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert "är avbokad" in client.post(url).content.decode()
    statuses = dict(Signup.objects.filter(event=meetup).values_list("pk", "status"))
    assert statuses == {first.pk: "cancelled", second.pk: "confirmed", third.pk: "waiting"}
    assert Signup.objects.get(pk=second.pk).promoted_at is not None
    mail.outbox.clear()
    run_worker()
    # Only the promotion: the waiting-list mail still queued is no longer true and is not sent.
    (promoted,) = [message for message in mail.outbox if message.to == ["person2@example.org"]]
    assert promoted.attachments and cancel_link_in(promoted.body) == second
    # The link works once.
    with django_capture_on_commit_callbacks(execute=True):
        assert "redan avbokad" in client.post(url).content.decode()
    assert Signup.objects.get(pk=third.pk).status == Signup.Status.WAITING


def test_a_forged_cancel_link_is_a_404(client, meetup):
    assert client.get(meetup.url + "avboka/not-a-token/").status_code == 404


def test_a_waiting_persons_cancel_frees_no_place(client, full_meetup, django_capture_on_commit_callbacks):
    waiting = Signup.objects.get(event=full_meetup, status=Signup.Status.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(cancel_link(waiting))
    assert Signup.objects.filter(event=full_meetup, status=Signup.Status.CONFIRMED).count() == 2


def test_a_past_meetup_takes_no_sign_ups_and_moves_to_the_archive(client, meetup, page_by_slug):
    EventPage.objects.filter(pk=meetup.pk).update(
        start=timezone.now() - datetime.timedelta(days=2), end=timezone.now() - datetime.timedelta(days=2, hours=-2)
    )
    html = client.get(meetup.url).content.decode()
    assert 'name="form_token"' not in html
    index = page_by_slug("traffar")
    assert meetup.title not in client.get(index.url).content.decode()
    assert meetup.title in client.get(index.url + "arkiv/").content.decode()


def test_the_calendar_file_is_rfc_5545(client, meetup):
    response = client.get(meetup.url + "ics/")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    start = re.search(r"DTSTART:(\d{8}T\d{6}Z)", text).group(1)
    assert start == meetup.start.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_ics_escapes_and_folds_without_splitting_a_character():
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "Östersund " * 20
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(part[1:] if index else part for index, part in enumerate(parts)) == line


def test_the_feeds_per_municipality_and_for_the_county(client, page_by_slug):
    index = page_by_slug("traffar")
    county = client.get(index.url + "ical/").content.decode()
    assert county.count("BEGIN:VEVENT") == 4
    are = client.get(index.url + "ical/are/").content.decode()
    # Åre's own and the one for the whole county.
    assert are.count("BEGIN:VEVENT") == 2 and "Afterski" in are and "Digital" in are
    assert client.get(index.url + "ical/nowhere/").status_code == 404


def test_the_crm_payload_names_the_meetup(client, meetup, django_capture_on_commit_callbacks):
    sign_up(client, meetup, person(1), django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(registration__email="person1@example.org", channel="crm")
    payload = build_payload(delivery)
    assert payload["kind"] == "event"
    assert payload["event"]["key"] == str(meetup.translation_key)
    assert payload["event"]["status"] == "confirmed"
    assert payload["event"]["municipality_slug"] == "harjedalen"
    json.dumps(payload)


def test_the_day_before_each_person_with_a_place_is_reminded_once(client, meetup, django_capture_on_commit_callbacks):
    for number in (1, 2):
        sign_up(client, meetup, person(number), django_capture_on_commit_callbacks)  # a place, the waiting list
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time(17), tzinfo=timezone.get_current_timezone())
    EventPage.objects.filter(pk=meetup.pk).update(start=start, end=start + datetime.timedelta(hours=2))
    assert due_reminders() == 1
    assert due_reminders() == 0
    mail.outbox.clear()
    run_worker()
    reminders = [message for message in mail.outbox if message.subject.startswith("Imorgon")]
    assert [message.to for message in reminders] == [["person1@example.org"]]
    assert reminders[0].attachments


def test_upcoming_meetups_for_a_municipality_include_the_countys(db):
    are = Municipality.objects.in_default_locale().get(slug="are")
    titles = [event.title for event in upcoming_meetups(are, "sv", 10)]
    assert titles == ["Afterski för nyinflyttade i Åre", "Digital träff: frågor om att flytta hit"]
    assert [event.title for event in upcoming_meetups(are, "en", 1)] == ["Après-ski for newcomers in Åre"]
    assert len(upcoming_meetups(None, "sv", 10)) == 4


def test_the_home_and_municipality_pages_list_the_meetups(client, page_by_slug):
    assert "Inflyttarfika i Östersund" in client.get("/").content.decode()
    assert "Newcomer fika in Östersund" in client.get("/en/").content.decode()
    are_page = next(page for page in page_by_slug("traffar").get_siblings() if page.slug.startswith("are"))
    html = client.get(are_page.url).content.decode()
    assert "Afterski för nyinflyttade i Åre" in html
    assert "Inflyttarfika i Östersund" not in html


def test_the_sitemap_lists_the_meetups(client, meetup):
    assert meetup.full_url in client.get("/sitemap.xml").content.decode()


def test_an_erased_person_leaves_an_unlinked_sign_up(client, meetup, django_capture_on_commit_callbacks):
    from events import personal_data
    from tasteget.personal_data import Erasure

    sign_up(client, meetup, person(1), django_capture_on_commit_callbacks)
    held = personal_data.find_person(email="person1@example.org")
    assert len(held.rows) == 1
    assert personal_data.describe_person(held)[0]["data"]["meet-up"] == meetup.title
    personal_data.erase_person(held, Erasure(now=timezone.now()))
    signup = Signup.objects.get(event=meetup)
    assert signup.registration is None and signup.status == "confirmed"
    assert Registration.objects.filter(email="person1@example.org").exists()  # intake erases the person itself


def test_two_sign_ups_for_the_last_place_at_the_same_moment_get_one_place(meetup):
    """PostgreSQL: two connections sign up at once; the count is slowed so both
    would see a free place without the lock on the meet-up's row."""
    import threading
    import time
    from types import SimpleNamespace
    from unittest import mock

    from django.db import connection, connections
    from django_tasks_db.models import DBTaskResult

    from events import services
    from intake import consent

    if connection.vendor != "postgresql":
        pytest.skip("two connections at once: PostgreSQL (SQLite has one writer)")
    version, _text = consent.current("event")
    started = timezone.now()
    counted = services.taken
    results, errors = {}, []
    go = threading.Barrier(2)

    def slow_count(event):
        number = counted(event)
        time.sleep(0.5)
        return number

    def one(number):
        try:
            form = SimpleNamespace(
                cleaned_data={**person(number), "consent_version": version}, submission_key=f"race-{number}"
            )
            go.wait()
            results[number] = services.sign_up(meetup, form).status
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def clean_up():
        Signup.objects.filter(registration__email__in=["person1@example.org", "person2@example.org"]).delete()
        Registration.objects.filter(email__in=["person1@example.org", "person2@example.org"]).delete()
        DBTaskResult.objects.filter(enqueued_at__gte=started).delete()
        connections.close_all()

    with mock.patch.object(services, "taken", slow_count):
        threads = [threading.Thread(target=one, args=(number,)) for number in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    try:
        assert not errors, errors
        assert sorted(results.values()) == ["confirmed", "waiting"]
    finally:
        cleaner = threading.Thread(target=clean_up)
        cleaner.start()
        cleaner.join(30)


def test_an_adviser_sees_and_marks_the_sign_ups_of_their_municipality_only(
    client, meetup, full_meetup, django_user_model, django_capture_on_commit_callbacks
):
    """Advisers organise the meet-ups: the sign-up list is theirs, scoped to their municipality."""
    from django.contrib.auth.models import Group
    from django.test import Client

    sign_up(client, meetup, person(1), django_capture_on_commit_callbacks)  # Härjedalen
    sign_up(client, full_meetup, person(2), django_capture_on_commit_callbacks)  # Åre: the waiting list
    listing = "/admin/snippets/events/signup/"

    def staff(group_name, username):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
        user.groups.add(Group.objects.get(name=group_name))
        staff_client = Client()
        staff_client.force_login(user)
        return staff_client

    adviser = staff("Flyttvägledare: Åre kommun", "are-organiser")
    html = adviser.get(listing).content.decode()
    assert "person2@example.org" in html and "person1@example.org" not in html
    own = Signup.objects.get(registration__email="person2@example.org")
    edit = f"{listing}edit/{own.pk}/"
    assert adviser.post(edit, {"attended": "true"}).status_code == 302
    own.refresh_from_db()
    assert own.attended is True
    other = Signup.objects.get(registration__email="person1@example.org")
    for view in ("edit", "inspect", "delete", "history", "usage"):
        assert adviser.get(f"{listing}{view}/{other.pk}/").status_code == 404, view

    region = staff("Region: anmälningar", "region-organiser")
    html = region.get(listing).content.decode()
    assert "person1@example.org" in html and "person2@example.org" in html

    web_editor = staff("Webbredaktör: Åre kommun", "are-web-editor")
    assert web_editor.get(listing).status_code in (302, 403)
