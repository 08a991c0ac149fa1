"""Ambassadors: a directory that scales, and a relay that never reveals an address."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambassadors.models import Ambassador, RelayDay
from places.models import Municipality
from tests.conftest import form_values, run_worker

pytestmark = pytest.mark.django_db


def names(body):
    return re.findall(r'<h3 class="card__title"><a href="[^"]+">([^<]+)</a></h3>', body)


def test_directory_renders_in_both_languages(client):
    assert "20 ambassadörer" in client.get("/ambassadorer/").content.decode()
    assert "20 ambassadors" in client.get("/en/ambassadors/").content.decode()


def test_directory_filters_by_municipality_language_and_interest(client):
    body = client.get("/en/ambassadors/", {"kommun": "are"}).content.decode()
    expected = set(Ambassador.objects.filter(municipality__slug="are").values_list("name", flat=True))
    assert set(names(body)) == expected and expected
    arabic = client.get("/en/ambassadors/", {"sprak": "ar"}).content.decode()
    assert set(names(arabic)) == set(Ambassador.objects.filter(languages__contains="ar").values_list("name", flat=True))
    assert "es" not in {code for a in Ambassador.objects.filter(name__in=names(arabic)) for code in a.language_codes}
    music = client.get("/en/ambassadors/", {"intresse": "musik"}).content.decode()
    assert set(names(music)) == set(
        Ambassador.objects.filter(interests__icontains="musik").values_list("name", flat=True)
    )


def test_only_consenting_published_profiles_are_shown(client):
    hidden = Ambassador.objects.get(name="Karin")
    hidden.is_published = False
    hidden.save()
    no_consent = Ambassador.objects.get(name="Ola")
    no_consent.consent_given_at = None
    no_consent.save()
    body = client.get("/en/ambassadors/").content.decode()
    assert "Karin" not in names(body) and "Ola" not in names(body)
    assert client.get(f"/en/ambassadors/{hidden.pk}/").status_code == 404


def add_ambassadors(count):
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    Ambassador.objects.bulk_create(
        Ambassador(
            name=f"Extra {n}",
            municipality=berg,
            languages="sv",
            text="Hej",
            email=f"x{n}@example.org",
            consent_given_at=timezone.now(),
            is_published=True,
        )
        for n in range(count)
    )


def test_directory_query_count_is_fixed_as_profiles_grow(client, uncached):
    def count():
        client.get("/en/ambassadors/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/ambassadors/?sida=2").status_code == 200
        return len(captured)

    add_ambassadors(20)  # 40 in all
    before = count()
    add_ambassadors(360)  # 400 in all
    assert count() == before
    assert "400 ambassadors" in client.get("/en/ambassadors/").content.decode()


def test_the_ambassadors_address_never_reaches_the_visitor(client, django_capture_on_commit_callbacks):
    ambassador = Ambassador.objects.get(name="Mira")
    url = f"/en/ambassadors/{ambassador.pk}/"
    pages = [client.get("/en/ambassadors/"), client.get("/ambassadorer/"), client.get(url)]
    html = pages[-1].content.decode()
    pages.append(client.post(url, {**form_values(html), "name": "", "email": "bad", "message": ""}))  # error page
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url,
            {
                **form_values(html),
                "name": "Vera",
                "email": "vera@example.org",
                "message": "Hur är vintrarna?",
                "consent": "on",
            },
        )
    assert sent.status_code == 302
    pages.append(client.get(sent["Location"]))
    for response in pages:
        assert ambassador.email not in response.content.decode()
        assert ambassador.email not in str(response.headers)
    assert "Your message is on its way to Mira" in pages[-1].content.decode()

    run_worker()
    assert len(mail.outbox) == 1
    relayed = mail.outbox[0]
    assert relayed.to == [ambassador.email]
    assert relayed.reply_to == ["vera@example.org"]
    assert "Hur är vintrarna?" in relayed.body
    assert all(ambassador.email not in recipient for m in mail.outbox for recipient in m.to if m is not relayed)


def test_a_double_submit_relays_one_message(client, django_capture_on_commit_callbacks):
    ambassador = Ambassador.objects.get(name="Per")
    url = f"/en/ambassadors/{ambassador.pk}/"
    data = {
        **form_values(client.get(url).content.decode()),
        "name": "Vera",
        "email": "vera@example.org",
        "message": "Hej!",
        "consent": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
        client.post(url, data)
    run_worker()
    assert len(mail.outbox) == 1
    # The quarterly report counts one relayed message for the ambassador's municipality, and no person.
    assert list(RelayDay.objects.values_list("municipality_id", "messages")) == [(ambassador.municipality_id, 1)]


def test_contact_form_has_the_same_spam_protection(client, settings):
    ambassador = Ambassador.objects.get(name="Jenny")
    url = f"/en/ambassadors/{ambassador.pk}/"
    html = client.get(url).content.decode()
    honeypot = client.post(
        url,
        {
            **form_values(html),
            "name": "Bot",
            "email": "b@example.org",
            "message": "x",
            "consent": "on",
            "website": "http://spam.example",
        },
    )
    assert "Leave this field empty" in honeypot.content.decode()
    settings.INTAKE_RATE_LIMIT = 0
    limited = client.post(
        url, {**form_values(html), "name": "A", "email": "a@example.org", "message": "x", "consent": "on"}
    )
    assert limited.status_code == 429
    assert 'value="a@example.org"' in limited.content.decode()


def interest_options(body):
    select = re.search(r'<select class="form-select" id="f-intresse" name="intresse">(.*?)</select>', body, re.S).group(
        1
    )
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]+)</option>', select)


def test_the_interest_filter_offers_the_interests_ambassadors_name(client):
    body = client.get("/en/ambassadors/").content.decode()
    offered = interest_options(body)
    named = {
        interest.strip().casefold()
        for interests in Ambassador.objects.published().values_list("interests", flat=True)
        for interest in interests.split(",")
        if interest.strip()
    }
    assert offered[0] == ("", "Any interest")
    assert {value for value, _name in offered[1:]} == named and "körsång" in named
    assert '<option value="körsång" lang="sv">körsång</option>' in body  # Swedish words marked as such
    chosen = client.get("/en/ambassadors/", {"intresse": "körsång"}).content.decode()
    assert '<option value="körsång" lang="sv" selected>' in chosen
    expected = {a.name for a in Ambassador.objects.published() if "körsång" in a.interest_list}
    assert set(names(chosen)) == expected and expected


@pytest.mark.parametrize("value", ["zebrafinkar", "körs", "<script>x</script>", "🦓", "x" * 500])
def test_an_unknown_interest_is_said_calmly_and_all_ambassadors_shown(client, value):
    response = client.get("/en/ambassadors/", {"intresse": value})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="notice" role="status">No ambassador has named the interest' in body
    assert "<script>x" not in body
    assert len(names(body)) == len(names(client.get("/en/ambassadors/").content.decode()))
