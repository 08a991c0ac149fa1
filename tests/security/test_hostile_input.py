"""Hostile input to every public form field and query parameter.

No 500, no HTML reflected unescaped, and nothing lost that was valid: an
invalid field shows the form again with every other answer kept.
"""

import html
import re

import pytest
from wagtail.models import Page

from ambassadors.models import Ambassador, AmbassadorDirectoryPage
from intake.models import MagazineOrderPage, NewsletterPage, RegistrationPage
from tests.conftest import GUIDANCE, form_values

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    "\x00",
    "a\x00b",
    "ctrl\x01\x1b[31m\x7f",
    "x" * 10240,
    "\u202egnp.exe",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "//evil.example/x",
    "../../../../etc/passwd",
    "%00%0d%0aSet-Cookie: x=1",
    "' OR 1=1 --",
    "Ｅｖｉｌ\ufeff",
]
# Query parameters the site's views read, and some they do not.
PARAMETERS = ["q", "p", "page", "kommun", "sprak", "intresse", "amne", "topic", "origin", "r", "next", "lang"]


def reflected(body):
    """HTML that came through unescaped."""
    return SCRIPT in body or "<img src=x onerror" in body


def public_forms():
    sv = {"locale__language_code": "sv"}
    directory = AmbassadorDirectoryPage.objects.live().get(**sv)
    ambassador = Ambassador.objects.published().first()
    return {
        "guidance": (RegistrationPage.objects.live().filter(**sv).first().url, dict(GUIDANCE)),
        "embed": ("/embed/are/", dict(GUIDANCE)),
        "magazine": (
            MagazineOrderPage.objects.live().filter(**sv).first().url,
            {
                "first_name": "Per",
                "last_name": "Lund",
                "street_address": "Storgatan 1",
                "postal_code": "831 30",
                "town": "Östersund",
                "country": "Sverige",
                "email": "per@example.org",
                "consent": "on",
            },
        ),
        "newsletter": (
            NewsletterPage.objects.live().filter(**sv).first().url,
            {"email": "nyhet@example.org", "language": "sv", "consent": "on"},
        ),
        "relay": (
            f"{directory.url}{ambassador.pk}/",
            {"name": "Vera", "email": "vera@example.org", "message": "Hej!", "consent": "on"},
        ),
        "application": (
            f"{directory.url}bli-ambassador/",
            {
                "name": "Sam Berg",
                "email": "sam@example.org",
                "municipality": "are",
                "languages": "svenska",
                "text": "Jag vill hjälpa nya.",
                "consent": "on",
            },
        ),
    }


FREE_TEXT = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "town",
    "message",
    "street_address",
    "postal_code",
    "name",
    "place",
    "moved_from",
    "languages",
    "interests",
    "text",
    "municipality",
    "website",
    "form_token",
    "consent_version",
}


@pytest.mark.parametrize("form", ["guidance", "embed", "magazine", "newsletter", "relay", "application"])
def test_hostile_values_in_every_field_of_every_public_form(client, form, settings):
    settings.INTAKE_AMBASSADOR_DAILY_LIMIT = 1000
    settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY = 1000
    client.raise_request_exception = False
    url, valid = public_forms()[form]
    problems = []
    page = client.get(url)
    assert page.status_code == 200, url
    names = set(re.findall(r'name="([a-z_]+)"', page.content.decode())) & FREE_TEXT
    assert names, url
    for name in sorted(names):
        fresh = form_values(client.get(url).content.decode())
        # Every field gets the worst few; the first free-text field gets them all.
        for value in HOSTILE if name == min(names - {"form_token", "consent_version"}) else HOSTILE[1:6]:
            data = {**valid, **fresh, name: value}
            response = client.post(url, data)
            body = response.content.decode(errors="replace")
            if response.status_code not in (200, 302):
                problems.append(f"{name}={value[:20]!r}: {response.status_code}")
            elif reflected(body):
                problems.append(f"{name}={value[:20]!r}: HTML reflected")
            elif response.status_code == 200 and name not in ("email",):
                # The form again: the valid e-mail address is kept (nothing lost).
                kept = valid.get("email")
                if kept and html.escape(kept) not in body and "Too many" not in body and "För många" not in body:
                    problems.append(f"{name}={value[:20]!r}: the valid e-mail was lost")
            elif response.status_code == 302 and response["Location"].startswith(("//", "http")):
                problems.append(f"{name}={value[:20]!r}: redirects off the site: {response['Location']}")
    assert problems == []


def test_hostile_query_parameters_on_every_page(client):
    client.raise_request_exception = False
    urls = sorted({page.url for page in Page.objects.live().specific() if page.url})
    urls += ["/sok/", "/en/search/", "/embed/are/", "/embed/are/tack/", "/nyhetsbrev/bekrafta/x/"]
    problems = []
    for index, url in enumerate(urls):
        values = (
            HOSTILE
            if url in ("/sok/", "/ambassadorer/", "/berattelser/", "/embed/are/")
            else [HOSTILE[index % len(HOSTILE)]]
        )
        for value in values:
            response = client.get(url, dict.fromkeys(PARAMETERS, value))
            body = response.content.decode(errors="replace")
            if response.status_code >= 500:
                problems.append(f"{url}?…={value[:20]!r}: {response.status_code}")
            elif reflected(body):
                problems.append(f"{url}?…={value[:20]!r}: HTML reflected")
    assert problems == []
