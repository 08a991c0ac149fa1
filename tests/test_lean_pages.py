"""Uncached pages stay lean: a fixed number of queries for any public page,
whether the site has 10 stories or 200 (issue 16).

The issue's target is 10; the header and footer now cost one cache read
instead of ~13 queries, which brought the worst page from 59 to 45. The
ceiling below is what holds today (docs/performance.md lists what is left:
the language switcher, the page-view restrictions Wagtail checks per page,
the listings of the home pages); lower it as those go."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_page_queries import add_stories

pytestmark = pytest.mark.django_db

MAX_QUERIES = 45
PATHS = (
    "/",
    "/en/",
    "/are/",
    "/en/are/",
    "/region/",
    "/om-ta-steget/",
    "/berattelser/",
    "/en/stories/?kommun=are",
    "/berattelser/fjallen-och-familjen/",
    "/en/stories/kodar-vid-storsjon/",
    "/ar/international-house/first-weeks/",
    "/sok/?q=fjall",
)


def count(client, path):
    client.get(path)  # warm what a running site has warmed (site root paths, the menus)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return len(queries)


def test_public_pages_cost_the_same_small_number_of_queries_with_10_and_200_stories(client, uncached):
    add_stories(10)
    with_ten = {path: count(client, path) for path in PATHS}
    add_stories(190, start=10)
    with_two_hundred = {path: count(client, path) for path in PATHS}
    assert with_two_hundred == with_ten
    assert max(with_ten.values()) <= MAX_QUERIES, with_ten


# The search page in each of its states: hits on several pages, a typing
# error (suggestions), a word only another language has (hints), a type.
SEARCHES = (
    "/sok/?q=berattelse",
    "/sok/?q=berattelse&typ=berattelser&sida=2",  # one page type: `specific()` costs a query per type
    "/sok/?q=berattelse+kommun&typ=berattelser",
    "/sok/?q=berattelsr",
    "/en/search/?q=bageriet",
    "/en/search/?q=cowork",
)
# A miss: the suggestion, three other languages, the missed-search count; on
# PostgreSQL each search also reads its locale's language (search/backends.py).
MAX_SEARCH_QUERIES = 33


def test_the_search_page_costs_the_same_with_10_and_200_matching_stories(client, uncached):
    """Ranked and paged in the database: more matches, no more queries
    (issue 16). The stories are indexed, so every one of them matches."""
    from django.core.management import call_command

    add_stories(10)
    call_command("update_index", verbosity=0)
    with_ten = {path: count(client, path) for path in SEARCHES}
    add_stories(190, start=10)
    call_command("update_index", verbosity=0)
    assert "200 träffar" in client.get("/sok/?q=berattelse&typ=berattelser").content.decode()
    with_two_hundred = {path: count(client, path) for path in SEARCHES}
    assert with_two_hundred == with_ten
    assert max(with_ten.values()) <= MAX_SEARCH_QUERIES, with_ten
