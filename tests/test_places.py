"""Municipalities in every configured locale: one manager method
(`Municipality.objects.localized`) gives the full list, with local names
where translated and Swedish names where not."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from intake.forms import GuidanceForm
from places.models import CoworkingSpace, Municipality

pytestmark = pytest.mark.django_db

EIGHT = {"berg", "bracke", "harjedalen", "krokom", "ragunda", "stromsund", "are", "ostersund"}


def filter_slugs(html):
    """The municipalities offered as filter links, or in the directory's select."""
    select = re.search(r'name="kommun">(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="([a-z]+)"', select.group(1)) if select else []
    return set(re.findall(r'href="\?kommun=([a-z]+)', html)) | set(options)


@pytest.mark.parametrize("language", ["sv", "en", "de", "ar"])
def test_localized_lists_every_municipality_in_every_locale(locales, language):
    rows = list(Municipality.objects.localized(locales[language]).municipalities())
    assert {row.slug for row in rows} == EIGHT
    assert all(row.locale.language_code == "sv" for row in rows)  # the canonical records
    names = {row.slug: row.local_name for row in rows}
    assert names["are"] == {"sv": "Åre kommun", "en": "Åre Municipality"}.get(language, "Åre kommun")


def test_localized_is_one_query(locales):
    with CaptureQueriesContext(connection) as captured:
        rows = list(Municipality.objects.localized(locales["en"]))
        [row.local_name for row in rows]
    assert len(captured) == 1


@pytest.mark.parametrize("language", ["de", "ar"])
def test_coworking_listing_shows_every_space_in_an_untranslated_locale(client, language):
    body = client.get(f"/{language}/coworking/").content.decode()
    swedish = client.get("/coworking/").content.decode()
    assert body.count('class="card coworking"') == swedish.count('class="card coworking"') == 8
    assert filter_slugs(body) == EIGHT


@pytest.mark.parametrize("language", ["de", "ar"])
def test_story_filter_lists_the_municipalities_in_an_untranslated_locale(client, language):
    body = client.get(f"/{language}/berattelser/").content.decode()
    assert filter_slugs(body) == EIGHT
    filtered = client.get(f"/{language}/berattelser/?kommun=are").content.decode()
    assert 'href="?kommun=are" aria-current="true"' in filtered


@pytest.mark.parametrize("language", ["de", "ar"])
def test_ambassador_filter_lists_the_municipalities_in_an_untranslated_locale(client, language):
    body = client.get(f"/{language}/ambassadorer/").content.decode()
    assert filter_slugs(body) == EIGHT


@pytest.mark.parametrize("language", ["de", "ar"])
def test_registration_form_offers_every_municipality_in_an_untranslated_locale(language):
    with translation.override(language):
        choices = dict(GuidanceForm().fields["municipality"].choices)
    assert set(choices) >= EIGHT and "region" in {key for key in choices if key not in EIGHT and key}


def test_a_translated_space_replaces_its_swedish_record_in_that_locale(locales):
    space = CoworkingSpace.objects.filter(locale=locales["sv"]).first()
    german = space.copy_for_translation(locales["de"])
    german.opening_hours = "Werktags 7–22"
    german.save()
    spaces = list(CoworkingSpace.objects.localized(locales["de"]))
    same = [item for item in spaces if item.translation_key == space.translation_key]
    assert len(spaces) == 8 and len(same) == 1 and same[0].opening_hours == "Werktags 7–22"


@pytest.mark.parametrize("path", ["/ar/", "/de/", "/ar/international-house/", "/de/international-house/"])
def test_listing_fallback_pages_costs_no_query_per_card(client, path, page_by_slug, uncached):
    """Cards and menus of untranslated pages know their language in a fixed number of queries."""
    from home.models import GuidePage

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    before = count()
    index = page_by_slug("internationellt-hus")
    for position in range(4):
        index.add_child(instance=GuidePage(title=f"Guide {position}", slug=f"extra-guide-{position}", intro="Steg."))
    assert count() == before
