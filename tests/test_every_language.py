"""German and Arabic visitors keep their language on pages not translated yet:
the form, its errors, the thank-you page and the e-mails are in their
language, the registration records it for the adviser and the CRM, the
site's frame is translated, and every newsletter link is in the subscriber's
language. The editors' Swedish text stays Swedish, marked as such."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from intake import tasks
from intake.choices import Kind
from intake.models import Delivery, Registration
from intake.outbox.payload import build_payload
from tests.conftest import GUIDANCE, run_worker
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def html_tag(body):
    return re.search(r"<html[^>]*>", body).group(0)


def test_the_arabic_form_on_a_swedish_fallback_page_is_in_arabic(client):
    body = client.get("/ar/anmal-intresse/").content.decode()
    assert html_tag(body) == '<html lang="ar" dir="rtl">'
    # The form is ours to translate: Arabic labels and button.
    assert "الاسم الأول" in body and "أرسل تسجيلي" in body and "متى تخطط للانتقال؟" in body
    # The editors' title is still Swedish and says so; the notice still tells.
    assert re.search(r'<h1 lang="sv" dir="ltr">[^<]+</h1>', body)
    assert 'class="notice language-fallback"' in body and '<meta name="robots" content="noindex">' in body
    assert "Sie wird" not in body and "Det visas nedan" not in body


def test_errors_on_the_german_fallback_form_are_german(client):
    page = client.get("/de/anmal-intresse/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = client.post("/de/anmal-intresse/", {"form_token": token, "consent_version": "2026-1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Geben Sie Ihren Vornamen ein." in body and "Fehler:" in body
    assert "Ange ditt förnamn" not in body


def test_a_registration_from_the_arabic_page_records_arabic_everywhere(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit("/ar/anmal-intresse/", GUIDANCE)
    assert response.status_code == 302 and response["Location"].startswith("/ar/anmal-intresse/tack/")
    registration = Registration.objects.get(email="ida@example.org")
    # The visitor's language (the address's), not the page text's.
    assert registration.language == "ar" and registration.consent.language == "ar"
    assert registration.consent.text.startswith("أوافق")

    thanks = response.client.get(response["Location"]).content.decode()
    assert html_tag(thanks) == '<html lang="ar" dir="rtl">'
    assert "<h1>شكرًا لك!</h1>" in thanks and "وصل تسجيلك إلى مستشاري الانتقال" in thanks

    crm = registration.deliveries.get(channel=Delivery.Channel.CRM)
    assert build_payload(crm)["language"] == "ar"

    for delivery in registration.deliveries.exclude(channel=Delivery.Channel.CRM):
        assert tasks.deliver.call(delivery.pk) == "delivered"
    confirmation = next(message for message in mail.outbox if message.to == ["ida@example.org"])
    assert confirmation.subject == "شكرًا على تسجيلك – Ta steget"
    assert "سنتواصل معك خلال خمسة أيام عمل" in confirmation.body
    # The adviser reads Swedish, and learns which language the person reads.
    adviser = next(message for message in mail.outbox if message.to == ["sara.are@example.org"])
    assert "Språk: Arabiska (العربيّة)." in adviser.body


def test_the_german_thank_you_page_and_confirmation(submit):
    response = submit("/de/anmal-intresse/", GUIDANCE)
    registration = Registration.objects.get(email="ida@example.org")
    assert registration.language == "de"
    thanks = response.client.get(response["Location"]).content.decode()
    assert html_tag(thanks) == '<html lang="de" dir="ltr">'
    assert "<h1>Vielen Dank!</h1>" in thanks and "Ihre Anmeldung ist bei der Umzugsberatung" in thanks
    delivery = registration.deliveries.get(channel=Delivery.Channel.CONFIRMATION_EMAIL)
    tasks.deliver.call(delivery.pk)
    assert mail.outbox[0].subject == "Vielen Dank für Ihre Anmeldung – Ta steget"


def test_the_adviser_sees_the_persons_language(admin_client):
    registration = RegistrationFactory(kind=Kind.GUIDANCE, language="ar")
    body = admin_client.get(f"/admin/registrations/inspect/{registration.pk}/").content.decode()
    assert "(العربيّة)" in body
    listing = admin_client.get("/admin/registrations/").content.decode()
    assert "(العربيّة)" in listing


def test_the_frame_of_a_fallback_page_is_in_the_visitors_language(client):
    body = client.get("/de/flyttvagledning/").content.decode()
    # The page's text is Swedish, and the document says so ...
    assert html_tag(body) == '<html lang="sv" dir="ltr">'
    # ... the header and footer are German, and say so.
    header = re.search(r"<header[^>]*>.*?</header>", body, re.S).group(0)
    footer = re.search(r"<footer[^>]*>.*?</footer>", body, re.S).group(0)
    assert header.startswith('<header class="site-header" lang="de" dir="ltr">')
    assert footer.startswith('<footer class="site-footer" lang="de" dir="ltr">')
    assert ">Suche</a>" in header and 'href="/de/suche/"' in header
    assert "Bleiben Sie in Kontakt" in footer or "Kontakt" in footer
    # Menu entries whose pages are not translated keep their Swedish title, marked.
    assert re.search(r'<li class="main-nav__item main-nav__item--section" lang="sv" dir="ltr">', header)
    # The notice still says the text is Swedish.
    assert "Sie wird unten auf Schwedisch angezeigt." in body

    arabic = client.get("/ar/flyttvagledning/").content.decode()
    assert re.search(r'<header class="site-header" lang="ar" dir="rtl">', arabic)
    assert re.search(r'<li><a href="/ar/international-house/"[^>]*>البيت الدولي</a>', arabic)


def test_the_german_newsletter_page_preselects_german_and_links_are_german(submit, django_capture_on_commit_callbacks):
    body = Client().get("/de/nyhetsbrev/").content.decode()
    assert re.search(r'<input type="radio"[^>]* name="language" value="de"[^>]*\bchecked', body)
    assert not re.search(r'<input type="radio"[^>]* name="language" value="sv"[^>]*checked', body)

    with django_capture_on_commit_callbacks(execute=True):
        submit("/de/nyhetsbrev/", {"email": "leser@example.org", "language": "de", "consent": "on"})
    registration = Registration.objects.get(email="leser@example.org")
    assert registration.language == "de"
    run_worker()
    confirmation = next(message for message in mail.outbox if message.to == ["leser@example.org"])
    assert "Bitte bestätigen Sie" in confirmation.body
    assert "/de/newsletter/bestaetigen/" in confirmation.body and "/de/newsletter/abmelden/" in confirmation.body
    assert "/de/newsletter/abmelden/" in confirmation.extra_headers["List-Unsubscribe"]
    # The CRM's unsubscribe and preference links (sent once confirmed), whatever
    # language the payload is built in.
    crm = Delivery.objects.create(registration=registration, channel=Delivery.Channel.CRM)
    payload = build_payload(crm)
    assert payload["language"] == "de"
    assert "/de/newsletter/abmelden/" in payload["unsubscribe_url"]
    assert "/de/newsletter/einstellungen/" in payload["preferences_url"]


def test_a_german_subscribers_new_link_email_is_german(client, django_capture_on_commit_callbacks):
    RegistrationFactory(kind=Kind.NEWSLETTER, email="leser@example.org", language="de", confirmed_at=timezone.now())
    form = client.get("/en/newsletter/preferences/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    data = {"email": "leser@example.org"}
    if csrf:
        data["csrfmiddlewaretoken"] = csrf.group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/newsletter/preferences/", data)
    run_worker()
    message = mail.outbox[0]
    assert message.subject == "Ihr Link zu den Newsletter-Einstellungen von Ta steget"
    assert "/de/newsletter/einstellungen/" in message.body
