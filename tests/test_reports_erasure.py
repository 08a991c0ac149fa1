"""Every figure of a past quarter stays the same after people are erased and
the retention purges have run: registrations are anonymised (the rows stay),
ambassador applications are deleted but counted per day (ApplicationDay),
magazine orders keep the municipality of their address."""

import datetime
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import AmbassadorApplication, ApplicationStatus, RelayDay
from home.models import MunicipalityPage
from intake import consent
from intake.choices import ContactStatus, Kind
from intake.models import Delivery, Registration
from intake.services import register
from places.models import Municipality
from privacy.people import erase, find
from reports import figures
from reports.figures import Period
from reports.models import PageViewDay
from tests.factories import AmbassadorApplicationFactory, DeliveryFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
Q1 = Period.quarter(2026, 1)
REPORTED = datetime.datetime(2026, 4, 10, 12, tzinfo=STOCKHOLM)  # when the report is computed, both times
# Past every retention: guidance 12 months after contact, magazine after the
# mailing list, applications 12 months after they arrived.
PURGED = datetime.datetime(2028, 6, 1, 12, tzinfo=STOCKHOLM)


def at(month, day, hour=10, year=2026):
    return datetime.datetime(year, month, day, hour, tzinfo=STOCKHOLM)


def delivered(registration, when):
    DeliveryFactory(registration=registration, status=Delivery.Status.DELIVERED, delivered_at=when, crm_person_id="")
    return registration


def guidance(email, municipality, created, **fields):
    row = RegistrationFactory(email=email, municipality=municipality, created_at=created, **fields)
    return delivered(row, created)


def newsletter(email, municipality, created, **fields):
    row = RegistrationFactory(
        kind=Kind.NEWSLETTER, email=email, municipality=municipality, created_at=created, due_date=None, **fields
    )
    return delivered(row, created)


def magazine(email, postal_code, country, created, number):
    """An order through the service the form calls, so the address is placed as in production."""
    outcome = register(
        kind=Kind.MAGAZINE,
        cleaned={
            "first_name": "Namn",
            "last_name": "Efternamn",
            "email": email,
            "street_address": f"Storgatan {number}",
            "postal_code": postal_code,
            "town": "Ort",
            "country": country,
            "magazine_issue": "2026:1",
        },
        municipality=Municipality.objects.region(),
        source="tasteget.nu",
        language="sv",
        submission_key=f"order-{number}",
        consent_version=consent.current(Kind.MAGAZINE)[0],
    )
    Registration.objects.filter(pk=outcome.registration.pk).update(
        created_at=created, fulfilment="sent", fulfilled_at=created + datetime.timedelta(days=20)
    )
    Delivery.objects.filter(registration=outcome.registration).update(
        status=Delivery.Status.DELIVERED, delivered_at=created
    )
    return outcome.registration


def application(email, municipality, created, number, status=ApplicationStatus.NEW):
    return AmbassadorApplicationFactory(
        email=email,
        municipality=municipality,
        created_at=created,
        submission_key=f"application-{number}",
        status=status,
    )


@pytest.fixture
def quarter():
    """A first quarter of 2026 (and some of 2025) with two people to erase, Sara and Per, among others."""
    are = Municipality.objects.in_default_locale().get(slug="are")
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    # Sara: guidance in Åre (contacted in time, moved), a newsletter subscription,
    # a magazine order to Åre (837 xx in the demo's postal code table), an application.
    guidance(
        "sara@example.org",
        are,
        at(1, 12),
        contacted_at=at(1, 14),
        contact_status=ContactStatus.MOVED,
        topics=["housing", "jobs"],
    )
    newsletter("sara@example.org", are, at(1, 12), confirmed_at=at(1, 12, 11))
    magazine("sara@example.org", "837 52", "Sverige", at(2, 2), 1)
    application("sara@example.org", are, at(3, 31, 23), 1)  # the last hour of the quarter
    # Per: guidance in Berg never contacted (overdue), a newsletter never confirmed,
    # a magazine order to Norway, an application declined.
    guidance("per@example.org", berg, at(2, 20), source="https://www.berg.se")
    newsletter("per@example.org", berg, at(3, 1))
    magazine("per@example.org", "7010", "Norge", at(3, 3), 2)
    application("per@example.org", berg, at(1, 5), 2, status=ApplicationStatus.DECLINED)
    # Others, kept.
    guidance("anna@example.org", are, at(3, 30), contacted_at=at(4, 9), contact_status=ContactStatus.IN_DIALOGUE)
    guidance("olle@example.org", are, at(2, 3, year=2025), contacted_at=at(2, 4, year=2025))  # a year earlier
    newsletter("eva@example.org", berg, at(1, 3), confirmed_at=at(1, 3, 12), unsubscribed_at=at(3, 15))
    magazine("eva@example.org", "845 31", "Sweden", at(1, 20), 3)  # Berg
    magazine("olle@example.org", "845 40", "Sverige", at(2, 20, year=2025), 4)  # Berg, a year earlier
    application("olle@example.org", berg, at(2, 1, year=2025), 3)
    RelayDay.objects.create(municipality=are, date=datetime.date(2026, 2, 14), messages=3)
    page = MunicipalityPage.objects.get(municipality=are, locale__language_code="sv")
    PageViewDay.objects.create(page=page, date=datetime.date(2026, 3, 1), views=12)
    return [are, berg, Municipality.objects.region()]


def test_erasing_two_people_and_purging_past_retention_changes_no_figure(quarter, django_user_model, monkeypatch):
    before = figures.report(Q1, quarter, now=REPORTED)
    are, berg, region = quarter
    # The data set does what it says (worked out by hand): every figure is there to be lost.
    assert before["current"]["guidance"][are.pk]["total"] == 2 and before["current"]["guidance"][berg.pk]["total"] == 1
    assert before["current"]["service_level"][berg.pk]["overdue"] == 1
    assert before["current"]["outcomes"][are.pk][ContactStatus.MOVED] == 1
    assert before["current"]["magazine"][are.pk]["total"] == 1 and before["current"]["magazine"][berg.pk]["total"] == 1
    assert before["current"]["magazine"][figures.OUTSIDE_COUNTY]["total"] == 1
    assert before["previous"]["magazine"][berg.pk]["total"] == 1
    assert before["current"]["newsletter"][are.pk]["confirmed"] == 1
    assert before["current"]["newsletter"][berg.pk] == {"confirmed": 1, "unsubscribed": 1, "net": 0, "unconfirmed": 1}
    assert before["current"]["ambassadors"][are.pk] == {"relayed": 3, "applications": 1}
    assert before["current"]["ambassadors"][berg.pk]["applications"] == 1
    assert before["previous"]["ambassadors"][berg.pk]["applications"] == 1
    assert before["previous"]["guidance"][are.pk]["total"] == 1

    staff = django_user_model.objects.create_user("dpo", "dpo@example.org", "a-long-test-password")
    for email in ("sara@example.org", "per@example.org"):
        erase(find(email), staff)
    monkeypatch.setattr(timezone, "now", lambda: PURGED)  # the clock the daily commands read
    call_command("purge_personal_data", verbosity=0)
    call_command("purge_ambassador_applications", verbosity=0)

    # The purge and the erasures did their work ...
    assert not AmbassadorApplication.objects.exists()
    assert not Registration.objects.filter(kind=Kind.MAGAZINE, anonymised_at__isnull=True).exists()
    assert not Registration.objects.filter(email__in=["sara@example.org", "per@example.org"]).exists()
    assert not Registration.objects.filter(kind=Kind.GUIDANCE, contacted_at__isnull=False, anonymised_at=None).exists()
    # ... and every figure, of the quarter and of the year before, is what it was.
    after = figures.report(Q1, quarter, now=REPORTED)
    for part in ("current", "previous"):
        for section in figures.SECTIONS:
            assert after[part][section] == before[part][section], (part, section)
