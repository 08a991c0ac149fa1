"""The full-page cache: what is cached, with which headers, and exact purges.

Each purge test warms the cache with the pages that show a piece of content
and one that does not, changes the content the way an editor does, and then
checks on the next request that every page showing it was rendered anew
(and shows the change) while the unrelated page is still served from the
cache.
"""

import gzip

import pytest
from wagtail.models import Page, ReferenceIndex

from ambassadors.models import Ambassador
from home.models import SiteSettings
from places.models import CoworkingSpace, Municipality
from stories.models import StoryPage, StoryTopic

pytestmark = pytest.mark.django_db

STORY = "/berattelser/fjallen-och-familjen/"
UNRELATED = "/om-ta-steget/"


def cache_state(client, path, **extra):
    response = client.get(path, **extra)
    return response.get("X-Page-Cache"), response


def warm(client, *paths):
    for path in paths:
        assert client.get(path).status_code == 200, path
        assert cache_state(client, path)[0] == "hit", path


def assert_rendered_anew(client, *paths, showing=None):
    for path in paths:
        state, response = cache_state(client, path)
        assert state == "miss", path
        if showing:
            assert showing in response.content.decode(), path


def assert_still_cached(client, *paths):
    for path in paths:
        assert cache_state(client, path)[0] == "hit", path


# --- What is cached ------------------------------------------------------------------


def test_anonymous_page_is_cached_publicly_without_cookie_or_language_vary(client):
    first_state, first = cache_state(client, "/en/")
    second_state, second = cache_state(client, "/en/")
    assert (first_state, second_state) == ("miss", "hit")
    assert second.content == first.content
    for response in (first, second):
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=60" in cache_control and "s-maxage=86400" in cache_control
        vary = response["Vary"].lower()
        assert "cookie" not in vary and "accept-language" not in vary and "accept-encoding" in vary
        assert "set-cookie" not in {name.lower() for name in response.headers}
        # Security headers are added to every answer, cached or not.
        assert "Content-Security-Policy" in response and "Permissions-Policy" in response
        assert response["Content-Language"] == "en"


def test_cached_page_is_sent_compressed_to_clients_that_accept_it(client):
    plain = client.get("/are/").content
    state, compressed = cache_state(client, "/are/", HTTP_ACCEPT_ENCODING="gzip, br")
    assert state == "hit"
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain


def test_uncached_html_is_compressed_too(client):
    response = client.get("/sok/?q=fjall", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)


def test_known_filters_are_cached_apart_and_unknown_parameters_not_at_all(client):
    assert cache_state(client, "/en/stories/?kommun=are")[0] == "miss"
    assert cache_state(client, "/en/stories/?kommun=are")[0] == "hit"
    assert cache_state(client, "/en/stories/?kommun=berg")[0] == "miss"
    state, response = cache_state(client, "/en/stories/?utm_source=newspaper")
    assert state is None
    assert "private" in response["Cache-Control"]


def test_search_results_are_not_cached(client):
    assert cache_state(client, "/sok/?q=fjall")[0] is None
    assert cache_state(client, "/sok/?q=fjall")[0] is None


def test_logged_in_editors_get_fresh_private_pages(admin_client):
    for _ in range(2):
        state, response = cache_state(admin_client, "/")
        assert state is None
        assert "private" in response["Cache-Control"]


def test_page_with_a_form_is_never_cached(client, page_by_slug):
    path = page_by_slug("anmal-intresse").url
    for _ in range(2):
        state, response = cache_state(client, path)
        assert response.status_code == 200
        assert state is None
        assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_not_found_is_cached_briefly_and_errors_never(client):
    assert cache_state(client, "/finns-inte/")[0] == "miss"
    state, response = cache_state(client, "/finns-inte/")
    assert (state, response.status_code) == ("hit", 404)
    assert "s-maxage=300" in response["Cache-Control"]


def test_head_is_answered_from_the_cache(client):
    client.get("/are/")
    response = client.head("/are/")
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b""


# --- Exact purges, per content type -------------------------------------------------


def test_publishing_a_story_purges_every_page_that_shows_it(client):
    story = StoryPage.objects.get(url_path__endswith="/fjallen-och-familjen/", locale__language_code="sv")
    related = StoryPage.objects.live().filter(locale=story.locale, municipality=story.municipality).exclude(pk=story.pk)
    showing = ["/", "/berattelser/", "/berattelser/feed/", "/are/", STORY, *[page.url for page in related]]
    warm(client, *showing, UNRELATED, "/berg/")
    story.title = "Fjällen blev vår nya vardag"
    story.save_revision().publish()
    assert_rendered_anew(client, "/berattelser/", "/are/", STORY, showing="Fjällen blev vår nya vardag")
    assert_rendered_anew(client, "/", "/berattelser/feed/", *[page.url for page in related])
    assert_still_cached(client, UNRELATED, "/berg/")


def test_unpublishing_and_deleting_a_story_remove_it_from_listings(client):
    story = StoryPage.objects.get(url_path__endswith="/fjallen-och-familjen/", locale__language_code="sv")
    warm(client, "/berattelser/", "/are/", STORY, UNRELATED)
    story.unpublish()
    assert client.get(STORY).status_code == 404
    body = cache_state(client, "/berattelser/")[1].content.decode()
    assert story.title not in body
    assert_still_cached(client, UNRELATED)
    other = StoryPage.objects.live().filter(locale=story.locale).exclude(pk=story.pk).first()
    warm(client, "/berattelser/", other.url)
    Page.objects.get(pk=other.pk).delete()
    assert other.title not in cache_state(client, "/berattelser/")[1].content.decode()
    assert client.get(other.url).status_code == 404
    assert_still_cached(client, UNRELATED)


def test_publishing_a_translation_purges_the_other_languages_of_the_page(client, page_by_slug):
    english = page_by_slug("about", "en")
    warm(client, UNRELATED, "/en/about/", "/are/")
    english.title = "About Take the step, again"
    english.save_revision().publish()
    assert_rendered_anew(client, UNRELATED)
    assert_rendered_anew(client, "/en/about/", showing="About Take the step, again")
    assert_still_cached(client, "/are/")


def test_moving_a_page_purges_its_old_and_new_address(client, page_by_slug):
    page = page_by_slug("om-ta-steget")
    target = page_by_slug("are")
    warm(client, UNRELATED, "/berg/")
    page.move(target, pos="last-child")
    # Wagtail's redirects app sends the old address on to the new one.
    old = client.get(UNRELATED)
    assert (old.status_code, old["Location"]) == (301, "/are/om-ta-steget/")
    assert client.get("/are/om-ta-steget/").status_code == 200
    assert_still_cached(client, "/berg/")


def test_a_page_chosen_in_the_footer_purges_every_page(client, page_by_slug):
    footer_page = page_by_slug("tillganglighet")
    ReferenceIndex.create_or_update_for_object(SiteSettings.objects.get())  # as the task worker does
    warm(client, "/", "/berg/", UNRELATED)
    footer_page.title = "Tillgänglighet på webben"
    footer_page.save_revision().publish()
    assert_rendered_anew(client, "/", "/berg/", UNRELATED, showing="Tillgänglighet på webben")


def test_saving_site_settings_purges_every_page(client):
    warm(client, "/", "/berg/", UNRELATED, "/en/stories/?kommun=are")
    site_settings = SiteSettings.objects.get()
    site_settings.contact_email = "kontakt@example.org"
    site_settings.save()
    assert_rendered_anew(client, "/", "/berg/", UNRELATED, "/en/stories/?kommun=are", showing="kontakt@example.org")


def test_saving_a_municipality_purges_its_pages_and_the_listings(client):
    warm(client, "/are/", "/en/are/", "/berattelser/", STORY, UNRELATED)
    are = Municipality.objects.get(slug="are", locale__language_code="sv")
    are.presentation = "Fjäll, sjöar och en ny presentation."
    are.save()
    assert_rendered_anew(client, "/are/", "/en/are/", "/berattelser/", STORY)
    assert_still_cached(client, UNRELATED)


def test_saving_a_topic_purges_its_stories_and_the_indexes(client):
    warm(client, "/berattelser/", STORY, UNRELATED, "/berg/")
    topic = StoryTopic.objects.get(slug="familj", locale__language_code="sv")
    topic.name = "Familjeliv"
    topic.save()
    assert_rendered_anew(client, "/berattelser/", showing="Familjeliv")
    assert_rendered_anew(client, STORY)
    assert_still_cached(client, UNRELATED, "/berg/")


def test_saving_a_coworking_space_purges_its_municipality_and_the_listing(client, page_by_slug):
    listing = page_by_slug("coworking").url if Page.objects.filter(slug="coworking").exists() else None
    space = CoworkingSpace.objects.get(name="Åre Work Lodge", locale__language_code="sv")
    paths = ["/are/", *([listing] if listing else [])]
    warm(client, *paths, "/berg/", UNRELATED)
    space.name = "Åre Work Lodge och Café"
    space.save()
    assert_rendered_anew(client, *paths, showing="Åre Work Lodge och Café")
    assert_still_cached(client, "/berg/", UNRELATED)


def test_saving_an_ambassador_purges_home_directory_and_their_municipality(client):
    ambassador = Ambassador.objects.published().filter(municipality__slug="are").first()
    warm(client, "/", "/are/", "/berg/", UNRELATED)
    ambassador.name = "Ambassadören Annika"
    ambassador.save()
    assert_rendered_anew(client, "/", "/are/")
    assert "Ambassadören" in client.get("/are/").content.decode()
    assert_still_cached(client, "/berg/", UNRELATED)


def test_a_purge_during_a_render_is_not_lost(client):
    """An entry stored under generations read before a purge is never served."""
    from tasteget import pagecache

    client.get("/berg/")
    pagecache.purge_paths(["/berg/"])
    assert cache_state(client, "/berg/")[0] == "miss"
    pagecache.purge_all()
    assert cache_state(client, "/berg/")[0] == "miss"
    assert cache_state(client, "/berg/")[0] == "hit"
