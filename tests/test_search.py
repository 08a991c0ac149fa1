"""Site search: language, accents, types, promotions, statistics, hostile queries."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

from search.models import MissedQuery

pytestmark = pytest.mark.django_db


def result_titles(body):
    block = re.search(r'<ul class="search-results" aria-labelledby="results-title">(.*?)</ul>', body, re.S)
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', block.group(1)) if block else []


@pytest.fixture(autouse=True)
def indexed(db):
    from django.core.management import call_command

    call_command("update_index", verbosity=0)


def test_search_finds_content_in_the_visitors_language(client):
    en = client.get("/en/search/", {"q": "bakery"}).content.decode()
    assert "The bakery that woke the village" in result_titles(en)
    sv = client.get("/sok/", {"q": "bageriet"}).content.decode()
    assert "Bageriet som väckte byn" in result_titles(sv)
    assert all("bakery" not in title for title in result_titles(sv))


@pytest.mark.parametrize("query", ["ostersund", "Östersund", "OSTERSUND"])
def test_search_ignores_swedish_diacritics(client, query):
    titles = result_titles(client.get("/sok/", {"q": query}).content.decode())
    assert titles[0] == "Östersunds kommun"


def test_type_filter_limits_results(client):
    titles = result_titles(client.get("/en/search/", {"q": "ostersund", "typ": "kommuner"}).content.decode())
    assert titles[0] == "Östersund Municipality"
    assert all(title.endswith("Municipality") or title == "The municipalities" for title in titles)


def test_coworking_spaces_are_found(client):
    body = client.get("/en/search/", {"q": "cowork"}).content.decode()
    assert re.search(r'<a href="/en/coworking/#space-[0-9a-f-]+">Storsjö Cowork</a>, Östersund', body)


def test_promotions_come_first_and_queries_are_counted(client):
    about = Page.objects.get(slug="om-ta-steget", locale__language_code="sv")
    SearchPromotion.objects.create(query=Query.get("flytta"), page=about, sort_order=0)
    body = client.get("/en/search/", {"q": "flytta"}).content.decode()
    promoted = re.search(r"search-results--promoted.*?</ul>", body, re.S).group(0)
    assert "About Take the step" in promoted  # the promoted page, in English
    assert Query.get("flytta").hits == 1


def test_searches_without_results_are_listed_for_editors(client, admin_client):
    client.get("/en/search/", {"q": "zebrafinkar"})
    client.get("/en/search/", {"q": "zebrafinkar"})
    missed = MissedQuery.objects.get(query_string="zebrafinkar")
    assert missed.hits == 2 and missed.language == "en"
    assert "zebrafinkar" in admin_client.get("/admin/missed_queries/").content.decode()


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!???...", "'; DROP TABLE wagtailcore_page; --", "<script>alert(1)</script>", "x" * 10000, "\x00"],
)
def test_hostile_or_empty_queries_get_a_normal_page(client, query):
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert Page.objects.filter(slug="om-ta-steget").exists()


def test_search_pagination_survives_bad_page_numbers(client):
    for page in ("abc", "999", "-1"):
        assert client.get("/en/search/", {"q": "municipality", "sida": page}).status_code == 200


@pytest.mark.parametrize("query", ["anna.berg@example.org", "070-123 45 67", "19800101-1234"])
def test_a_search_for_an_address_or_number_is_not_kept_as_a_missed_search(client, query):
    client.get("/sok/", {"q": query})
    client.get("/sok/", {"q": "zebrafinkar"})  # the control: an ordinary miss is kept
    assert list(MissedQuery.objects.values_list("query_string", flat=True)) == ["zebrafinkar"]


def test_missed_searches_are_pruned_after_their_retention(client, settings):
    settings.MISSED_SEARCH_RETENTION_DAYS = 90
    MissedQuery.record("gammal", "sv")
    MissedQuery.record("färsk", "sv")
    old = timezone.now() - datetime.timedelta(days=91)
    MissedQuery.objects.filter(query_string="gammal").update(last_searched=old)
    for _ in range(2):  # twice: the second run finds nothing more to delete
        call_command("housekeeping")
    assert list(MissedQuery.objects.values_list("query_string", flat=True)) == ["färsk"]
