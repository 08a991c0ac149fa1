"""The cookie-less page view counter: what it counts, what it refuses, and
that it keeps and sets nothing about the visitor."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from wagtail.models import Page

from reports.models import PageViewDay
from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture
def visitor():
    return Client(enforce_csrf_checks=True, headers={"User-Agent": BROWSER, "Sec-Fetch-Site": "same-origin"})


def views_of(page):
    return sum(PageViewDay.objects.filter(page=page).values_list("views", flat=True))


def test_a_view_of_a_live_page_adds_one_to_its_count_of_the_day_and_sets_no_cookie(visitor):
    page = ContentPageFactory()
    first = visitor.post("/page-view", {"p": page.pk})
    visitor.post("/page-view", {"p": str(page.pk)}, REMOTE_ADDR="198.51.100.2")  # another visitor
    assert first.status_code == 204 and first.content == b""
    assert "Set-Cookie" not in first.headers and not first.cookies and not visitor.cookies
    assert views_of(page) == 2 and PageViewDay.objects.count() == 1
    # Only the page, the day and the number are stored.
    assert {field.name for field in PageViewDay._meta.get_fields()} == {"id", "page", "date", "views"}


@pytest.mark.parametrize(
    "headers",
    [
        {"DNT": "1"},
        {"Sec-GPC": "1"},
        {"Sec-Purpose": "prefetch"},
        {"Purpose": "prefetch"},
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": ""},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": None, "Origin": "https://evil.example"},
    ],
)
def test_no_tracking_wishes_prefetches_bots_and_other_sites_are_not_counted(visitor, headers):
    page = ContentPageFactory()
    sent = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items() if value is not None}
    if headers.get("Sec-Fetch-Site", "") is None:
        visitor.defaults.pop("HTTP_SEC_FETCH_SITE", None)
    assert visitor.post("/page-view", {"p": page.pk}, **sent).status_code == 204
    assert views_of(page) == 0


@pytest.mark.parametrize("value", ["", "abc", "-1", "0", "1.5", "99999999999999999999", "١٢", "1e3", "9" * 10])
def test_bad_input_gets_the_same_empty_answer_and_counts_nothing(visitor, value):
    response = visitor.post("/page-view", {"p": value})
    assert response.status_code == 204
    assert not PageViewDay.objects.exists()


def test_drafts_the_root_and_other_methods_are_not_counted(visitor):
    draft = ContentPageFactory(live=False)
    root = Page.objects.get(depth=1)
    assert visitor.post("/page-view", {"p": draft.pk}).status_code == 204
    assert visitor.post("/page-view", {"p": root.pk}).status_code == 204
    assert visitor.post("/page-view", b"\xff\xfe", content_type="application/json").status_code == 204
    assert visitor.get("/page-view", {"p": draft.pk}).status_code == 405
    assert not PageViewDay.objects.exists()


def test_every_page_carries_the_counter_script_with_its_id(client):
    page = ContentPageFactory()
    html = client.get(page.url).content.decode()
    assert f'data-page="{page.pk}"' in html
    assert 'src="/static/reports/beacon.js"' in html and 'data-url="/page-view"' in html


def test_the_beacon_posts_to_the_regions_analytics_server_when_one_is_set(client, settings):
    settings.PAGE_VIEW_BEACON_URL = "https://statistik.example.se/count"
    page = ContentPageFactory()
    html = client.get(page.url).content.decode()
    assert 'data-url="https://statistik.example.se/count"' in html and 'data-url="/page-view"' not in html


def settings_with(beacon_url):
    """The connect-src of the public and the admin policy as the settings compute them from the environment."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.SECURE_CSP['connect-src'])); print(' '.join(settings.ADMIN_CSP['connect-src']))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tasteget.settings.test", "PAGE_VIEW_BEACON_URL": beacon_url}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_content_security_policy_lets_the_beacon_reach_the_analytics_server_and_nothing_else():
    result = settings_with("https://statistik.example.se:8443/count?site=tasteget")
    assert result.returncode == 0, result.stderr
    public, admin = result.stdout.split("\n")[:2]
    assert public.split() == ["'self'", "https://statistik.example.se:8443"]
    assert admin.split() == public.split()
    # Without the setting: the site's own origin only.
    assert settings_with("").stdout.split("\n")[0].split() == ["'self'"]


@pytest.mark.parametrize("value", ["http://statistik.example.se/count", "/count", "https://user:pw@example.se/"])
def test_a_beacon_address_that_is_not_plain_https_stops_the_site_from_starting(value):
    result = settings_with(value)
    assert result.returncode != 0 and "PAGE_VIEW_BEACON_URL must be an https address" in result.stderr
