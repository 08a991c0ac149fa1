"""The quarterly report in the admin: who sees which municipalities, the
charts with their tables, the spreadsheet, bad input and the query count."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from intake.choices import ContactStatus, Kind
from places.models import Municipality
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
URL = "/admin/reports/quarterly/"
EIGHT = ["Bergs kommun", "Bräcke kommun", "Härjedalens kommun", "Krokoms kommun", "Ragunda kommun",
         "Strömsunds kommun", "Åre kommun", "Östersunds kommun"]  # fmt: skip


def user_in(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "a-long-test-password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def region_client(client, django_user_model):
    client.force_login(user_in(django_user_model, "region", "Region: anmälningar"))
    return client


@pytest.fixture
def are_client(client, django_user_model):
    client.force_login(user_in(django_user_model, "are-adviser", "Flyttvägledare: Åre kommun"))
    return client


@pytest.fixture
def data():
    are = Municipality.objects.in_default_locale().get(slug="are")
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    moment = datetime.datetime(2026, 8, 12, 10, tzinfo=STOCKHOLM)
    RegistrationFactory(municipality=are, created_at=moment, contact_status=ContactStatus.MOVED)
    RegistrationFactory(municipality=are, created_at=moment, source="https://www.are.se")
    RegistrationFactory(municipality=are, created_at=moment.replace(year=2025))
    RegistrationFactory(municipality=berg, created_at=moment, source="https://=cmd|' /C calc'!A0")
    RegistrationFactory(municipality=berg, kind=Kind.NEWSLETTER, created_at=moment, confirmed_at=moment, due_date=None)
    return are, berg


def test_region_staff_see_every_municipality_side_by_side_with_charts_and_tables(region_client, data):
    response = region_client.get(URL, {"quarter": "2026-Q3"})
    html = response.content.decode()
    assert response.status_code == 200
    for name in EIGHT:
        assert f'<th scope="colgroup" colspan="2">{name}</th>' in html
    # Two per-month charts (registrations, page views) for each of the eight and the Region,
    # and one of magazine orders across the municipalities of the addresses.
    assert html.count('<figure class="report-chart">') == 2 * 9 + 1
    assert html.count("<caption>") >= 10 and html.count('role="img"') == 2 * 9 + 1
    registrations = response.context["sections"][0].tables[0]
    are_column = [m.slug for m in response.context["municipalities"]].index("are")
    august = registrations.rows[1]
    assert august.label == datetime.date(2026, 8, 1) and august.cells[are_column] == (2, 1)
    chart = registrations.charts[are_column]
    assert [round(bar.height) for bar in chart["bars"][2:4]] == [
        round(2 / chart["top"] * 142),
        round(1 / chart["top"] * 142),
    ]


def test_an_adviser_sees_only_their_municipality(are_client, data):
    html = are_client.get(URL, {"quarter": "2026-Q3"}).content.decode()
    assert '<th scope="colgroup" colspan="2">Åre kommun</th>' in html
    assert "Bergs kommun" not in html
    # Asking for another municipality falls back to their own.
    html = are_client.get(URL, {"quarter": "2026-Q3", "municipality": "berg"}).content.decode()
    assert "Bergs kommun</th>" not in html


def test_people_without_a_municipality_get_no_report(client, django_user_model, data):
    client.force_login(user_in(django_user_model, "editor", "Editors"))
    assert client.get(URL).status_code in (302, 403)


def test_the_spreadsheet_has_a_sheet_per_section_with_real_numbers_and_dates(region_client, data):
    are, berg = data
    response = region_client.get(URL, {"quarter": "2026-Q3", "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="ta-steget-rapport-2026-Q3.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 8  # a sheet per section, the meet-ups included
    sheet = book.worksheets[0]
    # The periods compared are labelled, never a row of bare dates.
    assert (sheet["A2"].value, sheet["A3"].value) == ("Perioden", "Ett år tidigare")
    assert (sheet["B2"].value, sheet["C2"].value) == (datetime.datetime(2026, 7, 1), datetime.datetime(2026, 9, 30))
    assert (sheet["B3"].value, sheet["C3"].value) == (datetime.datetime(2025, 7, 1), datetime.datetime(2025, 9, 30))
    rows = list(sheet.iter_rows(values_only=True))
    heading = next(row for row in rows if row[0] in ("Month", "Månad"))
    are_column = heading.index("Åre kommun")
    august = next(row for row in rows if row[0] == datetime.datetime(2026, 8, 1))
    assert august[are_column] == 2 and august[are_column + 1] == 1  # a year earlier: one
    # A source that looks like a formula stays text.
    assert not any(isinstance(cell, str) and cell.startswith("=") for row in rows for cell in row)
    shares = book.worksheets[1]
    share_row = next(
        row
        for row in shares.iter_rows()
        if row[0].value and "%" not in str(row[0].value) and row[1].number_format == "0.0%"
    )
    assert share_row[1].number_format == "0.0%"


@pytest.mark.parametrize(
    "query",
    [
        {"quarter": "2026-Q9"},
        {"start": "2026-13-01", "end": "2026-01-01"},
        {"start": "2026-05-01", "end": "2026-04-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
        {"start": "2026-01-01"},
        {"municipality": "x" * 500},
    ],
)
def test_bad_choices_give_a_report_of_this_quarter_and_a_message_never_an_error(region_client, query):
    response = region_client.get(URL, query)
    assert response.status_code in (200, 400)
    assert "<caption>" in response.content.decode()


def test_a_chosen_from_to_period_is_reported(region_client, data):
    html = region_client.get(URL, {"start": "2026-08-01", "end": "2026-08-31", "municipality": "are"}).content.decode()
    assert "Bergs kommun</th>" not in html
    response = region_client.get(URL, {"start": "2026-08-01", "end": "2026-08-31", "municipality": "are"})
    assert response.context["period"].months() == [datetime.date(2026, 8, 1)]


def test_the_report_takes_a_bounded_number_of_queries(region_client, data):
    region_client.get(URL, {"quarter": "2026-Q3"})  # warm what a running process has read (locales)
    with CaptureQueriesContext(connection) as few:
        region_client.get(URL, {"quarter": "2026-Q3"})
    for number in range(30):
        RegistrationFactory(
            municipality=data[number % 2],
            created_at=datetime.datetime(2026, 7, 1 + number, 10, tzinfo=STOCKHOLM),
            topics=["jobs"],
        )
    with CaptureQueriesContext(connection) as many:
        region_client.get(URL, {"quarter": "2026-Q3"})
    assert len(many) == len(few) <= 40


def magazine_order(address_municipality, created_at, number, area="county"):
    return RegistrationFactory(
        municipality=Municipality.objects.region(),
        kind=Kind.MAGAZINE,
        created_at=created_at,
        magazine_issue="2026:2",
        address_key=f"address {number}",
        address_area=area,
        address_municipality=address_municipality,
        due_date=None,
    )


def test_magazine_orders_stand_under_the_municipality_of_the_address(region_client, django_user_model, data):
    are, _berg = data
    moment = datetime.datetime(2026, 8, 12, 10, tzinfo=STOCKHOLM)
    magazine_order(are, moment, 1)
    magazine_order(are, moment, 2)
    magazine_order(are, moment.replace(year=2025), 3)
    magazine_order(None, moment, 4, area="outside")
    magazine_order(None, moment, 5, area="")
    response = region_client.get(URL, {"quarter": "2026-Q3"})
    table = next(section for section in response.context["sections"] if section.slug == "magazine").tables[0]
    # The eight municipalities, then outside the county and not known in place of the Region.
    assert table.columns[:8] == EIGHT and [str(name) for name in table.columns[8:]] == [
        "Utanför länet",
        "Adressen okänd",
    ]
    total = table.rows[-1]
    assert total.cells[EIGHT.index("Åre kommun")] == (2, 1)
    assert total.cells[8:] == [(1, 0), (1, 0)]
    assert [row.label for row in table.rows[:-1]] == ["2026:2"]
    (chart,) = table.charts
    assert chart["description"].startswith("Bergs kommun: 0 ") and len(chart["bars"]) == 2 * 10
    are_bar = chart["bars"][2 * EIGHT.index("Åre kommun")]
    assert are_bar.value == 2 and round(are_bar.width) == round(2 / chart["top"] * (460 - 150 - 8 - 12))
    book = openpyxl.load_workbook(io.BytesIO(region_client.get(URL, {"quarter": "2026-Q3", "format": "xlsx"}).content))
    rows = list(book.worksheets[3].iter_rows(values_only=True))
    heading = next(row for row in rows if row[0] in ("Issue", "Nummer"))
    total_row = next(row for row in rows if row[0] in ("Total", "Totalt"))
    assert total_row[heading.index("Åre kommun")] == 2 and total_row[heading.index("Utanför länet")] == 1
    # An adviser in Åre sees Åre's column only: nothing from outside the county.
    are_client = Client()
    are_client.force_login(user_in(django_user_model, "are-adviser", "Flyttvägledare: Åre kommun"))
    table = next(s for s in are_client.get(URL, {"quarter": "2026-Q3"}).context["sections"] if s.slug == "magazine")
    assert table.tables[0].columns == ["Åre kommun"] and table.tables[0].rows[-1].cells == [(2, 1)]


def test_month_charts_side_by_side_share_one_scale():
    """Åre's 2 and Berg's 1 must not draw bars of the same height."""
    from types import SimpleNamespace

    from reports import charts

    months = [datetime.date(2026, 7, 1), datetime.date(2026, 8, 1)]
    table = SimpleNamespace(
        rows=[
            SimpleNamespace(label=months[0], cells=[(8, 4), (1, 0)]),
            SimpleNamespace(label=months[1], cells=[(2, 6), (1, 1)]),
        ]
    )
    top = charts.month_scale(table, range(2))
    are, berg = (charts.month_chart(table, column, "x", top) for column in range(2))
    assert are["top"] == berg["top"] == top >= 8
    tallest = {chart["top"]: max(bar.height for bar in chart["bars"]) for chart in (are, berg)}
    assert max(bar.height for bar in berg["bars"]) < max(bar.height for bar in are["bars"]) / 4
    assert len(tallest) == 1
    # Alone, a column keeps its own scale.
    assert charts.month_chart(table, 1, "x")["top"] < top


@pytest.mark.parametrize(("share", "swedish"), [(8 / 11, "72,7 %"), (1.0, "100,0 %"), (0.0004, "0,0 %")])
def test_shares_are_rounded_not_cut(share, swedish):
    from django.utils import translation

    from reports.tables import SHARE
    from reports.templatetags.report_tags import figure

    with translation.override("sv"):
        assert figure(share, SHARE) == swedish
