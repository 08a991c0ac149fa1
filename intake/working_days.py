"""Swedish working days, for the five-working-day first-response promise."""

import datetime
import functools

import holidays

# Public holidays plus the "de facto" holidays of Swedish working life:
# Midsummer Eve, Christmas Eve and New Year's Eve.
_CATEGORIES = ("public", "de_facto")


@functools.cache
def _holidays(year):
    # Built once per year: a report over a year of registrations asks thousands of times.
    return frozenset(holidays.Sweden(years=year, categories=_CATEGORIES))


def is_working_day(day: datetime.date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in _holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (which itself does not count)."""
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days after `start`, up to and including `end` (0 when `end` is not later)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        count += is_working_day(day)
    return count
