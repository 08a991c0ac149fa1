"""The eight municipalities and the Region, and their advisers."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from wagtail.images.models import Image
from wagtail.models import Page, Revision

from places.models import Adviser, Municipality, validate_origins

pytestmark = pytest.mark.django_db

SLUGS = ["berg", "bracke", "harjedalen", "krokom", "ragunda", "stromsund", "are", "ostersund", "region"]


def test_migration_seeds_eight_municipalities_and_the_region_in_both_languages():
    swedish = Municipality.objects.in_default_locale()
    assert list(swedish.values_list("slug", flat=True)) == SLUGS
    assert swedish.get(slug="are").name == "Åre kommun"
    assert swedish.get(slug="region").is_region
    assert swedish.filter(kind=Municipality.Kind.MUNICIPALITY).count() == 8
    english = Municipality.objects.filter(locale__language_code="en")
    assert english.get(slug="ostersund").name == "Östersund Municipality"
    for municipality in english:
        assert municipality.canonical.locale.language_code == "sv"
        assert municipality.canonical.translation_key == municipality.translation_key


def test_embed_origins_accept_only_bare_origins():
    validate_origins("https://www.are.se\n\nhttp://localhost:8080")
    for bad in ("https://www.are.se/flytta", "javascript:alert(1)", "www.are.se"):
        with pytest.raises(ValidationError):
            validate_origins(bad)
    municipality = Municipality.objects.in_default_locale().get(slug="are")
    municipality.embed_origins = " https://www.are.se \nhttps://are.se"
    assert municipality.allowed_origins == ["https://www.are.se", "https://are.se"]


def test_an_editor_adds_an_adviser_in_the_admin(admin_client):
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    add_url = reverse("wagtailsnippets_places_adviser:add")
    response = admin_client.post(
        add_url,
        {
            "municipality": berg.pk,
            "name": "Nils Nyberg",
            "email": "nils@example.org",
            "phone": "+46 687 100 00",
            "crm_owner_id": "42",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    adviser = Adviser.objects.get(name="Nils Nyberg")
    assert adviser.municipality == berg and adviser.crm_owner_id == 42
    listing = admin_client.get(reverse("wagtailsnippets_places_adviser:list"))
    assert "Nils Nyberg" in listing.content.decode()


def test_adviser_form_rejects_a_bad_email_and_keeps_the_rest(admin_client):
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    response = admin_client.post(
        reverse("wagtailsnippets_places_adviser:add"),
        {"municipality": berg.pk, "name": "Nils Nyberg", "email": "not-an-address"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Nils Nyberg"' in body
    assert not Adviser.objects.filter(name="Nils Nyberg").exists()


def test_demo_content_is_idempotent():
    def snapshot():
        return (Page.objects.count(), Revision.objects.count(), Image.objects.count(), Adviser.objects.count())

    before = snapshot()
    call_command("load_demo_content", verbosity=0)
    assert snapshot() == before
    assert before[3] >= 9  # at least one adviser per place
