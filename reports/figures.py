"""Every figure of the quarterly report, computed in one place.

A period is a range of whole days in Europe/Stockholm (the site's time
zone): a registration at 23:30 on 30 September belongs to the third quarter
even though it is 21:30 UTC. Rows are read with one query per section and
counted here, so the same code counts the same way on SQLite and PostgreSQL
and the number of queries does not grow with the data (tests/test_reports_*).

What each figure means is written next to it; docs/reports.md repeats it
for the people who read the report.
"""

import datetime
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ambassadors.models import ApplicationDay, RelayDay
from events.models import EventPage, Signup
from home.models import MunicipalityPage
from intake.choices import AddressArea, ContactStatus, Kind
from intake.models import Registration
from intake.working_days import add_working_days, working_days_between
from places.models import Municipality
from stories.models import StoryPage

from .models import PageViewDay

FIRST_CONTACT_WORKING_DAYS = 5
NEWSLETTER_CONFIRM_DAYS = 7


def shift_year(day, years=-1):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included (Europe/Stockholm)."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def quarter(cls, year, number):
        start = datetime.date(year, 3 * number - 2, 1)
        following = datetime.date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
        return cls(start, following - datetime.timedelta(days=1))

    @classmethod
    def quarter_of(cls, day):
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @property
    def quarter_label(self):
        """ "2026-Q3" when the period is exactly a quarter, else ""."""
        number = (self.start.month - 1) // 3 + 1
        return f"{self.start.year}-Q{number}" if self == Period.quarter(self.start.year, number) else ""

    def previous_quarter(self):
        return Period.quarter_of(self.start - datetime.timedelta(days=1))

    def year_earlier(self):
        return Period(shift_year(self.start), shift_year(self.end))

    @property
    def since(self):
        """The first instant of the period, as an aware datetime."""
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def until(self):
        """The first instant after the period."""
        return timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))

    def months(self):
        """The first day of every month the period touches."""
        month = self.start.replace(day=1)
        found = []
        while month <= self.end:
            found.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return found

    def between(self, field):
        return {f"{field}__gte": self.since, f"{field}__lt": self.until}


def local_day(moment):
    return timezone.localtime(moment).date()


def month_of(moment):
    return local_day(moment).replace(day=1)


def per_municipality(ids, make):
    return {pk: make() for pk in ids}


def guidance(period, ids):
    """Registrations for moving guidance made in the period: in total, per
    month, per source (tasteget.nu or the website the form was embedded on)
    and per thing people want help with (one person may name several)."""
    found = per_municipality(ids, lambda: {"total": 0, "months": Counter(), "sources": Counter(), "topics": Counter()})
    rows = Registration.objects.filter(kind=Kind.GUIDANCE, municipality_id__in=ids, **period.between("created_at"))
    for municipality_id, created_at, source, topics in rows.values_list(
        "municipality_id", "created_at", "source", "topics"
    ):
        figures = found[municipality_id]
        figures["total"] += 1
        figures["months"][month_of(created_at)] += 1
        figures["sources"][source] += 1
        if isinstance(topics, list):  # stored JSON: count only what the form can store
            figures["topics"].update(topic for topic in topics if isinstance(topic, str))
    return found


def service_level(period, ids, today):
    """The five-working-day promise for the guidance registrations of the period.

    - `due`: registrations whose five working days are over by `today`, or
      that were contacted (the base of the share);
    - `in_time`: of those, contacted on or before the fifth working day after
      the day of registration (Swedish working days: weekends, public
      holidays, Midsummer Eve, Christmas Eve and New Year's Eve do not count);
    - `share_in_time`: in_time / due, None when nothing is due;
    - `median_days`: median working days from registering to first contact;
    - `uncontacted`: not contacted yet; `overdue`: of those, past their five days.
    """
    found = per_municipality(
        ids, lambda: {"due": 0, "in_time": 0, "uncontacted": 0, "overdue": 0, "days": [], "share_in_time": None}
    )
    rows = Registration.objects.filter(kind=Kind.GUIDANCE, municipality_id__in=ids, **period.between("created_at"))
    for municipality_id, created_at, contacted_at in rows.values_list("municipality_id", "created_at", "contacted_at"):
        figures = found[municipality_id]
        registered = local_day(created_at)
        due_date = add_working_days(registered, FIRST_CONTACT_WORKING_DAYS)
        if contacted_at is not None:
            contacted = local_day(contacted_at)
            figures["due"] += 1
            figures["in_time"] += contacted <= due_date
            figures["days"].append(working_days_between(registered, contacted))
            continue
        figures["uncontacted"] += 1
        if due_date < today:
            figures["due"] += 1
            figures["overdue"] += 1
    for figures in found.values():
        days = figures.pop("days")
        figures["median_days"] = statistics.median(days) if days else None
        figures["share_in_time"] = figures["in_time"] / figures["due"] if figures["due"] else None
    return found


OUTCOMES = list(ContactStatus.values)


def outcomes(period, ids):
    """Where the dialogue stands now with the people who registered in the
    period: one count per contact status (moved, not moving, in dialogue …)."""
    found = per_municipality(ids, lambda: dict.fromkeys(OUTCOMES, 0))
    rows = (
        Registration.objects.filter(kind=Kind.GUIDANCE, municipality_id__in=ids, **period.between("created_at"))
        .values("municipality_id", "contact_status")
        .annotate(number=Count("pk"))
    )
    for row in rows:
        if row["contact_status"] in OUTCOMES:
            found[row["municipality_id"]][row["contact_status"]] += row["number"]
    return found


OUTSIDE_COUNTY, ADDRESS_UNKNOWN = "outside", "unknown"


def magazine(period, ids):
    """Orders of the printed magazine made in the period, per issue, by the
    municipality of the postal address (recorded when the order was made:
    intake.services.magazine_address_area). Besides the municipalities,
    `OUTSIDE_COUNTY` counts addresses outside the county (abroad, or a Swedish
    postal code outside the table) and `ADDRESS_UNKNOWN` orders whose address
    could not be placed (removed before the postal code table had it)."""
    found = per_municipality([*ids, OUTSIDE_COUNTY, ADDRESS_UNKNOWN], lambda: {"total": 0, "issues": Counter()})
    rows = (
        Registration.objects.filter(kind=Kind.MAGAZINE, **period.between("created_at"))
        .filter(
            Q(address_area=AddressArea.COUNTY, address_municipality_id__in=ids)
            | Q(address_area__in=[AddressArea.OUTSIDE, AddressArea.UNKNOWN])
        )
        .values("address_area", "address_municipality_id", "magazine_issue")
        .annotate(number=Count("pk"))
    )
    for row in rows:
        if row["address_area"] == AddressArea.COUNTY:
            key = row["address_municipality_id"]
        else:
            key = OUTSIDE_COUNTY if row["address_area"] == AddressArea.OUTSIDE else ADDRESS_UNKNOWN
        figures = found[key]
        figures["total"] += row["number"]
        figures["issues"][row["magazine_issue"]] += row["number"]
    return found


def newsletter(period, ids, now):
    """Newsletter subscriptions, by the municipality the subscriber is most
    interested in (the Region when none):

    - `confirmed`: confirmations made in the period; `unsubscribed`:
      unsubscriptions made in the period; `net`: the difference;
    - `unconfirmed`: subscriptions made in the period that were not confirmed
      within seven days (only those whose seven days are over by `now`).
    """
    found = per_municipality(ids, lambda: {"confirmed": 0, "unsubscribed": 0, "net": 0, "unconfirmed": 0})
    window = datetime.timedelta(days=NEWSLETTER_CONFIRM_DAYS)
    rows = Registration.objects.filter(kind=Kind.NEWSLETTER, municipality_id__in=ids).filter(
        Q(**period.between("created_at")) | Q(**period.between("confirmed_at")) | Q(**period.between("unsubscribed_at"))
    )
    for municipality_id, created_at, confirmed_at, unsubscribed_at in rows.values_list(
        "municipality_id", "created_at", "confirmed_at", "unsubscribed_at"
    ):
        figures = found[municipality_id]
        figures["confirmed"] += bool(confirmed_at and period.since <= confirmed_at < period.until)
        figures["unsubscribed"] += bool(unsubscribed_at and period.since <= unsubscribed_at < period.until)
        if period.since <= created_at < period.until and created_at + window <= now:
            figures["unconfirmed"] += confirmed_at is None or confirmed_at > created_at + window
    for figures in found.values():
        figures["net"] = figures["confirmed"] - figures["unsubscribed"]
    return found


def ambassadors(period, ids):
    """Visitors' messages relayed to the municipality's ambassadors, and
    applications to become one received, in the period. Both are daily
    counts kept apart from the messages and applications themselves (which
    are never stored, or deleted after 12 months or on erasure), so the
    figure of a past period never changes."""
    found = per_municipality(ids, lambda: {"relayed": 0, "applications": 0})
    for model, field, key in ((RelayDay, "messages", "relayed"), (ApplicationDay, "applications", "applications")):
        rows = (
            model.objects.filter(municipality_id__in=ids, date__gte=period.start, date__lte=period.end)
            .values("municipality_id")
            .annotate(number=Sum(field))
        )
        for row in rows:
            found[row["municipality_id"]][key] = row["number"]
    return found


def meetups(period, ids):
    """Newcomer meet-ups of the municipality (the Region's: those for the
    whole county): sign-ups made in the period (and how many of them were
    cancelled or joined the waiting list), the meet-ups held in the period
    and the people the organiser marked as attended at them. A sign-up stays
    when the person's data is removed (unlinked), so the figures do not change."""
    found = per_municipality(ids, lambda: {"signups": 0, "waiting": 0, "cancelled": 0, "held": 0, "attended": 0})
    made = (
        Signup.objects.filter(event__municipality_id__in=ids, **period.between("created_at"))
        .values("event__municipality_id")
        .annotate(
            signups=Count("pk"),
            waiting=Count("pk", filter=Q(status=Signup.Status.WAITING)),
            cancelled=Count("pk", filter=Q(status=Signup.Status.CANCELLED)),
        )
    )
    for row in made:
        found[row["event__municipality_id"]].update(
            signups=row["signups"], waiting=row["waiting"], cancelled=row["cancelled"]
        )
    held = (
        EventPage.objects.filter(municipality_id__in=ids, alias_of__isnull=True, **period.between("start"))
        .values("municipality_id")
        .annotate(
            held=Count("pk", distinct=True),
            attended=Count("signups", filter=Q(signups__attended=True)),
        )
    )
    for row in held:
        found[row["municipality_id"]].update(held=row["held"], attended=row["attended"])
    return found


def page_owners(ids):
    """({tree path of a municipality page: municipality id}, {story page id: municipality id})."""
    municipalities = dict(
        Municipality.objects.filter(pk__in=ids).values_list("translation_key", "pk")
    )  # the canonical records; a page may point at a translation
    paths = {
        path: municipalities[key]
        for path, key in MunicipalityPage.objects.filter(municipality__translation_key__in=municipalities).values_list(
            "path", "municipality__translation_key"
        )
    }
    stories = {
        page_id: municipalities[key]
        for page_id, key in StoryPage.objects.filter(municipality__translation_key__in=municipalities).values_list(
            "pk", "municipality__translation_key"
        )
    }
    return paths, stories


def traffic(period, ids):
    """Page views per month counted by the cookie-less beacon: the
    municipality's pages (its municipality page and every page under it, in
    every language) and the stories about it."""
    found = per_municipality(ids, lambda: {"pages": Counter(), "stories": Counter(), "total": 0})
    paths, stories = page_owners(ids)
    rows = (
        PageViewDay.objects.filter(date__gte=period.start, date__lte=period.end)
        .annotate(month=TruncMonth("date"))
        .values("page_id", "page__path", "month")
        .annotate(number=Sum("views"))
    )
    step = 4  # treebeard's path: four characters per level
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        if row["page_id"] in stories:
            figures = found[stories[row["page_id"]]]
            figures["stories"][month] += row["number"]
            figures["total"] += row["number"]
            continue
        path = row["page__path"]
        owner = next(
            (paths[path[:end]] for end in range(len(path), 0, -step) if path[:end] in paths),
            None,
        )
        if owner is not None:
            found[owner]["pages"][month] += row["number"]
            found[owner]["total"] += row["number"]
    return found


SECTIONS = ("guidance", "service_level", "outcomes", "magazine", "newsletter", "ambassadors", "meetups", "traffic")


def figures_for(period, ids, now):
    today = local_day(now)
    return {
        "guidance": guidance(period, ids),
        "service_level": service_level(period, ids, today),
        "outcomes": outcomes(period, ids),
        "magazine": magazine(period, ids),
        "newsletter": newsletter(period, ids, now),
        "ambassadors": ambassadors(period, ids),
        "meetups": meetups(period, ids),
        "traffic": traffic(period, ids),
    }


def report(period, municipalities, now=None):
    """{"period", "earlier", "municipalities", "current": {section: {id: …}}, "previous": …}:
    every figure for the period and for the same days a year earlier."""
    now = now or timezone.now()
    ids = [municipality.pk for municipality in municipalities]
    earlier = period.year_earlier()
    return {
        "period": period,
        "earlier": earlier,
        "municipalities": list(municipalities),
        "current": figures_for(period, ids, now),
        "previous": figures_for(earlier, ids, now),
    }


def months_of(counter, period):
    """[(first day of month, number)] for every month of the period, zeros included."""
    return [(month, counter.get(month, 0)) for month in period.months()]
