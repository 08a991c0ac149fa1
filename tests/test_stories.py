"""Stories: pages in both languages, filters, pagination, related, feed, query counts."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places.models import Municipality
from stories.models import StoryIndexPage, StoryPage, StoryTopic

pytestmark = pytest.mark.django_db


def titles(body):
    return re.findall(r'<h3 class="card__title"><a [^>]*href="[^"]+">([^<]+)</a></h3>', body)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/berattelser/", "12 berättelser"),
        ("/en/stories/", "12 stories"),
        ("/berattelser/fjallen-och-familjen/", "Fjällen blev vår vardag"),
        ("/en/stories/the-mountains-became-our-everyday-life/", "The mountains became our everyday life"),
    ],
)
def test_story_pages_render_in_both_languages(client, path, text):
    response = client.get(path)
    assert response.status_code == 200
    assert text in response.content.decode()


def test_index_filters_by_municipality_and_topic_with_shareable_links(client):
    body = client.get("/en/stories/?kommun=ostersund").content.decode()
    assert "3 stories" in body
    assert set(titles(body)) == {
        "Coding with a view of Lake Storsjön",
        "Studying at Mid Sweden University",
        "Started an agency in Östersund",
    }
    body = client.get("/en/stories/?kommun=ostersund&amp;amne=foretagande".replace("&amp;", "&")).content.decode()
    assert titles(body) == ["Started an agency in Östersund"]
    assert "1 story" in body
    assert 'href="?amne=foretagande&amp;kommun=ostersund" aria-current="true">Entrepreneurship</a>' in body
    assert "0 stories" in client.get("/en/stories/?kommun=nowhere").content.decode()


def test_index_paginates_and_survives_bad_page_numbers(client, settings):
    import stories.models

    stories.models.STORIES_PER_PAGE, old = 5, stories.models.STORIES_PER_PAGE
    try:
        first = client.get("/en/stories/").content.decode()
        third = client.get("/en/stories/?sida=3").content.decode()
        assert len(titles(first)) == 5 and len(titles(third)) == 2
        assert "Page 3 of 3" in third
        assert titles(client.get("/en/stories/?sida=99").content.decode()) == titles(third)
        assert titles(client.get("/en/stories/?sida=abc").content.decode()) == titles(first)
    finally:
        stories.models.STORIES_PER_PAGE = old


def test_story_shows_related_stories_and_registration_for_its_municipality(client):
    body = client.get("/en/stories/coding-with-a-view-of-lake-storsjon/").content.decode()
    related = re.search(r'id="related-title".*?</section>', body, re.S).group(0)
    assert "Started an agency in Östersund" in related  # same municipality
    assert "Coding with a view" not in related  # not itself
    assert 'href="/en/register/?kommun=ostersund"' in body


def test_feed_per_language_lists_the_stories(client):
    for path, title in (
        ("/berattelser/feed/", "Fjällen blev vår vardag"),
        ("/en/stories/feed/", "The mountains became our everyday life"),
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test
        entries = root.findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == 12
        assert title in [entry.find("{http://www.w3.org/2005/Atom}title").text for entry in entries]


def add_stories(count):
    index = StoryIndexPage.objects.get(locale__language_code="en")
    municipality = Municipality.objects.get(locale__language_code="en", slug="berg")
    topic = StoryTopic.objects.get(locale__language_code="en", slug="natur")
    for number in range(count):
        story = StoryPage(
            title=f"Extra {number}", slug=f"extra-{number}", people="X", intro="Y", municipality=municipality
        )
        story.topics = [topic]
        index.add_child(instance=story)
        story.save_revision().publish()
        index.refresh_from_db()


def queries(client, path):
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_query_count_is_fixed_as_stories_grow(client, uncached):
    before = (queries(client, "/en/stories/"), queries(client, "/en/stories/coding-with-a-view-of-lake-storsjon/"))
    add_stories(40)
    after = (queries(client, "/en/stories/"), queries(client, "/en/stories/coding-with-a-view-of-lake-storsjon/"))
    assert after == before


def test_the_topic_chooser_offers_only_the_pages_language(admin_client):
    story = StoryPage.objects.filter(locale__language_code="en").first()
    form_class = StoryPage.get_edit_handler().get_form_class()
    form = form_class(instance=story, parent_page=story.get_parent(), for_user=admin_client.user)
    offered = set(form.fields["topics"].queryset.values_list("pk", flat=True))
    english = set(StoryTopic.objects.filter(locale__language_code="en").values_list("pk", flat=True))
    assert english and offered == english
    assert admin_client.get(f"/admin/pages/{story.pk}/edit/").status_code == 200
