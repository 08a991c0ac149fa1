"""A mover finds everything in two clicks: the menu, the footer and the home
page's sections lead to every page of the site, in every language."""

import re
from urllib.parse import urlsplit

import pytest
from wagtail.models import Page

from home.models import SiteSettings

pytestmark = pytest.mark.django_db

SKIP = ("/static/", "/media/", "/documents/", "/admin/", "/django-admin/")


def links(html):
    """The site's own paths a page links to (no files, no fragments)."""
    found = set()
    for href in re.findall(r'href="([^"]+)"', html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def within_two_clicks(client, start):
    first = links(client.get(start).content.decode())
    reached = {start, *first}
    for path in sorted(first):
        response = client.get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            reached |= links(response.content.decode())
    return {urlsplit(path).path for path in reached}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_is_within_two_clicks_of_the_home_page(client, language):
    start = "/" if language == "sv" else f"/{language}/"
    reached = within_two_clicks(client, start)
    pages = Page.objects.live().public().filter(locale__language_code=language, depth__gt=2).specific()
    missing = sorted(page.url for page in pages if page.url not in reached)
    assert missing == []
    assert len(pages) >= 38  # stories, municipalities, magazine issues, guides, forms …


def test_home_page_links_to_all_eight_municipalities_and_the_undecided(client):
    body = client.get("/en/").content.decode()
    for slug in ("berg", "bracke", "harjedalen", "krokom", "ragunda", "stromsund", "are", "ostersund", "region"):
        assert f'href="/en/{slug}/"' in body, slug
    assert "Not decided yet?" in body


def test_main_menu_shows_the_whole_offer(client):
    body = client.get("/").content.decode()
    menu = re.search(r'<nav class="main-nav".*?</nav>', body, re.S).group(0)
    for title in (
        "Kommunerna",
        "Berättelser",
        "Magasinet Ta Steget",
        "Ambassadörer",
        "Coworking",
        "Internationellt hus",
        "Flyttvägledning",
        "Östersunds kommun",
        "Beställ magasinet Ta Steget",
        "Nyhetsbrev",
    ):
        assert title in menu, title


def test_every_page_calls_to_register_and_the_footer_offers_the_newsletter(client):
    for path in ("/om-ta-steget/", "/en/stories/", "/de/magasinet/", "/ar/international-house/"):
        body = client.get(path).content.decode()
        header = re.search(r'<header class="site-header"[^>]*>.*?</header>', body, re.S).group(0)
        assert 'class="button site-header__register"' in header, path
        footer = re.search(r'<footer class="site-footer"[^>]*>.*?</footer>', body, re.S).group(0)
        assert "nyhetsbrev/" in footer or "newsletter/" in footer, path


def test_menu_sections_and_pages_follow_the_visitors_language(client):
    body = client.get("/en/").content.decode()
    assert 'href="/en/are/">Åre Municipality</a>' in body
    assert 'href="/en/register/">Register interest</a>' in body or "Register interest" in body


def test_editors_menu_is_read_without_loading_its_pages_one_by_one(client, home, uncached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from home.templatetags.tasteget_tags import main_navigation

    request = client.get("/").wsgi_request
    settings = SiteSettings.for_request(request)
    assert len(settings.navigation.raw_data) >= 8
    with CaptureQueriesContext(connection) as queries:
        nav = main_navigation({"request": request, "page": home})
    assert len(nav["sections"]) == 8
    assert len(queries) <= 10
