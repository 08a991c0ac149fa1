"""The made-up year of activity: realistic enough to read a report from,
replaced (not doubled) when run again, and the report over it stays within
its query budget."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.choices import Kind
from intake.models import Registration
from places.models import Municipality
from reports import figures
from reports.models import PageViewDay

pytestmark = pytest.mark.django_db


def test_demo_activity_fills_every_section_and_running_it_again_replaces_it(admin_client):
    call_command("generate_demo_activity", months=3, end="2026-09-30", verbosity=0)
    made = Registration.objects.filter(submission_key__startswith="demo-activity-")
    guidance = made.filter(kind=Kind.GUIDANCE)
    first_count, views = made.count(), PageViewDay.objects.count()
    assert guidance.count() > 150 and made.filter(kind=Kind.MAGAZINE).exists() and views > 100
    assert guidance.filter(contacted_at__isnull=False).count() > guidance.count() * 0.8
    assert not made.exclude(email__endswith="@example.invalid").exists()
    call_command("generate_demo_activity", months=3, end="2026-09-30", verbosity=0)
    assert made.count() == first_count and PageViewDay.objects.count() == views

    municipalities = list(Municipality.objects.in_default_locale())
    report = figures.report(
        figures.Period.quarter(2026, 3), municipalities, now=datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC)
    )
    are = next(m for m in municipalities if m.slug == "are")
    assert report["current"]["guidance"][are.pk]["total"] > 20
    assert report["current"]["traffic"][are.pk]["total"] > 100
    assert 0 < report["current"]["service_level"][are.pk]["share_in_time"] < 1
    # Orders are spread over the municipalities of their addresses (the demo's postal code table) and beyond.
    magazine = report["current"]["magazine"]
    assert magazine[are.pk]["total"] > 0 and magazine[figures.OUTSIDE_COUNTY]["total"] > 0
    assert magazine[figures.ADDRESS_UNKNOWN]["total"] == 0

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/reports/quarterly/", {"quarter": "2026-Q3"})
    assert response.status_code == 200 and len(queries) <= 40
