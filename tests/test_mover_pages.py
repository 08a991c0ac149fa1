"""Municipality pages worth reading, a thank-you page that is the first step,
and the small defects a new visitor met."""

import re
from pathlib import Path

import pytest
from django.core import mail
from wagtail.images.models import Image
from wagtail.models import Page

from ambassadors.models import Ambassador
from intake import tasks
from intake.models import Registration
from places.models import Adviser
from tests.conftest import GUIDANCE

pytestmark = pytest.mark.django_db


def test_municipality_page_has_image_facts_sections_and_everything_about_the_place(client):
    body = client.get("/en/are/").content.decode()
    assert re.search(r'<div class="page-hero__image">\s*<picture>', body)
    for fact in ("Population", "12 500", "By car to Östersund", "To the airport", "Nearest train station", "Towns"):
        assert fact in body, fact
    for heading in ("Housing", "Work", "School and childcare", "Leisure"):
        assert f">{heading}</h2>" in body, heading
    assert "The mountains became our everyday life" in body  # a story from Åre
    assert 'href="/en/stories/?kommun=are"' in body
    assert 'href="/en/ambassadors/?kommun=are"' in body and "Ambassadors in Åre Municipality" in body
    assert "Åre Work Lodge" in body
    assert "Sara Lind" in body and '<bdi dir="ltr">+46 647 161 00</bdi>' in body
    assert 'href="/en/register/?kommun=are"' in body
    assert "Coding with a view" not in body  # Östersund's story


def test_the_region_page_lists_all_eight_municipalities(client):
    body = client.get("/region/").content.decode()
    for slug in ("berg", "bracke", "harjedalen", "krokom", "ragunda", "stromsund", "are", "ostersund"):
        assert f'href="/{slug}/"' in body, slug
    assert "Länets åtta kommuner" in body


def test_thank_you_page_names_the_advisers_the_contact_method_and_the_date(submit, client):
    response = submit("/en/register/", {**GUIDANCE, "preferred_contact": "phone"}, follow=True)
    body = response.content.decode()
    registration = Registration.objects.get()
    assert "Your moving advisers" in body
    assert "Sara Lind" in body and "Oskar Ek" in body and "+46 647 161 01" in body
    assert "contacted by phone" in body
    assert registration.due_date.strftime("%-d %B %Y") in body
    for link in (
        'href="/en/are/"',
        'href="/en/stories/?kommun=are"',
        'href="/en/ambassadors/?kommun=are"',
        'href="/en/coworking/?kommun=are"',
    ):
        assert link in body, link


def test_thank_you_page_for_one_adviser_says_adviser(submit):
    body = submit("/anmal-intresse/", {**GUIDANCE, "municipality": "berg"}, follow=True).content.decode()
    assert "Din flyttvägledare" in body and "Dina flyttvägledare" not in body
    assert "Karin Olsson" in body and "kontaktad via e-post" in body


@pytest.mark.parametrize(
    ("municipality", "heading"), [("are", "Your moving advisers:"), ("berg", "Your moving adviser:")]
)
def test_confirmation_email_heading_agrees_in_number(submit, municipality, heading):
    submit("/en/register/", {**GUIDANCE, "municipality": municipality})
    registration = Registration.objects.get()
    for delivery in registration.deliveries.exclude(channel="crm"):
        tasks.deliver.call(delivery.pk)
    confirmation = next(m for m in mail.outbox if m.to == ["ida@example.org"])
    assert heading in confirmation.body


def test_magazine_pdf_link_gives_its_real_size(client):
    body = client.get("/en/magazine/nummer-2026-1/").content.decode()
    size = re.search(r"Download the issue \(PDF, ([^)]+)\)", body).group(1)
    assert not size.startswith("0")


def test_search_form_submits_to_the_search_page(client):
    body = client.get("/en/search/?q=are").content.decode()
    assert '<form method="get" action="/en/search/" role="search"' in body


def test_story_call_to_action_links_to_its_municipality(client):
    body = client.get("/en/stories/coding-with-a-view-of-lake-storsjon/").content.decode()
    call = re.search(r'<section class="register-call".*?</section>', body, re.S).group(0)
    assert 'href="/en/register/?kommun=ostersund"' in call
    assert 'href="/en/ostersund/"' in call


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/are/",
        "/en/stories/",
        "/berattelser/bageriet-i-hammarstrand/",
        "/en/magazine/nummer-2026-1/",
        "/en/coworking/",
        "/en/register/",
        "/en/search/",
    ],
)
def test_every_page_has_a_description_and_a_title_that_does_not_repeat_itself(client, path):
    body = client.get(path).content.decode()
    description = re.search(r'<meta name="description" content="([^"]*)">', body).group(1)
    assert len(description) > 20, path
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    assert title.count("Ta steget") <= 1 or title.startswith("Ta steget till"), title
    assert title.strip() not in ("Ta steget – Ta steget", "Take the step – Ta steget")


def test_english_magazine_form_preselects_sweden_in_english(client):
    english = client.get("/en/order-the-magazine/").content.decode()
    swedish = client.get("/bestall-magasinet/").content.decode()
    assert re.search(r'name="country" value="Sweden"', english)
    assert re.search(r'name="country" value="Sverige"', swedish)


def test_english_pages_are_english_or_say_which_text_is_swedish(client):
    issue = client.get("/en/magazine/nummer-2026-1/").content.decode()
    assert "Coding with a view of Lake Storsjön" in issue and "Kodar med utsikt" not in issue
    home = client.get("/en/").content.decode()
    assert '<p lang="sv">Jag heter' in home  # an ambassador's own words, in Swedish
    directory = client.get("/en/ambassadors/").content.decode()
    assert '<p lang="sv">Jag heter' in directory
    # An ambassador's interests are their own words too (free text, in Swedish).
    ambassador = Ambassador.objects.exclude(interests="").filter(is_published=True).first()
    profile = client.get(f"/en/ambassadors/{ambassador.pk}/").content.decode()
    interests = ", ".join(ambassador.interest_list)
    assert f'Interests: <span lang="sv">{interests}</span>' in profile


def test_arabic_pages_keep_phone_numbers_and_postal_codes_left_to_right(client):
    body = client.get("/ar/are/").content.decode()
    assert '<bdi dir="ltr">+46 647 161 00</bdi>' in body
    assert '<address lang="sv" dir="ltr">' in body


def test_an_advisers_photo_is_shown_on_the_thank_you_and_municipality_pages(submit, client):
    photo = Image.objects.first()  # a demo photograph
    Adviser.objects.filter(name="Sara Lind").update(photo=photo)
    thanks = submit("/en/register/", GUIDANCE, follow=True).content.decode()
    municipality = client.get("/en/are/").content.decode()
    for body in (thanks, municipality):
        advisers = re.findall(r'<li class="adviser">.*?</li>', body, re.S)
        with_photo = [item for item in advisers if 'class="adviser__photo"' in item]
        assert len(with_photo) == 1 and "Sara Lind" in with_photo[0], advisers
        assert 'alt=""' in with_photo[0]  # the name beside it says who it is


def test_design_doc_links_a_screenshot_of_every_page_and_form_state_at_both_sizes():
    docs = Path(__file__).resolve().parent.parent / "docs"
    linked = re.findall(r"\]\((img/design/[^)]+)\)", (docs / "design.md").read_text())
    for shot in linked:
        assert (docs / shot).is_file(), shot
    for state in ("home", "municipality", "story", "stories", "form", "form-errors", "form-thanks"):
        for size in ("desktop", "phone"):
            assert f"img/design/{state}-{size}.webp" in linked, (state, size)


def test_every_live_page_in_every_language_has_a_description_and_a_title_once(client):
    checked = 0
    for page in Page.objects.live().public().filter(depth__gt=1).specific():
        url = page.url
        if not url:
            continue
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        body = response.content.decode()
        description = re.search(r'<meta name="description" content="([^"]*)">', body)
        assert description and len(description.group(1).strip()) > 20, url
        title = re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()
        assert title and not re.fullmatch(r"(.+) – \1", title), (url, title)
        checked += 1
    assert checked >= 150  # every page type, in sv, en, de and ar
