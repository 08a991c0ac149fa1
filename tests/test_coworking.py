"""Coworking spaces: the listing, its municipality filter, and the municipality pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places.models import CoworkingSpace, Municipality

pytestmark = pytest.mark.django_db


def test_listing_shows_every_space_in_both_languages(client):
    sv = client.get("/coworking/").content.decode()
    en = client.get("/en/coworking/").content.decode()
    assert "8 coworkingplatser" in sv and "Vardagar 7–22" in sv
    assert "8 coworking spaces" in en and "Weekdays 7–22" in en
    assert "Åre Municipality" in en  # the municipality in the visitor's language


def test_listing_filters_by_municipality(client):
    body = client.get("/en/coworking/?kommun=are").content.decode()
    assert "1 coworking space" in body and "Åre Work Lodge" in body and "Storsjö Cowork" not in body
    assert 'href="?kommun=are" aria-current="true"' in body


def test_municipality_page_shows_its_spaces_and_a_map_link(client):
    body = client.get("/en/ostersund/").content.decode()
    assert "Storsjö Cowork" in body and "Åre Work Lodge" not in body
    assert "https://www.openstreetmap.org/?mlat=63.17920&amp;mlon=14.63570" in body


def test_listing_query_count_does_not_grow_with_spaces(client, uncached):
    def count():
        client.get("/en/coworking/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/en/coworking/")
        return len(captured)

    before = count()
    are = Municipality.objects.in_default_locale().get(slug="are")
    en = Municipality.objects.get(slug="are", locale__language_code="en").locale
    for number in range(30):
        CoworkingSpace.objects.create(locale=en, name=f"Extra {number}", municipality=are, address="Väg 1")
    assert count() == before
