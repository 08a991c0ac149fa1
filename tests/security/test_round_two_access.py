"""Roles combine as the union of what each grants.

6. A municipality linked to a group counts only for what that group's role
   grants: an adviser of Åre who is also Berg's web editor sees Åre's
   registrations and Berg's embed code, never Berg's registrations.
7. A municipality's allowed websites and report contacts belong to its web
   editors and Region staff: editors and moderators keep editing the other
   fields of the snippet, but what they post for these two is ignored.
"""

import itertools
import re

import pytest
from django.contrib.auth.models import Group

from intake.admin_views import embed_municipalities
from intake.models import Registration
from places.models import Municipality
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

ROLES = {
    "editor": ["Editors"],
    "moderator": ["Moderators"],
    "adviser-are": ["Flyttvägledare: Åre kommun"],
    "adviser-region": ["Flyttvägledare: Region Jämtland Härjedalen"],
    "web-editor-berg": ["Webbredaktör: Bergs kommun"],
    "web-editor-are": ["Webbredaktör: Åre kommun"],
    "coordinator": ["Ambassadörssamordnare"],
    "dpo": ["Dataskyddsombud"],
    "region": ["Region: anmälningar"],
}


@pytest.fixture
def registrations():
    for municipality in Municipality.objects.in_default_locale():
        RegistrationFactory(municipality=municipality, email=f"{municipality.slug}@example.org")
    return Registration.objects.all()


def user_with(django_user_model, username, group_names):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
    for name in group_names:
        user.groups.add(Group.objects.get(name=name))
    return django_user_model.objects.get(pk=user.pk)  # no cached permissions


def reach(user):
    return (
        set(Registration.objects.visible_to(user).values_list("pk", flat=True)),
        set(embed_municipalities(user).values_list("slug", flat=True)),
    )


def test_the_roles_exist():
    region_adviser = [name for name in Group.objects.values_list("name", flat=True) if "Region" in name]
    assert "Flyttvägledare: Region Jämtland Härjedalen" in region_adviser, region_adviser
    for names in ROLES.values():
        for name in names:
            assert Group.objects.filter(name=name).exists(), name


def test_every_pair_of_roles_reaches_what_each_reaches_alone_and_nothing_more(django_user_model, registrations):
    """One test over every pair (one database set-up, not 36)."""
    alone = {role: reach(user_with(django_user_model, role, names)) for role, names in ROLES.items()}
    assert alone["adviser-are"][0] == {registrations.get(email="are@example.org").pk}
    assert alone["web-editor-berg"] == (set(), {"berg"})
    wrong = []
    for first, second in itertools.combinations(ROLES, 2):
        both = reach(user_with(django_user_model, f"{first}+{second}", ROLES[first] + ROLES[second]))
        for index, what in enumerate(("registrations", "embed codes")):
            if both[index] != alone[first][index] | alone[second][index]:
                wrong.append(f"{first} + {second}: {what}")
    assert not wrong, wrong


def test_an_adviser_of_are_who_edits_bergs_website_exports_only_are(client, django_user_model, registrations):
    user = user_with(django_user_model, "are-and-berg", ["Flyttvägledare: Åre kommun", "Webbredaktör: Bergs kommun"])
    client.force_login(user)
    export = client.get("/admin/registrations/?export=csv")
    assert export.status_code == 200
    content = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "are@example.org" in content and "berg@example.org" not in content
    berg = registrations.get(email="berg@example.org")
    assert client.get(f"/admin/registrations/inspect/{berg.pk}/").status_code in (302, 403, 404)
    embed = client.get("/admin/embed-code/").content.decode()
    assert "/embed/berg/" in embed and "/embed/are/" not in embed


# --- Point 7 -------------------------------------------------------------------

EDIT = "/admin/snippets/places/municipality/edit/{pk}/"


def snippet_form(client, municipality):
    """The snippet's edit form as the browser would post it back."""
    html = client.get(EDIT.format(pk=municipality.pk)).content.decode()
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name, value = re.search(r'\sname="([^"]+)"', tag), re.search(r'\svalue="([^"]*)"', tag)
        if name:
            data[name.group(1)] = value.group(1) if value else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = value.strip("\n")
    for name, block in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', block)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("action-publish", None)
    return data


def berg():
    return Municipality.objects.in_default_locale().get(slug="berg")


@pytest.mark.parametrize("roles", [["Editors"], ["Moderators"], ["Editors", "Webbredaktör: Krokoms kommun"]])
def test_editors_and_moderators_cannot_set_a_municipalitys_websites_or_report_contacts(
    client, django_user_model, roles
):
    Municipality.objects.filter(slug="berg").update(embed_origins="https://www.berg.se", report_emails="chef@berg.se")
    client.force_login(user_with(django_user_model, "content", roles))
    form = snippet_form(client, berg())
    assert "embed_origins" in form and form["embed_origins"] == "https://www.berg.se"
    form.update(
        presentation="Ny presentation",
        embed_origins="https://www.berg.se\nhttps://evil.example",
        report_emails="thief@evil.example",
    )
    response = client.post(EDIT.format(pk=berg().pk), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = berg()
    assert saved.presentation == "Ny presentation"  # the other fields stay theirs
    assert saved.embed_origins == "https://www.berg.se"
    assert saved.report_emails == "chef@berg.se"
    assert "https://evil.example" not in client.get("/embed/berg/")["Content-Security-Policy"]


def test_bergs_web_editor_who_also_edits_content_sets_bergs_fields(client, django_user_model):
    client.force_login(user_with(django_user_model, "berg-both", ["Editors", "Webbredaktör: Bergs kommun"]))
    form = snippet_form(client, berg())
    form.update(embed_origins="https://www.berg.se", report_emails="chef@berg.se")
    assert client.post(EDIT.format(pk=berg().pk), form).status_code == 302
    assert berg().embed_origins == "https://www.berg.se" and berg().report_emails == "chef@berg.se"


def test_region_staff_keep_every_municipalitys_report_contacts(client, django_user_model):
    """The Region's staff, who send the quarterly report, can set its recipients."""
    client.force_login(user_with(django_user_model, "region-staff", ["Region: anmälningar"]))
    form = snippet_form(client, berg())
    assert "report_emails" in form
    form.update(report_emails="chef@berg.se\nstatistik@berg.se")
    assert client.post(EDIT.format(pk=berg().pk), form).status_code == 302
    assert berg().report_contacts == ["chef@berg.se", "statistik@berg.se"]
