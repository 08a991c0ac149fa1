"""The postal code table (places.PostalCodeRange) and the municipality a
magazine order's address is recorded for (intake.services)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from intake import retention
from intake.choices import AddressArea, Kind
from intake.models import Registration
from intake.services import in_sweden, magazine_address_area
from places.models import Municipality, PostalCodeRange
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db
ORDER = {
    "first_name": "Per",
    "last_name": "Lund",
    "street_address": "Storgatan 1",
    "town": "Järpen",
    "consent": "on",
}


def municipality(slug):
    return Municipality.objects.in_default_locale().get(slug=slug)


def test_a_range_is_stored_as_five_digits_and_one_code_alone_is_a_range_of_one():
    found = PostalCodeRange(municipality=municipality("are"), first="830 05")
    found.full_clean()
    assert (found.first, found.last, found.label) == ("83005", "83005", "830 05")


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("8370", "", "fem siffror"),
        ("ABCDE", "", "fem siffror"),
        ("830 05", "830 01", "får inte komma före"),
        ("837 90", "838 10", "överlappar 837 00 – 837 99, som redan hör till Åre kommun"),
    ],
)
def test_bad_or_overlapping_ranges_are_refused_with_a_reason(first, last, message):
    with pytest.raises(ValidationError) as error:
        PostalCodeRange(municipality=municipality("berg"), first=first, last=last).full_clean()
    assert message in str(error.value)


def test_region_staff_keep_the_table_in_the_admin(client, django_user_model):
    user = django_user_model.objects.create_user("region", "region@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Region: anmälningar"))
    client.force_login(user)
    url = "/admin/snippets/places/postalcoderange/"
    assert client.get(url).status_code == 200
    are = municipality("are")
    response = client.post(url + "add/", {"municipality": are.pk, "first": "830 05", "last": "830 15", "note": "x"})
    assert response.status_code == 302
    assert PostalCodeRange.objects.filter(municipality=are, first="83005", last="83015").exists()
    # An overlap is a message on the form, not an error page.
    response = client.post(url + "add/", {"municipality": municipality("berg").pk, "first": "830 10", "last": ""})
    assert response.status_code == 200 and "Postnumren överlappar" in response.content.decode()
    # The Region is not a place with postal codes.
    response = client.post(url + "add/", {"municipality": Municipality.objects.region().pk, "first": "830 40"})
    assert response.status_code == 200 and not PostalCodeRange.objects.filter(first="83040").exists()


@pytest.mark.parametrize("country", ["Sverige", "sweden", "SE", "Schweden", " Sverige. ", ""])
def test_sweden_is_recognised_however_it_is_written(country):
    assert in_sweden(country)


def test_other_countries_are_not_sweden():
    assert not in_sweden("Norge") and not in_sweden("Sverigedemokraterna")


@pytest.mark.parametrize(
    ("postal_code", "country", "area", "slug"),
    [
        ("837 52", "Sverige", AddressArea.COUNTY, "are"),  # Åre in the demo's table
        ("84531", "Sweden", AddressArea.COUNTY, "berg"),
        ("111 22", "Sverige", AddressArea.OUTSIDE, None),  # Stockholm: in Sweden, outside every range
        ("837 52", "Norge", AddressArea.OUTSIDE, None),  # the same digits abroad are not Åre
    ],
)
def test_an_order_through_the_form_records_where_its_address_lies(submit, postal_code, country, area, slug):
    response = submit("/bestall-magasinet/", {**ORDER, "postal_code": postal_code, "country": country})
    assert response.status_code == 302
    order = Registration.objects.get(kind=Kind.MAGAZINE)
    assert order.address_area == area
    assert order.address_municipality == (municipality(slug) if slug else None)
    # The order itself still belongs to the Region (the form names no municipality).
    assert order.municipality == Municipality.objects.region()


def test_an_order_kept_from_before_postal_codes_were_checked_is_not_placed():
    # The form now refuses "Box 12" in Sweden; older orders may still hold one.
    assert magazine_address_area("Box 12", "Sverige") == (AddressArea.UNKNOWN, None)


@pytest.mark.parametrize(
    ("postal_code", "message"),
    [
        ("ABCDE", "Skriv ett svenskt postnummer med fem siffror, till exempel 831 30."),
        ("1234", "Skriv ett svenskt postnummer med fem siffror, till exempel 831 30."),
        ("123456", "Skriv ett svenskt postnummer med fem siffror, till exempel 831 30."),
        ("999 99", "Det finns inget svenskt postnummer 999 99."),
        ("09999", "Det finns inget svenskt postnummer 099 99."),
    ],
)
def test_an_impossible_swedish_postal_code_is_refused_with_the_reason_and_the_answers_kept(
    submit, postal_code, message
):
    response = submit("/bestall-magasinet/", {**ORDER, "postal_code": postal_code, "country": "Sverige"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # The other answers stay in the form, so only the postal code needs writing again.
    for name, value in [("street_address", "Storgatan 1"), ("town", "Järpen"), ("country", "Sverige")]:
        assert f'name="{name}" value="{value}"' in html
    assert not Registration.objects.filter(kind=Kind.MAGAZINE).exists()


def test_the_postal_code_error_is_in_english_on_the_english_form(submit):
    response = submit("/en/order-the-magazine/", {**ORDER, "postal_code": "999 99", "country": "Sweden"})
    assert response.status_code == 200
    assert "There is no Swedish postal code 999 99." in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize("written", ["837 52", "83752", "SE-837 52", " 837 52 "])
def test_a_swedish_postal_code_is_kept_as_three_digits_a_space_and_two(submit, written):
    response = submit("/bestall-magasinet/", {**ORDER, "postal_code": written, "country": "Sverige"})
    assert response.status_code == 302
    assert Registration.objects.get(kind=Kind.MAGAZINE).postal_code == "837 52"


@pytest.mark.parametrize(("postal_code", "country"), [("ABC 123", "United Kingdom"), ("0150", "Norge")])
def test_an_address_abroad_keeps_its_own_postal_code_format(submit, postal_code, country):
    response = submit("/bestall-magasinet/", {**ORDER, "postal_code": postal_code, "country": country})
    assert response.status_code == 302
    order = Registration.objects.get(kind=Kind.MAGAZINE)
    assert (order.postal_code, order.address_area) == (postal_code, AddressArea.OUTSIDE)


def test_orders_made_before_the_table_is_filled_are_placed_by_the_daily_purge_while_the_address_is_kept():
    PostalCodeRange.objects.all().delete()
    assert magazine_address_area("837 52", "Sverige") == (AddressArea.UNKNOWN, None)
    waiting = RegistrationFactory(kind=Kind.MAGAZINE, postal_code="837 52", country="Sverige", address_key="a")
    gone = RegistrationFactory(kind=Kind.MAGAZINE, postal_code="", address_key="b")  # address already removed
    assert retention.purge()["magazine_addresses_recorded"] == 0  # nothing to place with yet
    PostalCodeRange.objects.create(municipality=municipality("are"), first="83700", last="83799")
    assert retention.purge()["magazine_addresses_recorded"] == 1
    waiting.refresh_from_db()
    gone.refresh_from_db()
    assert (waiting.address_area, waiting.address_municipality) == (AddressArea.COUNTY, municipality("are"))
    assert gone.address_area == AddressArea.UNKNOWN


def test_anonymising_an_order_first_records_where_it_lay_and_keeps_that():
    order = RegistrationFactory(kind=Kind.MAGAZINE, postal_code="845 31", country="Sverige", address_key="a")
    retention.anonymise(Registration.objects.filter(pk=order.pk), order.created_at)
    order.refresh_from_db()
    assert order.postal_code == "" and order.street_address == ""
    assert (order.address_area, order.address_municipality) == (AddressArea.COUNTY, municipality("berg"))


def test_the_migration_places_the_existing_orders_that_still_have_an_address():
    migration = importlib.import_module("intake.migrations.0015_fill_magazine_address_municipality")
    berg = RegistrationFactory(kind=Kind.MAGAZINE, postal_code="845 31", country="Sverige", address_key="a")
    abroad = RegistrationFactory(kind=Kind.MAGAZINE, postal_code="7010", country="Norge", address_key="b")
    removed = RegistrationFactory(kind=Kind.MAGAZINE, postal_code="", country="Sverige", address_key="c")
    guidance = RegistrationFactory(postal_code="845 31")
    migration.fill(apps, None)
    found = {row.pk: (row.address_area, row.address_municipality_id) for row in Registration.objects.all()}
    assert found[berg.pk] == (AddressArea.COUNTY, municipality("berg").pk)
    assert found[abroad.pk] == (AddressArea.OUTSIDE, None)
    assert found[removed.pk] == found[guidance.pk] == (AddressArea.UNKNOWN, None)


def test_the_demo_table_places_each_municipalitys_main_town():
    towns = {"ostersund": "831 30", "krokom": "835 31", "stromsund": "833 31", "are": "837 52",
             "berg": "845 31", "bracke": "843 31", "ragunda": "844 31", "harjedalen": "842 31"}  # fmt: skip
    for slug, code in towns.items():
        assert magazine_address_area(code, "Sverige") == (AddressArea.COUNTY, municipality(slug).pk), slug
