"""Uncached pages stay lean: at most ten queries for any public page, and the
same number whether the site has 10 stories or 200.

"Uncached" is a miss in the full-page cache (PAGE_CACHE_ENABLED off). What
every page of a language shares (menu, footer, site) and what a page shows of
other pages (its language links, the home page's sections, a municipality's
stories, a story's related ones, breadcrumbs, the route to the page) are kept
under the same generations as the pages (tasteget.pagecache.page_part,
tasteget/routing.py): a publish purges them with the pages that show them.
What is left per request is the page's own content. The first request after
a purge pays for the parts too; `test_a_cold_render_*` keeps that bounded.
"""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from stories.models import StoryIndexPage, StoryPage
from tests.test_page_queries import add_stories

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
COLD_MAX_QUERIES = 60
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
    "/en/stories/coding-with-a-view-of-lake-storsjon/",
    "/ar/international-house/first-weeks/",
)


def count(client, path):
    client.get(path)  # warm what a running site has warmed (site root paths, the menus)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200, path
    return len(queries)


def one_page_of_each_kind():
    """The first live page of every page type in every language (aliases too)."""
    seen, paths = set(), []
    for page in Page.objects.live().public().filter(depth__gt=1).order_by("path").specific():
        kind = (type(page), page.locale_id, bool(page.alias_of_id))
        if kind not in seen:
            seen.add(kind)
            paths.append(page.url)
    return paths


def test_public_pages_cost_the_same_small_number_of_queries_with_10_and_200_stories(client, uncached):
    add_stories(10)
    with_ten = {path: count(client, path) for path in PATHS}
    add_stories(190, start=10)
    with_two_hundred = {path: count(client, path) for path in PATHS}
    assert with_two_hundred == with_ten
    assert max(with_ten.values()) <= MAX_QUERIES, with_ten


def test_every_kind_of_page_in_every_language_costs_at_most_ten_queries(client, uncached):
    paths = one_page_of_each_kind()
    assert len(paths) > 30  # every type in sv, en, de and ar
    counts = {path: count(client, path) for path in paths}
    assert max(counts.values()) <= MAX_QUERIES, {path: n for path, n in counts.items() if n > MAX_QUERIES}


def test_a_cold_render_after_a_purge_is_bounded_too(client, uncached):
    for path in PATHS:
        client.get(path)
    caches["pages"].clear()  # everything purged at once: the worst first request
    counts = {}
    for path in PATHS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        counts[path] = len(queries)
    assert max(counts.values()) <= COLD_MAX_QUERIES, counts


def test_a_published_story_shows_at_once_on_pages_rendered_from_kept_parts(client, uncached):
    """The kept parts are purged with the pages: a new story is on the home
    page, its municipality's page and the related stories of its siblings on
    the next request, though the page cache is off and the parts were kept."""
    watched = ("/", "/are/", "/berattelser/fjallen-och-familjen/")
    for path in watched:
        client.get(path)
        client.get(path)
    sibling = StoryPage.objects.get(slug="fjallen-och-familjen", locale__language_code="sv")
    index = StoryIndexPage.objects.get(locale__language_code="sv")
    story = StoryPage(
        title="Nyinflyttad vid Ånnsjön",
        slug="nyinflyttad-vid-annsjon",
        intro="Vi flyttade i höstas.",
        people="Kim",
        municipality=sibling.municipality,
        date=datetime.date(2030, 1, 1),
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    for path in watched:
        assert "Nyinflyttad vid Ånnsjön" in client.get(path).content.decode(), path
    # And gone again at once when unpublished.
    story.refresh_from_db()
    story.unpublish()
    for path in watched:
        assert "Nyinflyttad vid Ånnsjön" not in client.get(path).content.decode(), path
    assert client.get("/berattelser/nyinflyttad-vid-annsjon/").status_code == 404


def test_a_kept_route_follows_a_new_slug_and_a_sub_page_follows_its_page(client, uncached):
    """The route to a path is kept; a slug change purges it, and a sub-page
    (the stories feed, whose own address is never purged) is not served at
    its page's old address."""
    old_story, old_feed = "/berattelser/fjallen-och-familjen/", "/berattelser/feed/"
    for path in (old_story, old_feed, old_story, old_feed):
        assert client.get(path).status_code == 200, path
    story = StoryPage.objects.get(slug="fjallen-och-familjen", locale__language_code="sv")
    story.slug = "familjen-och-fjallen"
    story.save_revision().publish()
    assert client.get(old_story).status_code == 404
    assert client.get("/berattelser/familjen-och-fjallen/").status_code == 200
    index = StoryIndexPage.objects.get(locale__language_code="sv")
    index.slug = "historier"
    index.save_revision().publish()
    assert client.get(old_feed).status_code == 404
    assert client.get("/historier/feed/").status_code == 200


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
# The worst is a miss: it also looks for a spelling and asks the other languages.
MAX_SEARCH_QUERIES = 10


def test_the_search_page_costs_the_same_with_10_and_200_matching_stories(client, uncached, settings):
    """Ranked and paged in the database: more matches, no more queries
    . The stories are indexed, so every one of them matches."""
    from django.core.management import call_command

    settings.SEARCH_KEPT_PER_CLIENT = 0  # every search runs: kept results would cost nothing

    add_stories(10)
    call_command("update_index", verbosity=0)
    with_ten = {path: count(client, path) for path in SEARCHES}
    add_stories(190, start=10)
    call_command("update_index", verbosity=0)
    assert "200 träffar" in client.get("/sok/?q=berattelse&typ=berattelser").content.decode()
    with_two_hundred = {path: count(client, path) for path in SEARCHES}
    assert with_two_hundred == with_ten
    assert max(with_ten.values()) <= MAX_SEARCH_QUERIES, with_ten


def test_a_page_made_private_leaves_search_and_cached_pages_at_once(client):
    """The restricted paths are kept; a new restriction purges them and every
    cached page (the page cache is on here)."""
    from django.core.management import call_command
    from wagtail.models import PageViewRestriction

    call_command("update_index", verbosity=0)
    story = StoryPage.objects.get(slug="fjallen-och-familjen", locale__language_code="sv")
    for _ in range(2):
        assert story.title in client.get("/berattelser/").content.decode()
        assert story.title in client.get("/sok/", {"q": story.title}).content.decode()
    PageViewRestriction.objects.create(page=story, restriction_type=PageViewRestriction.PASSWORD, password="hemligt")
    assert story.title not in client.get("/berattelser/").content.decode()
    assert f">{story.title}</a>" not in client.get("/sok/", {"q": story.title}).content.decode()
    assert client.get(story.url).status_code == 200  # the password form, not the story
    assert story.intro not in client.get(story.url).content.decode()
