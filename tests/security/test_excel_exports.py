"""Every CSV export of the admin opens in Swedish Excel with a double click
(UTF-8 with a byte order mark, semicolons, every field quoted) and no cell of
it starts a formula, however a spreadsheet splits it (tasteget.helpers)."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from places.models import Adviser, Municipality, PostalCodeRange
from search.models import MissedQuery
from tests.factories import AmbassadorApplicationFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
ATTACK = "Sverige;=1337+1;x"


def seed():
    are = Municipality.objects.in_default_locale().get(slug="are")
    RegistrationFactory(municipality=are, first_name=ATTACK, last_name="Åsa-Öberg", email="asa@example.org")
    AmbassadorApplicationFactory(name=ATTACK, municipality=are, text="-2+3")
    MissedQuery.objects.create(query_string=ATTACK, language="sv", hits=3)
    Adviser.objects.create(municipality=are, name=ATTACK, email="adviser@example.org")
    PostalCodeRange.objects.create(first="83795", last="83799", municipality=are, note=ATTACK)


EXPORTS = [
    "/admin/registrations/",
    "/admin/ambassador-applications/",
    "/admin/missed_queries/",
    "/admin/snippets/places/adviser/",
    "/admin/snippets/places/postalcoderange/",
]


def exported(client, url):
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("url", EXPORTS)
def test_the_csv_export_is_for_swedish_excel_and_formula_guarded(admin_client, url):
    seed()
    response, content = exported(admin_client, url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content.startswith("\ufeff".encode())  # UTF-8 with a byte order mark
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) >= 2 and len(rows[0]) > 1 and all(len(row) == len(rows[0]) for row in rows)
    assert all(line.startswith('"') for line in text.splitlines() if line)  # every field quoted
    assert "1337+1" in text  # the value is kept, as text
    cells = [part.strip().strip('"').strip() for line in text.splitlines() for part in line.split(";")]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


def test_region_staff_get_the_registrations_in_swedish_columns(client, django_user_model):
    seed()
    user = django_user_model.objects.create_user("region-excel", "rx@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name="Region: anmälningar"))
    client.force_login(user)
    _response, content = exported(client, "/admin/registrations/")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    values = dict(zip(rows[0], next(row for row in rows if "asa@example.org" in row), strict=True))
    assert values["Förnamn"] == "Sverige;'=1337+1;x" and values["Efternamn"] == "Åsa-Öberg"
