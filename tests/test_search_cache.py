"""Kept search results: a repeated anonymous query costs no search, still
counts in the statistics, and is fresh again after any publish."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

from places.models import Municipality
from search.models import MissedQuery
from stories.models import StoryIndexPage, StoryPage
from tests.conftest import run_worker
from tests.test_search import result_titles

pytestmark = pytest.mark.django_db


def queries_of(client, path, data, **extra):
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path, data, **extra).content.decode()
    return len(queries), body


def test_a_repeated_query_is_answered_without_searching_after_normalisation(client):
    first, body = queries_of(client, "/sok/", {"q": "Östersund"})
    assert first > 0
    assert result_titles(body)[0] == "Östersunds kommun"
    # The same query in other case and spacing, from the same client (counted once): no query at all.
    again, body = queries_of(client, "/sok/", {"q": "  östersund   "})
    assert again == 0
    assert result_titles(body)[0] == "Östersunds kommun"
    assert "för ”östersund”" in body  # the heading says what this visitor typed


def test_a_kept_search_still_counts_in_the_statistics(client):
    about = Page.objects.get(slug="om-ta-steget", locale__language_code="sv")
    SearchPromotion.objects.create(query=Query.get("flytta"), page=about, sort_order=0)
    client.get("/en/search/", {"q": "flytta"})
    client.get("/en/search/", {"q": "zebrafinkar"})
    # Other visitors, answered from the kept results.
    for address in ("198.51.100.4", "198.51.100.5"):
        count, body = queries_of(client, "/en/search/", {"q": "FLYTTA"}, REMOTE_ADDR=address)
        assert "About Take the step" in body
        assert count == 1  # the statistics' task, queued; no search
        client.get("/en/search/", {"q": "zebrafinkar"}, REMOTE_ADDR=address)
    run_worker()
    assert Query.get("flytta").hits == 3
    assert MissedQuery.objects.get(query_string="zebrafinkar").hits == 3


def test_one_client_cannot_fill_the_missed_searches_through_kept_results(client, settings):
    settings.SEARCH_COUNTS_PER_CLIENT = 2
    words = ["zebrafinkar", "myrslokar", "narvalar"]
    for word in words:  # kept by another visitor first
        client.get("/sok/", {"q": word}, REMOTE_ADDR="198.51.100.9")
    for word in words:
        client.get("/sok/", {"q": word}, REMOTE_ADDR="198.51.100.10")
    run_worker()
    # The first visitor's two counted searches, the second visitor's two.
    assert sorted(MissedQuery.objects.values_list("query_string", "hits")) == [("myrslokar", 2), ("zebrafinkar", 2)]


def new_story(title, slug):
    index = StoryIndexPage.objects.get(locale__language_code="sv")
    story = StoryPage(
        title=title,
        slug=slug,
        intro="Vi flyttade i höstas.",
        people="Kim",
        municipality=Municipality.objects.in_default_locale().exclude(kind="region").first(),
        date=datetime.date(2030, 1, 1),
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    return story


def test_a_publish_or_unpublish_makes_the_next_search_fresh(client):
    for _ in range(2):
        assert result_titles(client.get("/sok/", {"q": "solrosfälten"}).content.decode()) == []
    story = new_story("Solrosfälten vid sjön", "solrosfalten")
    # The publish purged at once, but the worker has not indexed the story
    # yet: what a search keeps now is the old index's answer ...
    assert result_titles(client.get("/sok/", {"q": "solrosfälten"}).content.decode()) == []
    run_worker()  # ... until the indexing purges it again.
    assert result_titles(client.get("/sok/", {"q": "solrosfälten"}).content.decode()) == ["Solrosfälten vid sjön"]
    story.refresh_from_db()
    story.unpublish()
    assert result_titles(client.get("/sok/", {"q": "solrosfälten"}).content.decode()) == []


def test_an_editors_pick_saved_makes_the_next_search_fresh(client):
    def promoted():
        body = client.get("/en/search/", {"q": "zebrafinkar"}).content.decode()
        return "search-results--promoted" in body

    assert not promoted()
    about = Page.objects.get(slug="om-ta-steget", locale__language_code="sv")
    SearchPromotion.objects.create(query=Query.get("zebrafinkar"), page=about, sort_order=0)
    assert promoted()


SEARCHES = [
    ("/sok/", {"q": "ostersund"}),
    ("/sok/", {"q": "ostersund", "typ": "kommuner"}),
    ("/sok/", {"q": "kommun", "sida": "2"}),
    ("/sok/", {"q": "kommun"}),
    ("/en/search/", {"q": "ostersund"}),
    ("/en/search/", {"q": "ostersund", "typ": "kommuner"}),
    ("/de/suche/", {"q": "ostersund"}),
]


def test_languages_types_and_pages_are_kept_apart(client, settings):
    settings.PAGE_PARTS_ENABLED = False
    fresh = [client.get(path, data).content.decode() for path, data in SEARCHES]
    settings.PAGE_PARTS_ENABLED = True
    for path, data in SEARCHES:  # kept, each in turn
        client.get(path, data)
    for (path, data), expected in zip(SEARCHES, fresh, strict=True):
        count, body = queries_of(client, path, data)
        assert count == 0, (path, data)
        assert result_titles(body) == result_titles(expected), (path, data)
        assert re.search(r'<h2 id="results-title">.*?</h2>', body).group(0) == re.search(
            r'<h2 id="results-title">.*?</h2>', expected
        ).group(0)


def test_long_queries_and_a_client_over_its_share_are_searched_afresh(client, settings):
    long_query = " ".join(["kommun"] * 12)  # longer than MAX_KEPT_QUERY_LENGTH
    client.get("/sok/", {"q": long_query})
    assert queries_of(client, "/sok/", {"q": long_query})[0] > 0
    settings.SEARCH_KEPT_PER_CLIENT = 1
    client.get("/sok/", {"q": "ostersund"}, REMOTE_ADDR="198.51.100.20")  # its one
    client.get("/sok/", {"q": "kommun"}, REMOTE_ADDR="198.51.100.20")  # not kept
    assert queries_of(client, "/sok/", {"q": "ostersund"}, REMOTE_ADDR="198.51.100.20")[0] == 0
    assert queries_of(client, "/sok/", {"q": "kommun"}, REMOTE_ADDR="198.51.100.20")[0] > 0


def test_the_search_page_sets_no_cookie_and_stays_private(client):
    client.get("/sok/", {"q": "ostersund"})
    response = client.get("/sok/", {"q": "ostersund"})
    assert not response.cookies
    assert "private" in response["Cache-Control"]
