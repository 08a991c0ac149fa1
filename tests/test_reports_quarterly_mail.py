"""The quarterly e-mail: the first working day of the quarter, a link and
no personal data, once per quarter and contact however often it runs."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from places.models import Municipality
from reports.models import QuarterlyReportSent
from reports.quarterly_mail import send_quarterly_reports
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


@pytest.fixture
def contacts(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    are = Municipality.objects.in_default_locale().get(slug="are")
    are.report_emails = "Chef@are.example\nstatistik@are.example\n\nchef@are.example"
    are.save()
    return are


def test_the_first_working_day_of_the_quarter_each_contact_gets_the_link_once(contacts):
    RegistrationFactory(municipality=contacts, first_name="Hemlig", email="hemlig@example.org")
    thursday = datetime.datetime(2026, 10, 1, 8, tzinfo=STOCKHOLM)
    assert send_quarterly_reports(datetime.datetime(2026, 9, 30, 12, tzinfo=STOCKHOLM)) == []
    assert send_quarterly_reports(thursday.replace(hour=6)) == []  # before 07:00
    assert sorted(send_quarterly_reports(thursday)) == ["chef@are.example", "statistik@are.example"]
    assert send_quarterly_reports(thursday) == []  # the scheduler runs again
    assert send_quarterly_reports(thursday + datetime.timedelta(days=10)) == []
    assert len(mail.outbox) == 2 and {m.to[0] for m in mail.outbox} == {"chef@are.example", "statistik@are.example"}
    message = mail.outbox[0]
    assert "2026 Q3" in message.subject and "Åre kommun" in message.subject
    assert "/admin/reports/quarterly/?quarter=2026-Q3&municipality=are" in message.body
    assert "Hemlig" not in message.body and "@example.org" not in message.body
    assert QuarterlyReportSent.objects.filter(quarter="2026-Q3").count() == 2


def test_a_row_already_written_by_another_run_means_no_second_mail(contacts):
    QuarterlyReportSent.objects.create(quarter="2026-Q3", municipality=contacts, email="chef@are.example")
    assert send_quarterly_reports(datetime.datetime(2026, 10, 1, 9, tzinfo=STOCKHOLM)) == ["statistik@are.example"]
    assert len(mail.outbox) == 1


def test_new_years_day_and_the_weekend_wait_for_the_first_working_day(contacts):
    # 1 January 2027 is a Friday and a holiday; Monday 4 January is the first working day.
    assert send_quarterly_reports(datetime.datetime(2027, 1, 1, 9, tzinfo=STOCKHOLM)) == []
    assert send_quarterly_reports(datetime.datetime(2027, 1, 3, 9, tzinfo=STOCKHOLM)) == []
    assert len(send_quarterly_reports(datetime.datetime(2027, 1, 4, 7, tzinfo=STOCKHOLM))) == 2
    assert set(QuarterlyReportSent.objects.values_list("quarter", flat=True)) == {"2026-Q4"}


def test_a_scheduler_down_on_the_day_catches_up_within_two_weeks_only(contacts):
    assert len(send_quarterly_reports(datetime.datetime(2026, 10, 12, 9, tzinfo=STOCKHOLM))) == 2
    assert send_quarterly_reports(datetime.datetime(2027, 1, 19, 9, tzinfo=STOCKHOLM)) == []  # 4 Jan + 15 days


def test_housekeeping_runs_it(contacts, monkeypatch):
    import reports.quarterly_mail as quarterly_mail

    calls = []
    monkeypatch.setattr(quarterly_mail, "send_quarterly_reports", lambda: calls.append(1) or [])
    call_command("housekeeping")
    assert calls == [1]


def test_report_contacts_must_be_addresses(contacts):
    contacts.report_emails = "chef@are.example\nnot an address"
    with pytest.raises(ValidationError, match="not an address"):
        contacts.full_clean()


def test_a_contact_without_an_account_downloads_the_report_from_the_link(contacts, client, settings):
    """The e-mail's first link works without a login, for that quarter and municipality only."""
    import io
    import re

    import openpyxl

    RegistrationFactory(
        municipality=contacts, first_name="Hemlig", created_at=datetime.datetime(2026, 8, 3, 10, tzinfo=STOCKHOLM)
    )
    send_quarterly_reports(datetime.datetime(2026, 10, 1, 9, tzinfo=STOCKHOLM))
    link = re.search(r"http://testserver(/report/[^/\s]+/)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Disposition"].endswith('-2026-Q3.xlsx"')
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "Åre kommun" in cells and "Bergs kommun" not in cells and "Hemlig" not in cells
    assert book.worksheets[0]["B2"].value == datetime.datetime(2026, 7, 1)

    # Tampered, expired or nonsense links get a page that says so, never an error.
    for bad in (link[:-3] + "xx/", "/report/bm90aGluZw/", "/report/" + "a" * 300 + "/"):
        answer = client.get(bad)
        assert answer.status_code == 404
        assert "Länken fungerar inte längre" in answer.content.decode()
    settings.REPORT_LINK_MAX_AGE_DAYS = 0
    assert client.get(link).status_code == 404
