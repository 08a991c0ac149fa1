"""An invisible character cannot switch off frame protection.

A pasted `https://www.berg.se` + U+200B used to be accepted; Django then
MIME-encoded the whole CSP header (`=?utf-8?q?…`), browsers ignored it and
any site could frame the form. Origins are normalised (IDNA to punycode,
lower case), anything else is refused with the character named, and every
CSP header is ASCII by construction, whatever the database holds.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from places.models import Municipality, normalise_origin
from tasteget.middleware import ascii_policy

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"


def test_origins_are_normalised_or_refused_with_the_character_named():
    assert normalise_origin("HTTPS://WWW.Berg.SE/") == "https://www.berg.se"
    assert normalise_origin("https://www.čáhppes.se") == "https://www.xn--hppes-wqa12a.se"
    assert normalise_origin("http://localhost:8080") == "http://localhost:8080"
    with pytest.raises(ValidationError) as invisible:
        normalise_origin("https://www.berg.se" + ZWSP)
    assert "U+200B ZERO WIDTH SPACE, på plats 20" in " ".join(invisible.value.messages)
    for bad in ("https://www.berg.se\u00a0", "\ufeffhttps://www.berg.se", "https://www.berg.se/flytta", "javascript:x"):
        with pytest.raises(ValidationError):
            normalise_origin(bad)


def web_editor(client, django_user_model):
    user = django_user_model.objects.create_user("berg-web", "berg-web@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Webbredaktör: Bergs kommun"))
    client.force_login(user)


def berg():
    return Municipality.objects.in_default_locale().get(slug="berg")


def test_a_web_editor_pasting_an_invisible_character_sees_it_named_and_nothing_saved(client, django_user_model):
    web_editor(client, django_user_model)
    response = client.post(
        "/admin/embed-code/",
        {"municipality": "berg", "berg-origins": "https://www.berg.se" + ZWSP},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert "U+200B ZERO WIDTH SPACE" in response.content.decode()
    assert berg().embed_origins == ""


def test_an_international_domain_is_saved_in_punycode(client, django_user_model):
    web_editor(client, django_user_model)
    response = client.post("/admin/embed-code/", {"municipality": "berg", "berg-origins": "https://www.Čáhppes.se/"})
    assert response.status_code == 302
    assert berg().embed_origins == "https://www.xn--hppes-wqa12a.se"


def assert_ascii_csp(response):
    header = response["Content-Security-Policy"]
    assert header.isascii() and "=?utf-8?" not in header.lower(), header
    return header


@pytest.fixture
def bad_rows():
    """Values saved before origins were normalised."""
    Municipality.objects.filter(slug="berg").update(
        embed_origins=f"https://www.berg.se{ZWSP}\nhttps://www.čáhppes.se\nhttps://bad host.example\nhttps://ok.example"
    )


def test_the_embed_csp_is_ascii_and_keeps_the_good_origins_even_with_bad_rows(client, bad_rows):
    header = assert_ascii_csp(client.get("/embed/berg/"))
    assert "frame-ancestors 'self' https://www.berg.se https://www.xn--hppes-wqa12a.se https://ok.example" in header
    assert "bad" not in header


def test_the_public_pages_csp_is_ascii(client, bad_rows):
    assert "frame-ancestors 'self'" in assert_ascii_csp(client.get("/"))


def test_the_admin_csp_is_ascii(client, django_user_model, bad_rows):
    web_editor(client, django_user_model)
    response = client.get("/admin/embed-code/")
    assert response.status_code == 200
    assert_ascii_csp(response)


def test_a_view_policy_with_a_non_ascii_source_loses_only_that_source():
    policy = ascii_policy({"frame-ancestors": ["'self'", "https://a.example" + ZWSP, "https://b.example"]})
    assert policy == {"frame-ancestors": ["'self'", "https://b.example"]}


def test_the_data_migration_cleans_rows_saved_before(bad_rows):
    import importlib

    from django.apps import apps

    importlib.import_module("places.migrations.0006_clean_embed_origins").forwards(apps, None)
    assert berg().embed_origins == "https://www.berg.se\nhttps://www.xn--hppes-wqa12a.se\nhttps://ok.example"
