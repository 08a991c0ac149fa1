"""A Region user opens the report for Q3 2026, sees the
eight municipalities side by side with charts and tables, and downloads the
XLSX; an Åre adviser sees only Åre."""

import io
from pathlib import Path

import openpyxl
import pytest

EIGHT = {"Bergs kommun", "Bräcke kommun", "Härjedalens kommun", "Krokoms kommun", "Ragunda kommun",
         "Strömsunds kommun", "Åre kommun", "Östersunds kommun"}  # fmt: skip


def log_in(site_server, page, username, group):
    site_server.shell(
        "from django.contrib.auth.models import Group, User; "
        f"u = User.objects.create_user('{username}', '{username}@example.org', 'a-long-browser-password'); "
        f"u.groups.add(Group.objects.get(name='{group}'))"
    )
    page.goto(site_server.url + "/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("a-long-browser-password")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(site_server.url + "/admin/")


def column_names(page):
    return [
        name.strip() for name in page.locator("table.report-table >> nth=0 >> th[scope=colgroup]").all_inner_texts()
    ]


@pytest.mark.browser
def test_a_region_user_opens_q3_2026_sees_the_eight_side_by_side_and_downloads_the_xlsx(site_server, page, axe):
    log_in(site_server, page, "region-report", "Region: anmälningar")
    page.goto(site_server.url + "/admin/reports/quarterly/")
    page.locator("select[name=quarter]").select_option("2026-Q3")
    page.locator("form.report-choice button[type=submit]").click()
    page.wait_for_url("**quarter=2026-Q3**")
    assert set(column_names(page)) >= EIGHT
    assert page.locator("figure.report-chart svg[role=img]").count() >= 16
    assert page.locator("table.report-table caption").count() >= 10
    # Magazine orders by the municipality of the address: one chart across the columns, outside the county beside them.
    assert page.locator("#magazine figure.report-chart svg[role=img]").count() == 1
    magazine_columns = page.locator("#magazine table.report-table th[scope=colgroup]").all_inner_texts()
    assert set(magazine_columns) >= EIGHT and {"Utanför länet", "Outside the county"} & set(magazine_columns)
    assert axe(page) == []
    with page.expect_download() as download:
        page.locator("a[download]").click()
    assert download.value.suggested_filename == "ta-steget-rapport-2026-Q3.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(book.worksheets) == 8  # a sheet per section, the meet-ups included
    headings = {cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row}
    assert headings >= EIGHT


@pytest.mark.browser
def test_an_are_adviser_sees_only_are(site_server, page):
    log_in(site_server, page, "are-report", "Flyttvägledare: Åre kommun")
    page.goto(site_server.url + "/admin/reports/quarterly/?quarter=2026-Q3&municipality=berg")
    assert set(column_names(page)) == {"Åre kommun"}
    assert page.locator("select[name=municipality] option").all_inner_texts() == ["Åre kommun"]
    assert "Bergs kommun" not in page.content()
