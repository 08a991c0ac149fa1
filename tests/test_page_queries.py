"""The home page's sections and the municipality pages list stories,
ambassadors and pages: their query counts must not grow with the content."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambassadors.models import Ambassador
from places.models import Municipality
from stories.models import StoryIndexPage, StoryPage

pytestmark = pytest.mark.django_db

PATHS = ("/", "/en/", "/are/", "/en/are/", "/region/")


def count(client, path):
    client.get(path)  # warm caches (site root paths) as in production
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def add_stories(number, start=0):
    index = StoryIndexPage.objects.get(locale__language_code="sv")
    are = Municipality.objects.in_default_locale().get(slug="are")
    for n in range(start, start + number):
        story = StoryPage(
            title=f"Berättelse {n}",
            slug=f"berattelse-{n}",
            intro="En till som tog steget.",
            people=f"Person {n}",
            municipality=are,
            date=datetime.date(2027, 1, 1) + datetime.timedelta(days=n),
        )
        index.add_child(instance=story)
        index.refresh_from_db()
        Ambassador.objects.create(
            name=f"Ambassadör {n}",
            municipality=are,
            text="Hej!",
            email=f"a{n}@example.org",
            consent_given_at=timezone.now(),
            is_published=True,
        )


def test_home_and_municipality_pages_cost_the_same_with_10_and_200_stories(client, uncached):
    add_stories(10)
    with_ten = {path: count(client, path) for path in PATHS}
    add_stories(190, start=10)
    with_two_hundred = {path: count(client, path) for path in PATHS}
    assert with_two_hundred == with_ten
    assert max(with_ten.values()) <= 70, with_ten
