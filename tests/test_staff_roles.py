"""The staff roles the migrations create (docs/roles.md): each reaches what
its work needs and nothing else."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from intake.models import EmbedLoad
from places.models import Municipality

pytestmark = pytest.mark.django_db

EDITOR_URLS = [
    "/admin/snippets/places/coworkingspace/",
    "/admin/snippets/places/municipality/",
    "/admin/snippets/places/adviser/",
    "/admin/snippets/ambassadors/ambassador/",
    "/admin/snippets/stories/storytopic/",
    "/admin/searchpicks/",
    "/admin/pages/",
]


def login_as(client, django_user_model, group_name, username):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return user


def reaches(client, url):
    response = client.get(url)
    return response.status_code == 200


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_editors_and_moderators_open_every_kind_of_content_and_no_registrations(client, django_user_model, group):
    login_as(client, django_user_model, group, f"{group.lower()}-1")
    for url in EDITOR_URLS:
        assert reaches(client, url), url
    settings_url = client.get("/admin/settings/home/sitesettings/", follow=True)
    assert settings_url.status_code == 200 and b'name="contact_email"' in settings_url.content
    assert not reaches(client, "/admin/registrations/")
    assert not reaches(client, "/admin/embed-code/")


def test_a_web_editor_sees_their_embed_code_and_no_registrations(client, django_user_model):
    login_as(client, django_user_model, "Webbredaktör: Krokoms kommun", "krokom-web")
    body = client.get("/admin/embed-code/").content.decode()
    assert "/embed/krokom/" in body and "/embed/berg/" not in body
    assert not reaches(client, "/admin/registrations/")
    assert not reaches(client, "/admin/snippets/places/municipality/")


def test_a_web_editor_edits_their_allowed_websites_line_by_line(client, django_user_model):
    login_as(client, django_user_model, "Webbredaktör: Krokoms kommun", "krokom-web")
    bad = client.post(
        "/admin/embed-code/",
        {"municipality": "krokom", "krokom-origins": "https://www.krokom.se\nhttps://www.krokom.se/flytta/"},
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Rad 2 (https://www.krokom.se/flytta)" in body  # the admin speaks Swedish
    assert "https://www.krokom.se\nhttps://www.krokom.se/flytta/" in body  # what was typed is kept
    assert Municipality.objects.get(slug="krokom", locale__language_code="sv").embed_origins == ""

    good = client.post(
        "/admin/embed-code/",
        {"municipality": "krokom", "krokom-origins": "https://www.krokom.se/\n\nhttps://krokom.se"},
    )
    assert good.status_code == 302
    for municipality in Municipality.objects.filter(slug="krokom"):  # Swedish record and its translations
        assert municipality.allowed_origins == ["https://www.krokom.se", "https://krokom.se"]


def test_a_web_editor_cannot_change_another_municipality(client, django_user_model):
    login_as(client, django_user_model, "Webbredaktör: Krokoms kommun", "krokom-web")
    response = client.post("/admin/embed-code/", {"municipality": "berg", "berg-origins": "https://evil.example"})
    assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    assert Municipality.objects.get(slug="berg", locale__language_code="sv").embed_origins == ""


def test_an_adviser_no_longer_gets_the_embed_code_through_the_adviser_group(client, django_user_model):
    login_as(client, django_user_model, "Flyttvägledare: Åre kommun", "are-adviser")
    assert client.get("/admin/embed-code/").status_code in (302, 403)


def test_the_form_remembers_when_it_was_last_loaded_on_an_allowed_site(client):
    Municipality.objects.filter(slug="krokom").update(embed_origins="https://www.krokom.se")
    client.get("/embed/krokom/?origin=https://www.krokom.se")
    client.get("/embed/krokom/?origin=https://evil.example")
    assert list(EmbedLoad.objects.values_list("origin", flat=True)) == ["https://www.krokom.se"]
    assert reverse("intake_embed_codes") == "/admin/embed-code/"


def test_the_ambassador_chooser_names_unpublished_ambassadors_only_to_those_who_edit_them(client, django_user_model):
    from ambassadors.models import Ambassador

    are = Municipality.objects.in_default_locale().get(slug="are")
    Ambassador.objects.create(name="Dold Doldsson", municipality=are, text="Ej publicerad", is_published=False)
    chooser = "/admin/snippets/choose/ambassadors/ambassador/results/"

    def listed(html):
        return int(html.split('class="pagination__end">', 1)[1].split()[0]) if "pagination__end" in html else -1

    login_as(client, django_user_model, "Flyttvägledare: Åre kommun", "are-chooser")
    html = client.get(chooser).content.decode()
    assert "Dold Doldsson" not in html and listed(html) == Ambassador.objects.published().count()
    login_as(client, django_user_model, "Editors", "editor-chooser")
    assert listed(client.get(chooser).content.decode()) == Ambassador.objects.count()
