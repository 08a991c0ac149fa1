"""A new visitor in Chromium reaches every page of the site within two
clicks of the home page, in Swedish and English."""

import json
from urllib.parse import urlsplit

import pytest

LINKS = """() => [...document.querySelectorAll('a[href]')].map(a => a.href)"""
MUNICIPALITIES = ("berg", "bracke", "harjedalen", "krokom", "ragunda", "stromsund", "are", "ostersund")


def site_paths(site_server, language):
    code = f"""
import json
from wagtail.models import Page
pages = Page.objects.live().public().filter(locale__language_code={language!r}, depth__gt=2).specific()
print(json.dumps({{page.url: type(page).__name__ for page in pages}}))
"""
    return json.loads(site_server.shell(code))


def crawl(page, base, start):
    def own_links():
        paths = set()
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" == base and not parts.path.startswith(
                ("/static/", "/media/", "/documents/")
            ):
                paths.add(parts.path)
        return paths

    page.goto(base + start)
    first = own_links()
    reached = {start, *first}
    for path in sorted(first):
        response = page.goto(base + path)
        if response and response.ok and "text/html" in response.headers.get("content-type", ""):
            reached |= own_links()
    return reached


@pytest.mark.parametrize(("start", "language"), [("/", "sv"), ("/en/", "en")])
def test_every_page_type_is_two_clicks_from_the_home_page(site_server, page, start, language):
    reached = crawl(page, site_server.url, start)
    pages = site_paths(site_server, language)
    missing = sorted(path for path in pages if path not in reached)
    assert missing == []
    assert {
        "MunicipalityPage",
        "StoryPage",
        "StoryIndexPage",
        "MagazineIssuePage",
        "MagazineOrderPage",
        "NewsletterPage",
        "RegistrationPage",
        "AmbassadorDirectoryPage",
        "CoworkingIndexPage",
        "GuideIndexPage",
        "GuidePage",
        "ContentPage",
    } <= set(pages.values())
    for slug in MUNICIPALITIES:
        assert f"{start}{slug}/" in reached, slug


def test_menu_sections_close_as_a_menu_does(site_server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(site_server.url + "/")
    sections = page.locator("details.main-nav__section")
    assert sections.count() >= 2
    first, second = sections.nth(0), sections.nth(1)
    is_open = "element => element.open"

    first.locator("summary").click()
    assert first.evaluate(is_open)
    page.locator("main h1").first.click()  # a click outside closes it
    assert not first.evaluate(is_open)

    first.locator("summary").click()
    second.locator("summary").click()  # opening another closes the first
    assert second.evaluate(is_open) and not first.evaluate(is_open)

    page.keyboard.press("Escape")  # Escape closes it and gives focus back to its button
    assert not second.evaluate(is_open)
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"

    # Links inside an open section still work.
    first.locator("summary").click()
    link = first.locator(".main-nav__sub a").nth(1)
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(site_server.url + href)
