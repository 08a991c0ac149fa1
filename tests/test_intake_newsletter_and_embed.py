"""Newsletter double opt-in and unsubscribe; the embeddable form's protections."""

import re

import pytest
from django.core import mail

from intake import tasks
from intake.models import Delivery, Registration
from places.models import Municipality
from tests.conftest import GUIDANCE, form_values

pytestmark = pytest.mark.django_db


def test_newsletter_needs_confirmation_and_unsubscribes_without_login(
    submit, client, django_capture_on_commit_callbacks
):
    response = submit(
        "/en/newsletter/", {"email": "nils@example.org", "language": "en", "topics": ["jobs"], "consent": "on"}
    )
    assert response.status_code == 302
    registration = Registration.objects.get(kind="newsletter")
    assert registration.confirmed_at is None
    assert [d.channel for d in registration.deliveries.all()] == ["confirmation_email"]  # no CRM before confirming

    tasks.deliver.call(registration.deliveries.get().pk)
    message = mail.outbox[0]
    assert message.to == ["nils@example.org"]
    confirm_url = re.search(r"http://testserver(/en/newsletter/confirm/\S+/)", message.body).group(1)
    unsubscribe_url = re.search(r"http://testserver(/en/newsletter/unsubscribe/\S+/)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    assert client.get(confirm_url).status_code == 200
    registration.refresh_from_db()
    assert registration.confirmed_at is None  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert "Your subscription is confirmed" in client.post(confirm_url).content.decode()
    registration.refresh_from_db()
    assert registration.confirmed_at is not None
    crm = registration.deliveries.get(channel="crm", recipient="")
    assert crm.task_id

    anonymous = client.__class__(enforce_csrf_checks=True)
    response = anonymous.post(unsubscribe_url)  # one click from a mail client: no cookies
    assert "You are unsubscribed" in response.content.decode()
    registration.refresh_from_db()
    assert registration.unsubscribed_at is not None
    assert registration.deliveries.filter(channel="crm", action="unsubscribe").exists()


def test_a_forged_newsletter_link_is_a_404(client):
    assert client.get("/nyhetsbrev/avsluta/not-a-real-token/").status_code == 404


@pytest.fixture
def are_embeddable(db):
    Municipality.objects.in_default_locale().filter(slug="are").update(embed_origins="https://www.are.se")


def test_embed_may_be_framed_only_by_the_municipalitys_sites(client, are_embeddable):
    response = client.get("/embed/are/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors 'self' https://www.are.se" in response.headers["Content-Security-Policy"]
    other = client.get("/embed/berg/")
    assert "frame-ancestors 'self';" in other.headers["Content-Security-Policy"] + ";"
    assert client.get("/om-ta-steget/").headers["X-Frame-Options"] == "DENY"


def test_embedded_form_works_without_cookies_and_records_its_source(client, are_embeddable):
    anonymous = client.__class__(enforce_csrf_checks=True)
    html = anonymous.get("/embed/are/?origin=https://www.are.se").content.decode()
    assert 'name="csrfmiddlewaretoken"' not in html
    assert '<option value="are" selected>' in html
    anonymous.cookies.clear()
    response = anonymous.post("/embed/are/?origin=https://www.are.se", {**form_values(html), **GUIDANCE})
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.source == "https://www.are.se"
    assert registration.municipality.slug == "are"


def test_embed_origin_that_is_not_listed_is_not_trusted(client, are_embeddable):
    html = client.get("/embed/are/?origin=https://evil.example").content.decode()
    assert 'data-parent-origin=""' in html
    client.post("/embed/are/?origin=https://evil.example", {**form_values(html), **GUIDANCE})
    assert Registration.objects.get().source == "embed:are"


def test_embed_loader_script_is_served_by_the_site(client):
    response = client.get("/embed/tasteget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert 'var siteOrigin = "http://testserver"' in response.content.decode()


def test_showing_a_form_stores_nothing(client):
    client.get("/anmal-intresse/")
    assert Delivery.objects.count() == 0


def test_newsletter_consent_is_recorded_in_the_language_the_person_read(submit):
    """Read in English, newsletters wanted in Swedish: the consent is the English text."""
    submit("/en/newsletter/", {"email": "eva@example.org", "language": "sv", "consent": "on"})
    registration = Registration.objects.select_related("consent").get(email="eva@example.org")
    assert registration.language == "sv"  # what we send her
    assert registration.consent.language == "en"
    assert registration.consent.text.startswith("I want the Ta steget newsletter")


@pytest.mark.parametrize(
    ("framed_by", "sent_from", "source"),
    [
        # The browser says which page framed the form, and the form sent itself: the claim holds.
        ("https://www.are.se/flytta/", "the frame", "https://www.are.se"),
        # No Referer at all (a site with no-referrer): the allowed claim stands.
        (None, None, "https://www.are.se"),
        # Framed by another page than it claims: the form does not pass the claim on.
        ("https://evil.example/", "the frame", "embed:are"),
        # Sent from somewhere else than the form's own page: not trusted.
        (None, "https://evil.example/copy-of-the-form", "embed:are"),
    ],
)
def test_the_claimed_website_must_agree_with_what_the_browser_says(
    client, are_embeddable, framed_by, sent_from, source
):
    frame = "/embed/are/?origin=https://www.are.se"
    html = client.get(frame, **({"HTTP_REFERER": framed_by} if framed_by else {})).content.decode()
    action = html.split('<form method="post" action="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    referer = {"the frame": "http://testserver" + frame, None: None}.get(sent_from, sent_from)
    client.post(action, {**form_values(html), **GUIDANCE}, **({"HTTP_REFERER": referer} if referer else {}))
    assert Registration.objects.get().source == source
