"""The Nu Html Checker (vnu.jar, the W3C validator's engine, on the JDK)
finds no errors on any page type in any language, nor on the pages a form
shows after a bad POST or a good one, search's answers, or the 404 page.

Every page type is found from the models (one live page per type and
language), so a new page type is checked without a change here. The pages
are rendered with Django's test client on the test database (SQLite or
PostgreSQL, as the run), written to one folder and checked in ONE run of
the checker: a JVM start costs about two seconds.

`make test` runs this file (tests/conftest.py: SLOW), `make test-fast` does
not. Without Java or node_modules/vnu-jar (`make install-test-tools` installs
both) it fails, as the axe checks do without node_modules/axe-core.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Page, get_page_models

from ambassadors.models import Ambassador
from ambassadors.models.pages import AmbassadorDirectoryPage
from events.models import EventIndexPage, EventPage
from intake.choices import Kind
from intake.models.pages import FormPage, RegistrationPage
from intake.movers import mover_link
from intake.subscribers import newsletter_link, preferences_link
from magazine.models import MagazineIssuePage, current_issue
from places.models import Municipality
from stories.models import StoryIndexPage
from tests.conftest import GUIDANCE
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
# VNU_JAR: another copy of the jar, for a run before `npm ci` has installed it.
VNU_JAR = Path(os.environ.get("VNU_JAR") or ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar")
LANGUAGES = ("sv", "en", "de", "ar")

# A document with one known error (the autocomplete token for a textarea on
# an input): proves the checker ran, read every file and reports lines.
CANARY = """<!DOCTYPE html>
<html lang="en">
<head><title>Canary</title></head>
<body>
<input name="address" autocomplete="street-address" aria-label="Address">
</body>
</html>
"""


def checker():
    """The command that runs the checker; fails (never skips) when Java or the jar is missing."""
    java = shutil.which("java")
    assert java, "Java is missing: `make install-test-tools` installs Debian's default-jre-headless"
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: `make install-test-tools` installs it (npm ci)"
    return [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", "--exit-zero-always"]


def run_checker(command, documents, folder):
    """Check {label: html} in one run of vnu.jar; returns {label: [(line, message)]} of errors."""
    files = {}
    for number, (label, html) in enumerate(documents.items()):
        path = folder / f"{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri()] = label
    result = subprocess.run(
        command + [urlsplit(uri).path for uri in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    errors = {label: [] for label in documents}
    for message in json.loads(result.stdout)["messages"]:
        # "error", or "non-document-error" (a file it could not read): both fail.
        assert message["type"] != "info", message
        label = files.get(Path(urlsplit(message.get("url", "")).path).resolve().as_uri(), message.get("url"))
        errors.setdefault(label, []).append((message.get("lastLine"), message["message"]))
    return errors


def one_page_of_each_type(language):
    """{page type: a live page of it in this language}, for every page type the site has."""
    pages = {}
    for model in get_page_models():
        if model is Page:
            continue
        page = model.objects.live().public().filter(locale__language_code=language).order_by("path").first()
        if page is not None:
            pages[model] = page
    return pages


MEETUP_PERSON = {"first_name": "Ida", "last_name": "Ström", "phone": "", "consent": "on"}


def prefix(language):
    return "" if language == "sv" else f"/{language}/"


def collect(client, submit, language, pages):
    """{label: html} of every page to check in one language."""
    documents = {}

    def get(url, status=200, **params):
        response = client.get(url, params)
        label = response.request["PATH_INFO"] + ("?" + response.request["QUERY_STRING"] if params else "")
        assert response.status_code == status, (label, response.status_code)
        documents[f"GET {label}"] = response.content.decode()

    def post(url, data=None, follow=False):
        """Without data: a bad POST, which shows the form again with its errors."""
        response = submit(url, data or {}, follow=follow)
        label = f"POST {url}" + (f" → {response.request['PATH_INFO']}" if follow else "")
        assert response.status_code == 200, (label, response.status_code)
        assert bool(data) or response.context["form"].errors, label
        documents[label] = response.content.decode()

    for page in pages.values():
        get(page.url)
        if isinstance(page, StoryIndexPage):
            get(page.url, kommun="are")
            get(page.url, sida="2")
        if isinstance(page, AmbassadorDirectoryPage):
            profile = page.url + page.reverse_subpage("profile", args=[Ambassador.objects.published().first().pk])
            get(profile)
            post(profile)
            apply = page.url + page.reverse_subpage(page.apply_route())
            get(apply)
            post(apply)
        if isinstance(page, FormPage) and not isinstance(page, MagazineIssuePage):
            post(page.url)
        if isinstance(page, EventIndexPage):
            get(page.url + page.reverse_subpage("archive"))
        if isinstance(page, EventPage):
            post(page.url)
            post(page.url, {**MEETUP_PERSON, "email": f"meetup-{language}@example.org"}, follow=True)
    issue = current_issue(pages[RegistrationPage].locale_id)  # only the current issue takes orders
    if issue is not None:
        get(issue.url)
        post(issue.url)
    post(pages[RegistrationPage].url, GUIDANCE, follow=True)  # the thank-you page
    with translation.override(language):
        search = reverse("search")
        preferences_request = reverse("intake_newsletter_preferences_request")
    get(search, q="ostersund")  # results
    get(search, q="zebra")  # none
    get(search, q="östersnd")  # did you mean "Östersund"?
    get(preferences_request)
    row = RegistrationFactory(
        kind=Kind.NEWSLETTER,
        email=f"reader-{language}@example.org",
        language=language,
        topics=["jobs"],
        municipality=Municipality.objects.region(),
        confirmed_at=timezone.now(),
    )
    get(urlsplit(preferences_link(row)).path)
    for action in ("confirm", "unsubscribe"):  # the pages a newsletter e-mail's links open
        get(urlsplit(newsletter_link(row, action)).path)
    get(preferences_request + "not-a-real-token/", 400)
    case = RegistrationFactory(
        kind=Kind.GUIDANCE,
        email=f"mover-{language}@example.org",
        language=language,
        topics=["networks", "housing"],
        municipality=Municipality.objects.in_default_locale().get(slug="are"),
        due_date=timezone.localdate(),
    )
    mover_page = urlsplit(mover_link(case)).path
    get(mover_page)  # the mover's own page, from the confirmation e-mail
    with translation.override(language):
        get(reverse("mover_page_request"))
    get(mover_page.rstrip("/") + "x/", 400)  # a broken link
    get(f"{prefix(language) or '/'}finns-inte/", 404)
    privacy = Page.objects.get(slug="personuppgifter", locale__language_code="sv")
    get(privacy.get_translation(Locale.objects.get(language_code=language)).url)
    get(f"{prefix(language) or '/'}embed/are/")
    with translation.override(language):
        get(reverse("intake_embed_thanks", args=["are"]))
    return documents


def test_every_page_type_in_every_language_is_valid_html(client, submit, tmp_path):
    command = checker()
    documents = {}
    covered = set()
    for language in LANGUAGES:
        pages = one_page_of_each_type(language)
        covered.update(pages)
        documents.update(collect(client, submit, language, pages))
    # Every page type has a page in the demo content, so none goes unchecked.
    assert {model for model in get_page_models() if model is not Page} == covered
    documents["canary"] = CANARY

    errors = run_checker(command, documents, tmp_path)

    canary = errors.pop("canary")
    assert len(canary) == 1 and canary[0][0] == 5 and "street-address" in canary[0][1], canary
    found = [f"{label} (line {line}): {message}" for label, each in errors.items() for line, message in each]
    assert not found, f"{len(found)} HTML errors in {len(documents) - 1} pages:\n" + "\n".join(found)
