"""Import the existing ambassador network from a CSV file.

Columns: name, email, municipality (slug such as "are"), place, languages
(comma-separated codes), moved_from, interests, text, consent_date (YYYY-MM-DD,
the day the ambassador agreed to a public profile; empty: imported unpublished).

Every row is validated; bad rows are reported by row number and skipped.
An existing ambassador (same e-mail) is updated, so running the import twice
changes nothing the second time.
"""

import csv
import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ambassadors.models import Ambassador
from places.models import Municipality

REQUIRED = ["name", "email", "municipality", "languages", "text"]
LIMITS = {"name": 80, "place": 120, "languages": 200, "moved_from": 120, "interests": 300, "text": 1000}


class Command(BaseCommand):
    help = "Import ambassadors from a CSV file; reports bad rows by number. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        municipalities = {m.slug: m for m in Municipality.objects.in_default_locale()}
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        created = updated = unchanged = 0
        errors = []
        seen = set()
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            row = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
            problems, values = validate(row, municipalities)
            email = row.get("email", "").lower()
            if email in seen:
                problems.append(f"the e-mail {email} appears earlier in the file")
            if problems:
                errors.append(f"row {number}: " + "; ".join(problems))
                continue
            seen.add(email)
            with transaction.atomic():
                existing = Ambassador.objects.filter(email__iexact=email).first()
                if existing is None:
                    Ambassador.objects.create(**values)
                    created += 1
                elif any(getattr(existing, key) != value for key, value in values.items()):
                    for key, value in values.items():
                        setattr(existing, key, value)
                    existing.save()
                    updated += 1
                else:
                    unchanged += 1
        for line in errors:
            self.stderr.write(line)
        self.stdout.write(
            f"{created} created, {updated} updated, {unchanged} unchanged, {len(errors)} rows with errors."
        )


def validate(row, municipalities):
    problems = [f"{column} is missing" for column in REQUIRED if not row.get(column)]
    for column, limit in LIMITS.items():
        if len(row.get(column, "")) > limit:
            problems.append(f"{column} is longer than {limit} characters")
    email = row.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{email!r} is not an e-mail address")
    municipality = municipalities.get(row.get("municipality", "").lower())
    if row.get("municipality") and municipality is None:
        problems.append(f"unknown municipality {row['municipality']!r} (use a slug such as 'are')")
    consent_at = None
    if row.get("consent_date"):
        try:
            day = datetime.date.fromisoformat(row["consent_date"])
            consent_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        except ValueError:
            problems.append(f"consent_date {row['consent_date']!r} is not a date (YYYY-MM-DD)")
    values = {
        "name": row.get("name", ""),
        "email": email,
        "municipality": municipality,
        "place": row.get("place", ""),
        "languages": row.get("languages", ""),
        "moved_from": row.get("moved_from", ""),
        "interests": row.get("interests", ""),
        "text": row.get("text", ""),
        "consent_given_at": consent_at,
        "is_published": consent_at is not None,
    }
    return problems, values
