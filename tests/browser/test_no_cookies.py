"""A visitor who only reads gets no cookie. Every page in the
sitemap, in every language, plus search, filters and a 404, is loaded with
the cookies cleared before each and nothing submitted; a page may set Django's CSRF
cookie only when it shows a form to post, and nothing else ever."""

import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser

EXTRA = ["/sok/?q=fjäll", "/en/search/?q=work", "/ambassadorer/?kommun=are", "/finns-inte/", "/en/"]


def sitemap_paths(url):
    with urllib.request.urlopen(url + "/sitemap.xml", timeout=10) as response:
        xml = response.read().decode()
    return sorted({re.sub(r"^https?://[^/]+", "", loc) for loc in re.findall(r"<loc>([^<]+)</loc>", xml)})


def test_reading_the_site_sets_no_cookie(site_server, browser):
    paths = sitemap_paths(site_server.url)
    assert len(paths) > 20  # the demo site: pages in Swedish, English and the synchronised locales
    seen_forms = 0
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    for path in [*paths, *EXTRA]:
        context.clear_cookies()
        # goto waits for "load": the page and everything it loads have
        # answered. Nothing is fetched later: the page-view beacon is not sent
        # under automation (reports/static/reports/beacon.js; its endpoint
        # sets no cookie either, tests/test_reports_beacon.py), and waiting
        # for "networkidle" cost half a second per page for nothing.
        page.goto(site_server.url + path, wait_until="load")
        names = {cookie["name"] for cookie in context.cookies()}
        has_form = page.locator("form[method=post], form[method=POST]").count() > 0
        seen_forms += has_form
        allowed = {"csrftoken"} if has_form else set()
        assert names <= allowed, f"{path} set {names - allowed}"
    context.close()
    assert seen_forms  # the exception is exercised: form pages exist and keep working
