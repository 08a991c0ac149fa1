"""Swedish working days, for the five-working-day first-response promise."""

import datetime

import holidays

# Public holidays plus the "de facto" holidays of Swedish working life:
# Midsummer Eve, Christmas Eve and New Year's Eve.
_CATEGORIES = ("public", "de_facto")


def is_working_day(day: datetime.date) -> bool:
    if day.weekday() >= 5:
        return False
    return day not in holidays.Sweden(years=day.year, categories=_CATEGORIES)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (which itself does not count)."""
    day = start
    remaining = days
    while remaining:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day
