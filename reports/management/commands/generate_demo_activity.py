"""A year (or --months) of made-up activity for the quarterly report: guidance
registrations with first contacts and outcomes, magazine orders, newsletter
subscriptions, relayed ambassador messages and page views.

For development, demonstrations and the benchmark only: the people are
invented (`@example.invalid`), rows are marked (`submission_key` starting
with `demo-activity-`) and running it again replaces what it made before.
Deterministic for a given --seed and end date.
"""

import datetime
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from ambassadors.models import ApplicationDay, RelayDay
from home.models import MunicipalityPage
from intake.choices import ContactMethod, ContactStatus, Kind, Topic
from intake.models import Registration
from intake.services import magazine_address_area
from intake.working_days import add_working_days
from places.models import Municipality, PostalCodeRange
from reports.models import PageViewDay
from stories.models import StoryPage

MARK = "demo-activity-"
# Registrations for guidance a month per municipality (roughly as the documents say: ~1,100 a year).
WEIGHTS = {"ostersund": 22, "are": 16, "krokom": 10, "harjedalen": 9, "stromsund": 6, "berg": 6,
           "bracke": 4, "ragunda": 4}  # fmt: skip
REGION_WEIGHT = 12
OUTCOMES = (
    [ContactStatus.CONTACTED] * 3
    + [ContactStatus.IN_DIALOGUE] * 4
    + [ContactStatus.MOVED] * 3
    + [
        ContactStatus.NOT_MOVING,
        ContactStatus.NO_ANSWER,
    ]
)


class Command(BaseCommand):
    help = "Create a year of made-up registrations, contacts, orders and page views for the quarterly report."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument("--end", default="", help="The last day (YYYY-MM-DD); today by default.")

    def handle(self, *args, months, seed, end, **options):
        if not 1 <= months <= 60:
            raise CommandError("Give --months from 1 to 60.")
        try:
            last = datetime.date.fromisoformat(end) if end else timezone.localdate()
        except ValueError as error:
            raise CommandError(f"--end: {error}") from None
        first = last - datetime.timedelta(days=round(months * 30.44))
        randomness = random.Random(seed)  # noqa: S311 - made-up demo data, not secrets
        with transaction.atomic():
            made = generate(randomness, first, last)
        if options["verbosity"]:
            self.stdout.write(
                "Demo activity from {} to {}: {}".format(
                    first, last, ", ".join(f"{n} {what}" for what, n in made.items())
                )
            )


def moment(randomness, day):
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(randomness.randrange(6, 23), randomness.randrange(60)))
    )


def days(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def generate(randomness, first, last):
    Registration.objects.filter(submission_key__startswith=MARK).delete()
    municipalities = list(Municipality.objects.in_default_locale())
    if not municipalities:
        raise CommandError("No municipalities: run load_demo_content first.")
    region = next((m for m in municipalities if m.is_region), municipalities[0])
    now = timezone.now()
    ranges = PostalCodeRange.objects.as_tuples()
    registrations = []
    number = 0

    def add(**values):
        nonlocal number
        number += 1
        registrations.append(
            Registration(
                submission_key=f"{MARK}{number}",
                language=randomness.choice(["sv", "sv", "sv", "en"]),
                first_name="Demo",
                last_name=f"Person {number}",
                email=f"demo{number}@example.invalid",
                **values,
            )
        )

    for day in days(first, last):
        for municipality in municipalities:
            weight = REGION_WEIGHT if municipality.is_region else WEIGHTS.get(municipality.slug, 5)
            for _ in range(poisson(randomness, weight / 30.44)):
                created_at = moment(randomness, day)
                add(**guidance_values(randomness, municipality, created_at, now))
        for _ in range(poisson(randomness, 2.2)):  # ~800 magazine orders a year, all through the Region's form
            postal_code, country = demo_address(randomness, ranges)
            area, address_municipality_id = magazine_address_area(postal_code, country, ranges)
            add(
                kind=Kind.MAGAZINE,
                postal_code=postal_code,
                country=country,
                address_area=area,
                address_municipality_id=address_municipality_id,
                municipality=region,
                source="tasteget.nu",
                created_at=moment(randomness, day),
                magazine_issue=f"{day.year}:{1 + (day.month - 1) // 6}",
                address_key=f"{MARK}{number}",
                fulfilment="sent",
            )
        for _ in range(poisson(randomness, 1.0)):
            created_at = moment(randomness, day)
            confirmed = randomness.random() < 0.8
            confirmed_at = (
                created_at + datetime.timedelta(hours=randomness.choice([1, 2, 20, 30, 200])) if confirmed else None
            )
            unsubscribed = confirmed and randomness.random() < 0.1
            add(
                kind=Kind.NEWSLETTER,
                municipality=randomness.choice(municipalities),
                source="tasteget.nu",
                created_at=created_at,
                confirmed_at=confirmed_at if confirmed_at and confirmed_at < now else None,
                unsubscribed_at=confirmed_at + datetime.timedelta(days=randomness.randrange(5, 120))
                if unsubscribed and confirmed_at + datetime.timedelta(days=120) < now
                else None,
            )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    relays = daily_counts(randomness, RelayDay, "messages", municipalities, first, last, 0.15)
    applications = daily_counts(randomness, ApplicationDay, "applications", municipalities, first, last, 0.03)
    views = page_views(randomness, municipalities, first, last)
    return {
        "registrations": len(registrations),
        "relay counts": relays,
        "application counts": applications,
        "page view counts": views,
    }


def demo_address(randomness, ranges):
    """(postal code, country): mostly in the county (the postal code table), some elsewhere in Sweden or abroad."""
    draw = randomness.random()
    if ranges and draw < 0.7:
        first, last, _municipality_id = randomness.choice(ranges)
        code = randomness.randint(int(first), int(last))
        return f"{code // 100} {code % 100:02d}", "Sverige"
    return ("113 51", "Sverige") if draw < 0.9 else ("0150", "Norge")


def guidance_values(randomness, municipality, created_at, now):
    registered = timezone.localtime(created_at).date()
    values = {
        "kind": Kind.GUIDANCE,
        "municipality": municipality,
        "source": "tasteget.nu"
        if municipality.is_region or randomness.random() < 0.75
        else (municipality.allowed_origins or [f"embed:{municipality.slug}"])[0],
        "created_at": created_at,
        "preferred_contact": randomness.choice(ContactMethod.values),
        "topics": randomness.sample(Topic.values, randomness.randrange(1, 4)),
        "due_date": add_working_days(registered, 5),
    }
    delay = randomness.choice([0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 8, 12])
    contacted_on = add_working_days(registered, delay) if delay else registered
    contacted_at = moment(randomness, contacted_on)
    if contacted_at < now and randomness.random() < 0.95:
        values["contacted_at"] = max(contacted_at, created_at)
        age = (now - created_at).days
        values["contact_status"] = randomness.choice(OUTCOMES if age > 60 else OUTCOMES[:7])
    return values


def poisson(randomness, mean):
    """A small Poisson draw (Knuth), so days differ as real ones do."""
    limit, count, product = pow(2.718281828459045, -mean), 0, randomness.random()
    while product > limit:
        count += 1
        product *= randomness.random()
    return count


def daily_counts(randomness, model, field, municipalities, first, last, mean):
    """Counts per municipality and day (relayed messages, ambassador applications), replacing the period's."""
    model.objects.filter(date__gte=first, date__lte=last).delete()
    rows = [
        model(municipality=municipality, date=day, **{field: count})
        for day in days(first, last)
        for municipality in municipalities
        if not municipality.is_region and (count := poisson(randomness, mean))
    ]
    model.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def page_views(randomness, municipalities, first, last):
    """Daily counts for every municipality page, the pages under them and the stories about them."""
    keys = [m.translation_key for m in municipalities]
    paths = (
        MunicipalityPage.objects.live().filter(municipality__translation_key__in=keys).values_list("path", flat=True)
    )
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(path__startswith=path)
    page_ids = set(Page.objects.live().filter(under).values_list("pk", flat=True))
    page_ids.update(
        StoryPage.objects.live().filter(municipality__translation_key__in=keys).values_list("pk", flat=True)
    )
    PageViewDay.objects.filter(date__gte=first, date__lte=last, page_id__in=page_ids).delete()
    rows = []
    for page_id in sorted(page_ids):
        popularity = randomness.uniform(2, 40)
        for day in days(first, last):
            count = poisson(randomness, popularity * (1.3 if day.weekday() >= 5 else 1.0))
            if count:
                rows.append(PageViewDay(page_id=page_id, date=day, views=count))
    PageViewDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
