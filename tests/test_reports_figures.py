"""Each figure of the quarterly report on a small data set built by hand;
the expected numbers are worked out in the comments next to them."""

import datetime
import zoneinfo

import pytest

from ambassadors.models import RelayDay
from home.models import MunicipalityPage
from intake.choices import ContactStatus, Kind
from intake.working_days import is_working_day, working_days_between
from places.models import Municipality
from reports import figures
from reports.figures import Period
from reports.models import PageViewDay
from tests.factories import AmbassadorApplicationFactory, ContentPageFactory, MunicipalityFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
Q3 = Period.quarter(2026, 3)
Q4 = Period.quarter(2026, 4)


def at(*args):
    """A moment in Stockholm time."""
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def guidance(municipality, created_at, **values):
    return RegistrationFactory(municipality=municipality, created_at=created_at, **values)


@pytest.fixture
def town():
    return MunicipalityFactory()


def test_periods_are_stockholm_days_and_quarters():
    assert (Q3.start, Q3.end) == (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    assert Q4.end == datetime.date(2026, 12, 31) and Q3.quarter_label == "2026-Q3"
    # Midnight in Stockholm is 22:00 UTC in summer time.
    assert Q3.since == datetime.datetime(2026, 6, 30, 22, tzinfo=datetime.UTC)
    assert Q3.year_earlier() == Period.quarter(2025, 3)
    assert Period(datetime.date(2028, 2, 29), datetime.date(2028, 3, 1)).year_earlier().start == datetime.date(
        2027, 2, 28
    )
    assert Period.quarter_of(datetime.date(2027, 1, 4)).previous_quarter() == Q4
    assert Q3.months() == [datetime.date(2026, 7, 1), datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)]


def test_working_days_skip_christmas_midsummer_and_new_years_eve():
    assert not is_working_day(datetime.date(2026, 12, 24))  # Christmas Eve, a Thursday
    assert not is_working_day(datetime.date(2026, 6, 19))  # Midsummer Eve, a Friday
    assert not is_working_day(datetime.date(2026, 12, 31))  # New Year's Eve
    # Mon 21 Dec → Tue 22, Wed 23, (24–27 off), Mon 28, Tue 29, Wed 30.
    assert working_days_between(datetime.date(2026, 12, 21), datetime.date(2026, 12, 30)) == 5
    assert working_days_between(datetime.date(2026, 12, 21), datetime.date(2026, 12, 21)) == 0


def test_guidance_registrations_per_month_source_and_topic_in_stockholm_time(town):
    guidance(town, at(2026, 7, 1, 0, 5), topics=["jobs", "housing"])  # just after midnight: July
    guidance(town, at(2026, 8, 31, 23, 30), source="https://www.are.se", topics=["housing"])  # still August
    guidance(town, at(2026, 9, 30, 23, 59), topics=[])  # the last minute of Q3
    guidance(town, at(2026, 7, 2, 10), topics="jobs")  # not a list (a bad import): the person counts, no topic
    guidance(town, at(2026, 10, 1, 0, 0))  # the first of Q4: not counted
    guidance(town, at(2026, 6, 30, 23, 59))  # the last of Q2: not counted
    RegistrationFactory(municipality=town, kind=Kind.NEWSLETTER, created_at=at(2026, 8, 1, 12))  # not guidance
    found = figures.guidance(Q3, [town.pk])[town.pk]
    assert found["total"] == 4
    assert figures.months_of(found["months"], Q3) == [
        (datetime.date(2026, 7, 1), 2),
        (datetime.date(2026, 8, 1), 1),
        (datetime.date(2026, 9, 1), 1),
    ]
    assert found["sources"] == {"tasteget.nu": 3, "https://www.are.se": 1}
    assert found["topics"] == {"housing": 2, "jobs": 1}


def test_service_level_counts_working_days_over_christmas(town):
    now = at(2027, 1, 8, 12)
    # Due Wed 30 Dec (see the working-day test): contacted that evening, in time, 5 days.
    guidance(town, at(2026, 12, 21, 10), contacted_at=at(2026, 12, 30, 23, 30), contact_status=ContactStatus.CONTACTED)
    # Contacted on New Year's Eve: late, still 5 working days (the 31st is not one).
    guidance(town, at(2026, 12, 21, 10), contacted_at=at(2026, 12, 31, 9), contact_status=ContactStatus.CONTACTED)
    # Tue 1 Dec, never contacted: due Tue 8 Dec, overdue now.
    guidance(town, at(2026, 12, 1, 9))
    # Wed 30 Dec, not contacted: 31, 1 Jan, 6 Jan are holidays, so due Mon 11 Jan: not due yet.
    guidance(town, at(2026, 12, 30, 9))
    # Contacted the same day: in time, 0 days.
    guidance(town, at(2026, 10, 2, 8), contacted_at=at(2026, 10, 2, 15), contact_status=ContactStatus.CONTACTED)
    found = figures.service_level(Q4, [town.pk], now.date())[town.pk]
    # Due: the three contacted and the overdue one = 4; in time: 2 of 4.
    assert found == {
        "due": 4,
        "in_time": 2,
        "share_in_time": 0.5,
        "uncontacted": 2,
        "overdue": 1,
        "median_days": 5,  # median of 5, 5, 0
    }


def test_service_level_over_midsummer(town):
    # Thu 18 June 2026; Fri 19 is Midsummer Eve: due Fri 26 June.
    guidance(town, at(2026, 6, 18, 16), contacted_at=at(2026, 6, 26, 23, 30), contact_status=ContactStatus.CONTACTED)
    guidance(town, at(2026, 6, 18, 16), contacted_at=at(2026, 6, 29, 0, 30), contact_status=ContactStatus.CONTACTED)
    found = figures.service_level(Period.quarter(2026, 2), [town.pk], datetime.date(2026, 7, 15))[town.pk]
    assert (found["due"], found["in_time"], found["median_days"]) == (2, 1, 5.5)  # median of 5 and 6


def test_outcomes_are_the_contact_statuses_now(town):
    for status in [ContactStatus.MOVED, ContactStatus.MOVED, ContactStatus.NOT_MOVING, ContactStatus.IN_DIALOGUE]:
        guidance(town, at(2026, 8, 3, 10), contact_status=status)
    guidance(town, at(2026, 8, 3, 10))  # new
    guidance(town, at(2025, 8, 3, 10), contact_status=ContactStatus.MOVED)  # a year earlier
    found = figures.outcomes(Q3, [town.pk])[town.pk]
    assert (found["moved"], found["not_moving"], found["in_dialogue"], found["new"], found["no_answer"]) == (
        2,
        1,
        1,
        1,
        0,
    )
    assert figures.outcomes(Q3.year_earlier(), [town.pk])[town.pk]["moved"] == 1


def magazine_order(address_municipality, created_at, issue, number, area="county"):
    """An order from the form on tasteget.nu (so for the Region), its address placed in `address_municipality`."""
    return RegistrationFactory(
        municipality=Municipality.objects.region(),
        kind=Kind.MAGAZINE,
        created_at=created_at,
        magazine_issue=issue,
        address_key=f"address {number}",
        address_area=area,
        address_municipality=address_municipality,
        due_date=None,
    )


def test_magazine_orders_per_issue_and_municipality_of_the_address(town):
    other = MunicipalityFactory()
    region = Municipality.objects.region()
    magazine_order(town, at(2026, 7, 1, 0, 5), "2026:1", 1)  # just after midnight on 1 July: Q3
    magazine_order(town, at(2026, 9, 2, 10), "2026:2", 2)
    magazine_order(town, at(2026, 9, 3, 10), "2026:2", 3)
    magazine_order(other, at(2026, 9, 3, 10), "2026:2", 4)
    magazine_order(None, at(2026, 8, 3, 10), "2026:2", 5, area="outside")  # abroad
    magazine_order(None, at(2026, 8, 4, 10), "2026:1", 6, area="outside")
    magazine_order(None, at(2026, 8, 5, 10), "2026:2", 7, area="")  # address removed before it was placed
    magazine_order(town, at(2026, 10, 1, 0, 1), "2026:2", 8)  # Q4
    magazine_order(town, at(2026, 6, 30, 23, 59), "2026:1", 9)  # Q2
    found = figures.magazine(Q3, [town.pk, other.pk, region.pk])
    # town: 1 of 2026:1 + 2 of 2026:2 = 3; other: 1; outside: one of each issue; not known: 1.
    assert found[town.pk] == {"total": 3, "issues": {"2026:1": 1, "2026:2": 2}}
    assert found[other.pk] == {"total": 1, "issues": {"2026:2": 1}}
    assert found[figures.OUTSIDE_COUNTY] == {"total": 2, "issues": {"2026:1": 1, "2026:2": 1}}
    assert found[figures.ADDRESS_UNKNOWN]["total"] == 1
    # The form asks for no municipality: nothing counts for the Region itself any more.
    assert found[region.pk]["total"] == 0
    # A report for `other` alone does not count the town's orders.
    assert figures.magazine(Q3, [other.pk])[other.pk]["total"] == 1


def subscription(municipality, created_at, confirmed_at=None, unsubscribed_at=None):
    return RegistrationFactory(
        municipality=municipality,
        kind=Kind.NEWSLETTER,
        created_at=created_at,
        confirmed_at=confirmed_at,
        unsubscribed_at=unsubscribed_at,
        due_date=None,
    )


def test_newsletter_confirmed_unsubscribed_net_and_unconfirmed_after_seven_days(town):
    now = at(2026, 10, 5, 12)
    subscription(town, at(2026, 7, 1, 9), confirmed_at=at(2026, 7, 2, 9))  # confirmed in Q3
    subscription(town, at(2026, 6, 28, 9), confirmed_at=at(2026, 7, 1, 0, 30))  # made in Q2, confirmed in Q3
    subscription(town, at(2026, 8, 1, 9))  # never confirmed: unconfirmed
    subscription(town, at(2026, 9, 29, 12))  # not confirmed, but its seven days are not over on 5 Oct
    subscription(town, at(2026, 1, 10, 9), at(2026, 1, 10, 10), unsubscribed_at=at(2026, 8, 15, 9))  # unsubscribed
    subscription(town, at(2026, 7, 3, 9), confirmed_at=at(2026, 7, 20, 9))  # confirmed, but after seven days
    found = figures.newsletter(Q3, [town.pk], now)[town.pk]
    # confirmed: 1st, 2nd, 6th = 3; unsubscribed: 5th = 1; net 2; unconfirmed after 7 days: 3rd and 6th.
    assert found == {"confirmed": 3, "unsubscribed": 1, "net": 2, "unconfirmed": 2}


def application(municipality, created_at, number):
    return AmbassadorApplicationFactory(
        email=f"ola{number}@example.org",
        municipality=municipality,
        created_at=created_at,
        submission_key=f"application-{number}",
    )


def test_ambassador_messages_relayed_and_applications_received(town):
    RelayDay.objects.create(municipality=town, date=datetime.date(2026, 7, 1), messages=2)
    RelayDay.objects.create(municipality=town, date=datetime.date(2026, 9, 30), messages=3)
    RelayDay.objects.create(municipality=town, date=datetime.date(2026, 10, 1), messages=5)  # Q4
    RelayDay.count(town.pk, datetime.date(2026, 9, 30))  # one more on 30 Sep: 3 + 1
    application(town, at(2026, 9, 30, 23, 45), 1)
    application(town, at(2026, 10, 1, 0, 15), 2)  # Q4 in Stockholm, though 30 Sep in UTC
    assert figures.ambassadors(Q3, [town.pk])[town.pk] == {"relayed": 2 + 3 + 1, "applications": 1}


def test_traffic_counts_the_municipality_pages_every_language_and_the_stories_about_it():
    from stories.models import StoryPage

    are = Municipality.objects.in_default_locale().get(slug="are")
    berg = Municipality.objects.in_default_locale().get(slug="berg")
    are_pages = MunicipalityPage.objects.filter(municipality__translation_key=are.translation_key)
    swedish_page = are_pages.get(locale__language_code="sv")
    english_page = are_pages.get(locale__language_code="en")
    child = ContentPageFactory(parent=swedish_page)
    story = StoryPage.objects.filter(municipality=are).first()
    berg_page = MunicipalityPage.objects.get(municipality=berg, locale__language_code="sv")
    PageViewDay.objects.create(page=swedish_page, date=datetime.date(2026, 7, 31), views=3)
    PageViewDay.objects.create(page=english_page, date=datetime.date(2026, 8, 1), views=2)
    PageViewDay.count(child.pk, datetime.date(2026, 8, 15), views=5)
    PageViewDay.objects.create(page=story, date=datetime.date(2026, 9, 30), views=4)
    PageViewDay.objects.create(page=story, date=datetime.date(2026, 10, 1), views=100)  # Q4
    PageViewDay.objects.create(page=berg_page, date=datetime.date(2026, 8, 1), views=7)
    found = figures.traffic(Q3, [are.pk, berg.pk])
    assert found[are.pk]["pages"] == {datetime.date(2026, 7, 1): 3, datetime.date(2026, 8, 1): 2 + 5}
    assert found[are.pk]["stories"] == {datetime.date(2026, 9, 1): 4}
    assert found[are.pk]["total"] == 3 + 2 + 5 + 4
    assert found[berg.pk]["total"] == 7


def test_the_report_puts_the_same_period_a_year_earlier_beside_every_figure(town):
    guidance(town, at(2026, 8, 1, 10))
    guidance(town, at(2025, 8, 1, 10))
    guidance(town, at(2025, 8, 2, 10))
    found = figures.report(Q3, [town], now=at(2026, 10, 5, 12))
    assert found["earlier"] == Period.quarter(2025, 3)
    assert found["current"]["guidance"][town.pk]["total"] == 1
    assert found["previous"]["guidance"][town.pk]["total"] == 2
    assert set(found["previous"]) == set(figures.SECTIONS)
