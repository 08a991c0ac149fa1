"""Who sees which registrations in the admin, and what exports contain."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group

from intake.models import Registration
from places.models import Municipality
from tests.factories import DeliveryFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations():
    """Åre's and Berg's (the seeded municipalities, whose adviser groups the migrations create)."""
    are, berg = (Municipality.objects.in_default_locale().get(slug=slug) for slug in ("are", "berg"))
    for registration in (
        RegistrationFactory(municipality=are, email="are@example.org"),
        RegistrationFactory(municipality=berg, email="berg@example.org", first_name="=HYPERLINK(1)"),
    ):
        DeliveryFactory(registration=registration)
    return {r.municipality.slug: r for r in Registration.objects.select_related("municipality")}


def user_in(django_user_model, client, group_name, username):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "a-long-test-password")
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    client.force_login(user)
    return client


def test_an_adviser_of_are_cannot_see_bergs_registration_by_any_url(client, django_user_model, registrations):
    user_in(django_user_model, client, "Flyttvägledare: Åre kommun", "are-adviser")
    berg, are = registrations["berg"], registrations["are"]
    listing = client.get("/admin/registrations/").content.decode()
    assert f"/admin/registrations/inspect/{are.pk}/" in listing
    assert f"/admin/registrations/inspect/{berg.pk}/" not in listing
    assert client.get(f"/admin/registrations/inspect/{are.pk}/").status_code == 200
    for url in (
        f"/admin/registrations/inspect/{berg.pk}/",
        f"/admin/registrations/edit/{berg.pk}/",
        f"/admin/registrations/delete/{berg.pk}/",
        f"/admin/registrations/history/{berg.pk}/",
        f"/admin/registrations/usage/{berg.pk}/",
    ):
        response = client.get(url, follow=True)
        assert (
            response.redirect_chain == []
            and response.status_code == 404
            or (response.redirect_chain and response.redirect_chain[-1][0] == "/admin/")
        ), url
        assert "berg@example.org" not in response.content.decode(), url
    berg.deliveries.update(status="failed")
    assert client.post(f"/admin/registrations/retry/{berg.pk}/").status_code in (302, 403, 404)
    assert set(berg.deliveries.values_list("status", flat=True)) == {"failed"}
    export = client.get("/admin/registrations/?export=csv")
    content = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert "are@example.org" in content and "berg@example.org" not in content
    filtered = client.get(f"/admin/registrations/?municipality={berg.municipality_id}")
    assert f"/admin/registrations/inspect/{berg.pk}/" not in filtered.content.decode()


def test_an_editor_without_the_permission_sees_no_registration(client, django_user_model, registrations):
    user_in(django_user_model, client, "Editors", "editor")
    assert client.get("/admin/").status_code == 200
    assert "/admin/registrations/" not in client.get("/admin/").content.decode()
    assert client.get("/admin/registrations/").status_code in (302, 403)
    assert client.get(f"/admin/registrations/inspect/{registrations['are'].pk}/").status_code in (302, 403, 404)
    assert client.get("/admin/registrations/?export=csv").status_code in (302, 403)


def test_region_staff_see_all_and_the_export_neutralises_formulas(client, django_user_model, registrations):
    user_in(django_user_model, client, "Region: anmälningar", "region-staff")
    export = client.get("/admin/registrations/?export=csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")), delimiter=";"))
    cells = {cell for row in rows[1:] for cell in row}
    assert {"are@example.org", "berg@example.org"} <= cells
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    xlsx = client.get("/admin/registrations/?export=xlsx")
    assert xlsx.status_code == 200


def test_the_admin_shows_each_municipality_its_embed_code(client, django_user_model, settings):
    user_in(django_user_model, client, "Webbredaktör: Åre kommun", "are-web-editor")
    body = client.get("/admin/embed-code/").content.decode()
    assert "http://testserver/embed/are/" in body and "embed/tasteget.js" in body
    assert "/embed/berg/" not in body


def test_mailing_house_list_has_addresses_only_and_orders_can_be_marked_sent(submit, client, django_user_model):
    order = {
        "first_name": "+Per",
        "last_name": "Lund",
        "street_address": "Storgatan 1",
        "postal_code": "831 30",
        "town": "Östersund",
        "country": "Sverige",
        "email": "per@example.org",
        "consent": "on",
    }
    submit("/bestall-magasinet/", order)
    user_in(django_user_model, client, "Region: anmälningar", "region-mailing")
    page = client.get("/admin/mailing-list/")
    until = re.search(r'name="until" value="([^"]+)"', page.content.decode()).group(1)
    export = client.get("/admin/mailing-list/", {"format": "csv", "until": until})
    assert export.content.startswith("\ufeff".encode())  # UTF-8 with BOM, semicolons: Swedish Excel
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'+Per", "Lund", "Storgatan 1", "831 30", "Östersund", "Sverige", "2026:1"]
    assert "per@example.org" not in export.content.decode()
    client.post("/admin/mailing-list/mark-sent/", {"until": until})
    assert Registration.objects.get(kind="magazine").fulfilment == "sent"


def test_advisers_cannot_get_the_mailing_list(client, django_user_model):
    user_in(django_user_model, client, "Flyttvägledare: Åre kommun", "are-adviser-3")
    response = client.get("/admin/mailing-list/?format=csv")
    assert response.status_code in (302, 403)
