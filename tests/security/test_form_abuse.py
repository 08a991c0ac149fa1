"""No public form can be turned against us or against a person.

Rate limits count valid submissions per client (IPv6 per /64) and per target;
a token is one registration; a repeated order reveals nothing.
"""

import pytest
from django.test import RequestFactory

from ambassadors.models import Ambassador
from intake import ratelimit
from intake.models import Delivery, Registration
from tests.conftest import GUIDANCE, form_values

pytestmark = pytest.mark.django_db


def relay(client, ambassador, name="Vera", email="vera@example.org", message="Hej!", **extra):
    url = f"/en/ambassadors/{ambassador.pk}/"
    html = client.get(url, **extra).content.decode()
    data = {**form_values(html), "name": name, "email": email, "message": message, "consent": "on"}
    return client.post(url, data, **extra)


def test_invalid_posts_from_everyone_behind_a_proxy_block_no_one(client, settings):
    """TRUSTED_PROXY_COUNT=0 behind a proxy: every visitor shares one address."""
    settings.INTAKE_RATE_LIMIT = 2
    for _ in range(10):
        assert client.post("/anmal-intresse/", {}).status_code == 200
    page = client.get("/anmal-intresse/").content.decode()
    response = client.post("/anmal-intresse/", {**form_values(page), **GUIDANCE})
    assert response.status_code == 302


def test_valid_submissions_count_against_the_client(client, settings):
    settings.INTAKE_RATE_LIMIT = 2
    statuses = []
    for n in range(3):
        page = client.get("/anmal-intresse/").content.decode()
        data = {**form_values(page), **GUIDANCE, "email": f"ida{n}@example.org"}
        statuses.append(client.post("/anmal-intresse/", data).status_code)
    assert statuses == [302, 302, 429]
    assert Registration.objects.filter(email__startswith="ida").count() == 2


def test_ipv6_clients_are_grouped_by_their_64_prefix(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    factory = RequestFactory()

    def key(forwarded):
        return ratelimit.client_key(factory.post("/", HTTP_X_FORWARDED_FOR=forwarded))

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff:ffff:ffff:ffff") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("198.51.100.7") == "198.51.100.7"
    assert key("::ffff:198.51.100.7") == "198.51.100.7"
    assert key("forged, 203.0.113.9") == "203.0.113.9"


def test_one_ambassador_receives_at_most_the_daily_limit_from_any_number_of_addresses(
    client, settings, django_capture_on_commit_callbacks
):
    settings.INTAKE_AMBASSADOR_DAILY_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    ambassador = Ambassador.objects.get(name="Mira")
    statuses = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for n in range(5):
            response = relay(client, ambassador, email=f"v{n}@example.org", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
            statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert len(callbacks) == 3
    assert "has received many messages today" in response.content.decode()  # /en/
    # Another ambassador is not affected.
    assert relay(client, Ambassador.objects.get(name="Per"), HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 302


def test_confirmations_to_one_address_are_capped_per_day(submit, settings):
    settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY = 2
    for n in range(4):
        assert submit("/anmal-intresse/", {**GUIDANCE, "first_name": f"Spam{n}"}).status_code == 302
    confirmations = Delivery.objects.filter(channel=Delivery.Channel.CONFIRMATION_EMAIL, recipient=GUIDANCE["email"])
    assert confirmations.count() == 2
    # Every answer is still stored: one case (one person, one municipality) with three updates.
    case = Registration.objects.get(email=GUIDANCE["email"])
    assert case.updates.count() == 3 and case.first_name == "Spam3"


def test_one_token_is_one_registration_and_never_shows_someone_elses_thanks(client):
    page = client.get("/anmal-intresse/").content.decode()
    token = form_values(page)
    first = client.post("/anmal-intresse/", {**token, **GUIDANCE})
    assert first.status_code == 302
    second = client.post("/anmal-intresse/", {**token, **GUIDANCE, "first_name": "Olle", "email": "olle@example.org"})
    assert second.status_code == 200
    body = second.content.decode()
    assert "redan skickats med andra svar" in body  # Swedish, the default language
    assert 'value="olle@example.org"' in body  # the second person's answers are kept
    assert form_values(body)["form_token"] != token["form_token"]  # a fresh token to send again
    assert Registration.objects.filter(email="olle@example.org").count() == 0
    # The same person's double submit still lands on their own thank-you page.
    again = client.post("/anmal-intresse/", {**token, **GUIDANCE})["Location"]
    # The same registration, in a new opaque address (encrypted, never the same twice).
    from django.test import RequestFactory

    from intake.pipeline import read_thanks

    assert again != first["Location"]
    assert read_thanks(RequestFactory().get(again)) == read_thanks(RequestFactory().get(first["Location"]))
    assert read_thanks(RequestFactory().get(again))["r"]


def test_a_reused_relay_token_with_another_message_is_refused(client, django_capture_on_commit_callbacks):
    ambassador = Ambassador.objects.get(name="Per")
    url = f"/en/ambassadors/{ambassador.pk}/"
    token = form_values(client.get(url).content.decode())
    data = {**token, "name": "Vera", "email": "vera@example.org", "message": "Hej!", "consent": "on"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url, data).status_code == 302
        other = client.post(url, {**data, "name": "Olle", "email": "olle@example.org", "message": "Mitt eget"})
    assert other.status_code == 200
    assert "already sent with other answers" in other.content.decode()  # /en/
    assert len(callbacks) == 1


MAGAZINE = {
    "first_name": "Per",
    "last_name": "Lund",
    "street_address": "Storgatan 1",
    "postal_code": "831 30",
    "town": "Östersund",
    "country": "Sverige",
    "consent": "on",
}


def test_a_repeated_magazine_order_looks_exactly_like_a_first_one(client, submit):
    first = submit("/bestall-magasinet/", MAGAZINE, follow=True)
    Registration.objects.filter(kind="magazine").delete()
    fresh = submit("/bestall-magasinet/", MAGAZINE, follow=True)
    again = submit("/bestall-magasinet/", {**MAGAZINE, "first_name": "Someone"}, follow=True)
    assert first.status_code == fresh.status_code == again.status_code == 200
    assert again.content.decode().count("<p") == fresh.content.decode().count("<p")
    assert "redan" not in again.content.decode()
    assert Registration.objects.filter(kind="magazine").count() == 1


def test_embedded_form_and_its_answers_are_never_cached(client):
    form = client.get("/embed/are/")
    assert "no-store" in form["Cache-Control"]
    html = form.content.decode()
    posted = client.post("/embed/are/", {**form_values(html), **GUIDANCE})
    assert posted.status_code == 302
    assert "no-store" in posted["Cache-Control"]
    thanks = client.get(posted["Location"])
    assert thanks.status_code == 200
    assert "no-store" in thanks["Cache-Control"]
