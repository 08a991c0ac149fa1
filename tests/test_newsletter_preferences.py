"""The subscriber's preference page: reached by a signed,
expiring link in every newsletter e-mail; changes reach the CRM through the
outbox; a new link is sent to whoever enters a subscribed address, with an
answer that never tells whether it subscribes."""

import hashlib
import json
import re
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from intake import retention, tasks
from intake.choices import Kind
from intake.models import AccessLogEntry, Delivery, Registration
from intake.outbox.adapters import base
from intake.outbox.adapters.base import PermanentError
from intake.outbox.adapters.superoffice import SuperOfficeAdapter
from intake.subscribers import preferences_link
from places.models import Municipality
from tests.conftest import run_worker
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

REQUEST_URL = "/en/newsletter/preferences/"


@pytest.fixture
def crm_file(settings, tmp_path):
    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    return settings.CRM_FILE_PATH


def crm_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def subscriber(email="reader@example.org", **fields):
    """A confirmed newsletter subscription for the whole county, delivered to the CRM."""
    row = RegistrationFactory(
        kind=Kind.NEWSLETTER,
        first_name="",
        last_name="",
        email=email,
        language="en",
        topics=["jobs"],
        municipality=Municipality.objects.region(),
        confirmed_at=fields.pop("confirmed_at", timezone.now()),
        **fields,
    )
    Delivery.objects.create(
        registration=row, channel=Delivery.Channel.CRM, status=Delivery.Status.DELIVERED, crm_person_id="77"
    )
    return row


def purged(row):
    """The retention purge reduces a confirmed, delivered subscription to the hash."""
    retention.reduce_newsletter(Registration.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert row.email == "" and row.person_hash
    return row


def choose(client, url, **choices):
    data = {"language": "en", "topics": ["jobs"], "municipality": "", **choices}
    return client.post(url, data)


def test_the_confirmation_email_and_page_carry_the_link_that_shows_and_saves_choices(
    submit, client, crm_file, django_capture_on_commit_callbacks
):
    submit("/en/newsletter/", {"email": "nils@example.org", "language": "en", "topics": ["jobs"], "consent": "on"})
    registration = Registration.objects.get(kind="newsletter")
    tasks.deliver.call(registration.deliveries.get().pk)
    body = mail.outbox[0].body
    preferences_url = re.search(r"http://testserver(/en/newsletter/preferences/\S+/)", body).group(1)
    assert "nils@example.org" not in preferences_url
    confirm_url = re.search(r"http://testserver(/en/newsletter/confirm/\S+/)", body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(confirm_url).content.decode()
    assert 'href="/en/newsletter/preferences/' in confirmed  # the page after confirming links there too
    tasks.deliver.call(registration.deliveries.get(channel="crm").pk)

    page = client.get(preferences_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'value="jobs"[^>]*checked', html)
    assert "<legend" in html and 'name="municipality"' in html
    assert set(page.cookies) <= {"csrftoken"}
    assert "no-cache" in page["Cache-Control"]

    with django_capture_on_commit_callbacks(execute=True):
        saved = choose(client, preferences_url, municipality="are", topics=["housing", "jobs"], language="sv")
    assert saved.status_code == 302
    assert "Your choices are saved." in client.get(saved["Location"]).content.decode()
    registration.refresh_from_db()
    assert (registration.municipality.slug, registration.topics, registration.language) == (
        "are",
        ["housing", "jobs"],
        "sv",
    )

    change = registration.deliveries.get(action=Delivery.Action.PREFERENCES)
    assert change.task_id  # queued after commit
    assert tasks.deliver.call(change.pk) == Delivery.Status.DELIVERED
    sent = crm_lines(crm_file)[-1]
    assert sent["action"] == "preferences"
    assert (sent["municipality"]["slug"], sent["topics"], sent["language"]) == ("are", ["housing", "jobs"], "sv")
    assert sent["preferences_url"] == "http://testserver/nyhetsbrev/installningar/"

    entry = AccessLogEntry.objects.get(subject="newsletter preferences")
    assert entry.objects_touched == f"registration {registration.pk}"
    assert "nils" not in f"{entry.username} {entry.subject} {entry.objects_touched}"


def test_saving_the_same_choices_again_sends_nothing_to_the_crm(client):
    row = subscriber()
    url = preferences_link(row)
    assert choose(client, url).status_code == 302
    assert not row.deliveries.filter(action=Delivery.Action.PREFERENCES).exists()
    choose(client, url, municipality="krokom")
    choose(client, url, municipality="berg")
    assert row.deliveries.filter(action=Delivery.Action.PREFERENCES).count() == 2  # one per change


def test_a_forged_municipality_is_an_error_on_the_page_not_a_500(client):
    row = subscriber()
    response = choose(client, preferences_link(row), municipality="atlantis")
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    row.refresh_from_db()
    assert row.municipality.is_region


def test_an_expired_link_gets_a_friendly_page_offering_a_new_one(client, settings):
    row = subscriber()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 31 * 24 * 3600):
        old = preferences_link(row)
    response = client.get(old)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The link does not work" in html
    assert 'name="email"' in html

    settings.NEWSLETTER_PREFERENCES_MAX_AGE = 40 * 24 * 3600  # the setting decides
    assert client.get(old).status_code == 200


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "eyJyIjoxfQ:1vO:forged", "x" * 300],
)
def test_a_tampered_link_gets_the_same_friendly_page(client, token):
    response = client.get(f"/nyhetsbrev/installningar/{token}/")
    assert response.status_code == 400
    assert "Länken fungerar inte" in response.content.decode() or "The link does not work" in response.content.decode()


def test_a_changed_character_or_another_links_token_does_not_open_the_page(client):
    row = subscriber()
    url = preferences_link(row)
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/en/newsletter/preferences/{tampered}/").status_code == 400
    from intake.subscribers import newsletter_link

    unsubscribe_token = newsletter_link(row, "unsubscribe").rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/en/newsletter/preferences/{unsubscribe_token}/").status_code == 400
    assert client.post(url.replace(token, tampered), {"unsubscribe": "1"}).status_code == 400
    row.refresh_from_db()
    assert row.unsubscribed_at is None


def test_an_erased_subscription_link_no_longer_works(client):
    row = subscriber()
    url = preferences_link(row)
    Registration.objects.filter(pk=row.pk).update(email="", person_hash="", anonymised_at=timezone.now())
    assert client.get(url).status_code == 400


def test_unsubscribing_from_the_page_tells_the_crm(client, crm_file, django_capture_on_commit_callbacks):
    row = subscriber()
    with translation.override("en"):
        url = preferences_link(row)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"unsubscribe": "1"})
    assert "You are unsubscribed" in response.content.decode()
    row.refresh_from_db()
    assert row.unsubscribed_at is not None
    unsubscribe = row.deliveries.get(action=Delivery.Action.UNSUBSCRIBE)
    assert tasks.deliver.call(unsubscribe.pk) == Delivery.Status.DELIVERED
    assert crm_lines(crm_file)[-1]["action"] == "unsubscribe"
    # Afterwards the link says so and changes nothing.
    assert "You are unsubscribed" in client.get(url).content.decode()
    choose(client, url, municipality="are")
    row.refresh_from_db()
    assert row.municipality.is_region


def test_a_purged_subscription_keeps_its_page_and_the_crm_hears_the_hash(
    client, crm_file, django_capture_on_commit_callbacks
):
    row = purged(subscriber("kept@example.org"))
    url = preferences_link(row)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, url, municipality="ostersund")
    change = row.deliveries.get(action=Delivery.Action.PREFERENCES)
    tasks.deliver.call(change.pk)
    sent = crm_lines(crm_file)[-1]
    assert sent["person"]["email"] == ""
    assert sent["person_key"] == hashlib.sha256(b"kept@example.org").hexdigest()
    assert sent["municipality"]["slug"] == "ostersund"


def test_superoffice_cannot_store_preferences_so_the_delivery_names_the_manual_step():
    adapter = SuperOfficeAdapter()
    known = base.CrmResult(person_id="501")
    with pytest.raises(PermanentError, match="SuperOffice person 501 by hand"):
        adapter.update_preferences({"action": "preferences"}, known)


def request_link(client, email):
    return client.post(REQUEST_URL, {"email": email, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_asking_for_a_new_link_answers_the_same_for_every_address_and_mails_only_subscribers(
    django_capture_on_commit_callbacks,
):
    subscriber("subscribed@example.org")
    purged(subscriber("purged@example.org"))
    RegistrationFactory(kind=Kind.NEWSLETTER, email="unconfirmed@example.org", confirmed_at=None)
    answers = []
    for email in ("Subscribed@example.org", "nobody@example.org", "purged@example.org", "unconfirmed@example.org"):
        client = Client(enforce_csrf_checks=True)
        form = client.get(REQUEST_URL)
        assert set(form.cookies) <= {"csrftoken"}
        with django_capture_on_commit_callbacks(execute=True):
            response = request_link(client, email)
        page = client.get(response["Location"])
        answers.append((response.status_code, response["Location"], page.status_code, page.content.decode()))
    assert answers[0][:2] == (302, REQUEST_URL + "?skickat=1")
    assert len(set(answers)) == 1, "the answer differs by address"
    assert mail.outbox == []  # nothing looked up or sent in the request

    run_worker()

    assert sorted(message.to[0] for message in mail.outbox) == ["Subscribed@example.org", "purged@example.org"]
    for message in mail.outbox:
        links = re.findall(r"http://testserver(\S+)", message.body)
        assert len(links) == 1
        assert "@" not in links[0]
    by_address = {message.to[0]: message for message in mail.outbox}
    purged_link = re.search(r"http://testserver(\S+)", by_address["purged@example.org"].body).group(1)
    assert "Your newsletter settings" in Client().get(purged_link).content.decode()
    subscribed_link = re.search(r"http://testserver(\S+)", by_address["Subscribed@example.org"].body).group(1)
    assert subscribed_link.startswith("/en/newsletter/preferences/")  # the subscription's language
    assert Client().get(subscribed_link).status_code == 200


def test_asking_for_a_new_link_needs_the_csrf_token_and_is_rate_limited(settings):
    client = Client(enforce_csrf_checks=True)
    client.get(REQUEST_URL)
    assert client.post(REQUEST_URL, {"email": "a@example.org"}).status_code == 403

    settings.INTAKE_RATE_LIMIT = 1
    assert request_link(client, "a@example.org").status_code == 302
    refused = request_link(client, "b@example.org")
    assert refused.status_code == 429
    assert "Too many forms" in refused.content.decode()


def test_an_invalid_address_gets_the_error_summary(client):
    client.get(REQUEST_URL)
    response = client.post(REQUEST_URL, {"email": "not an address"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_email"' in html


def test_one_address_gets_at_most_a_few_links_a_day(settings, django_capture_on_commit_callbacks):
    subscriber("often@example.org")
    settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY = 2
    for _ in range(4):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(REQUEST_URL, {"email": "often@example.org"}).status_code == 302
    run_worker()
    assert len(mail.outbox) == 2


def test_the_page_is_never_served_from_the_page_cache(client, settings):
    settings.PAGE_CACHE_ENABLED = True
    row = subscriber()
    url = preferences_link(row)
    first = client.get(url)
    assert 'value="are"' in first.content.decode()
    Registration.objects.filter(pk=row.pk).update(municipality=Municipality.objects.in_default_locale().get(slug="are"))
    again = Client().get(url).content.decode()
    assert re.search(r'value="are"[^>]*selected', again)
    request_page = Client().get(REQUEST_URL)
    assert "private" in request_page["Cache-Control"] or "no-cache" in request_page["Cache-Control"]


def test_the_newsletter_page_and_the_privacy_notice_tell_subscribers_where_to_change_their_choices(client):
    newsletter = client.get("/en/newsletter/").content.decode()
    assert f'href="{REQUEST_URL}"' in newsletter
    privacy = client.get("/en/personal-data/").content.decode()
    assert "change your interests, municipality and language yourself" in privacy
