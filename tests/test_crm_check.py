"""`manage.py crm_check` against the strict SuperOffice fake."""

import io

import pytest
from django.core.management import CommandError, call_command

from places.models import Adviser, Municipality
from tests.test_superoffice import tenant  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def crm_check():
    out = io.StringIO()
    try:
        call_command("crm_check", stdout=out, no_color=True)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), ""


@pytest.fixture
def ready(tenant, settings):  # noqa: F811
    """A tenant set up as docs/crm-bridge.md asks."""
    settings.SUPEROFFICE_MUNICIPALITY_LIST_ID = str(tenant.list_id)
    settings.SUPEROFFICE_MOVE_STATUS_FIELD = tenant.move_field
    Adviser.objects.update(crm_owner_id=17)
    for number, municipality in enumerate(Municipality.objects.in_default_locale().municipalities(), start=60):
        municipality.crm_list_item_id = number
        municipality.save()
        tenant.list_items[number] = municipality.name
    return tenant


def test_a_ready_tenant_passes_every_check(ready):
    out, error = crm_check()
    assert not error, out
    assert "WRONG" not in out and "Everything the bridge needs is in place." in out
    assert "Follow-ups get type inDiary and task 3." in out
    assert "ConsentPurpose EMARKETING exists." in out


def test_what_is_wrong_is_said_in_plain_words(ready, settings):
    sara = Adviser.objects.get(email="sara.are@example.org")
    sara.crm_owner_id = 99
    sara.save()
    other = Adviser.objects.exclude(pk=sara.pk).first()
    other.crm_owner_id = None
    other.save()
    Municipality.objects.filter(slug="berg").update(crm_list_item_id=None)
    Municipality.objects.filter(slug="are").update(crm_list_item_id=999)
    ready.purposes.discard("EMARKETING")
    settings.SUPEROFFICE_PERSON_CONTACT_ID = 77

    out, error = crm_check()
    assert "problem(s) found" in error
    wrong = [line for line in out.splitlines() if line.startswith("WRONG")]
    assert f"WRONG  {sara.name} (Åre kommun): owner id 99 is no associate in SuperOffice." in wrong
    assert f"WRONG  {other.name} ({other.municipality.name}) has no CRM owner id." in wrong
    assert "WRONG  Bergs kommun has no CRM list item id." in wrong
    assert f"WRONG  Åre kommun: 999 is no list item of {ready.list_field}." in wrong
    assert "WRONG  ConsentPurpose EMARKETING is missing in SuperOffice." in wrong
    assert "WRONG  SUPEROFFICE_PERSON_CONTACT_ID 77 is no company in SuperOffice." in wrong
    assert len(wrong) == 6
    assert error.startswith("6 ")


def test_a_failed_sign_in_is_reported_first(ready, settings):
    settings.SUPEROFFICE_PASSWORD = "wrong"
    out, error = crm_check()
    assert "Could not sign in to SuperOffice" in out and "SoCredentialsException" in out
    assert error.startswith("1 ")


def test_region_staff_run_the_check_from_the_admin(ready, admin_client, client, django_user_model):
    assert admin_client.get("/admin/crm-check/").status_code == 200
    assert not ready.requests  # a GET only shows the button
    sara = Adviser.objects.get(email="sara.are@example.org")
    Adviser.objects.filter(pk=sara.pk).update(crm_owner_id=99)
    html = admin_client.post("/admin/crm-check/").content.decode()
    assert sara.name in html and "99" in html
    assert ready.requests and all(r["method"] == "GET" for r in ready.requests)  # read-only

    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    assert client.post("/admin/crm-check/").status_code in (302, 403)
