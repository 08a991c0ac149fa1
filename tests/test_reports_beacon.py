"""The cookie-less page view counter: what it counts, what it refuses, and
that it keeps and sets nothing about the visitor."""

import pytest
from django.test import Client
from wagtail.models import Page

from reports.models import PageViewDay
from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


@pytest.fixture
def visitor():
    return Client(enforce_csrf_checks=True, headers={"User-Agent": BROWSER, "Sec-Fetch-Site": "same-origin"})


def views_of(page):
    return sum(PageViewDay.objects.filter(page=page).values_list("views", flat=True))


def test_a_view_of_a_live_page_adds_one_to_its_count_of_the_day_and_sets_no_cookie(visitor):
    page = ContentPageFactory()
    first = visitor.post("/page-view", {"p": page.pk})
    visitor.post("/page-view", {"p": str(page.pk)})
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
