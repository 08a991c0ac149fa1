"""Importing the ambassador network from a spreadsheet, in the admin or by
command (`import_ambassadors`).

Reads CSV (comma or semicolon, UTF-8 with or without BOM, or Windows-1252 —
what Swedish Excel saves) and XLSX. Columns: name, email, municipality (slug
or name, such as "are", "Åre" or "Åre kommun"), place, languages
(comma-separated codes), moved_from, interests, text, consent_date
(YYYY-MM-DD: the day the ambassador agreed to a public profile; empty:
imported unpublished). Swedish headings (Namn, E-post, Kommun, Ort, Språk,
Flyttade från, Intressen, Presentation, Samtycke) mean the same; the preview
names any column it does not use.

Every row is checked; a plan says what each row would do, and only valid
rows are applied. An existing ambassador (same e-mail) is updated, so an
import run twice changes nothing the second time; a profile an editor
unpublished stays unpublished.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from places.models import Municipality

from .models import Ambassador

REQUIRED = ["name", "email", "municipality", "languages", "text"]
COLUMNS = ["name", "email", "municipality", "place", "languages", "moved_from", "interests", "text", "consent_date"]
# Headings a Swedish spreadsheet has: each means one of COLUMNS.
HEADINGS = {
    "namn": "name",
    "e-post": "email",
    "epost": "email",
    "e-postadress": "email",
    "mejl": "email",
    "mail": "email",
    "e-mail": "email",
    "kommun": "municipality",
    "ort": "place",
    "plats": "place",
    "bor i": "place",
    "språk": "languages",
    "flyttade från": "moved_from",
    "flyttat från": "moved_from",
    "kommer från": "moved_from",
    "moved from": "moved_from",
    "intressen": "interests",
    "presentation": "text",
    "beskrivning": "text",
    "samtycke": "consent_date",
    "samtyckesdatum": "consent_date",
    "samtycke datum": "consent_date",
    "datum för samtycke": "consent_date",
    "consent date": "consent_date",
}


def column_of(heading):
    """The column a heading names ("E-post" → "email"), or the heading itself, lower-case."""
    name = " ".join(str(heading or "").replace("_", " ").split()).casefold()
    return HEADINGS.get(name, name.replace(" ", "_"))


def unknown_columns(rows):
    """The headings of the file that name no column (shown, so a typo is found)."""
    headings = list(rows[0].keys()) if rows else []
    return [str(heading) for heading in headings if heading and column_of(heading) not in COLUMNS]


LIMITS = {"name": 80, "place": 120, "languages": 200, "moved_from": 120, "interests": 300, "text": 1000}
SUFFIXES = (" kommun", " municipality", "s kommun")


class UnreadableFile(Exception):
    pass


@dataclass
class Row:
    number: int
    values: dict
    problems: list = field(default_factory=list)
    action: str = ""  # "create", "update", "unchanged"

    @property
    def is_valid(self):
        return not self.problems


def read_table(data, filename=""):
    """The rows of a CSV or XLSX file as dicts with lower-case column names."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            values = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as error:
            raise UnreadableFile(_("The file is not a readable XLSX workbook.")) from error
        header, *body = values or [[]]
        return [dict(zip(header, row, strict=False)) for row in body if any(cell.strip() for cell in row)]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UnreadableFile(_("The file's characters could not be read."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile(_("The file is not a readable CSV file.")) from error


def municipality_index():
    """Slugs and names (every language, with or without "kommun") → canonical record."""
    canonical = {m.translation_key: m for m in Municipality.objects.in_default_locale()}
    index = {}
    for municipality in Municipality.objects.all():
        record = canonical.get(municipality.translation_key)
        if record is None:
            continue
        name = municipality.name.casefold()
        index[municipality.slug.casefold()] = record
        index[name] = record
        for suffix in SUFFIXES:
            if name.endswith(suffix):
                index[name.removesuffix(suffix)] = record
    return index


def plan(rows):
    """A `Row` per data row (numbered as in the spreadsheet: the header is row 1)."""
    municipalities = municipality_index()
    existing = {ambassador.email.lower(): ambassador for ambassador in Ambassador.objects.all()}
    planned, seen = [], set()
    for number, raw in enumerate(rows, start=2):
        row = {column_of(key): str(value or "").strip() for key, value in raw.items() if key}
        result = Row(number, *check(row, municipalities))
        email = result.values["email"]
        if email and email in seen:
            result.problems.append(_("the e-mail %(email)s appears earlier in the file") % {"email": email})
        seen.add(email)
        if result.is_valid:
            current = existing.get(email)
            result.values = keep_editors_decision(current, result.values)
            if current is None:
                result.action = "create"
            elif any(getattr(current, key) != value for key, value in result.values.items()):
                result.action = "update"
            else:
                result.action = "unchanged"
        planned.append(result)
    return planned


def keep_editors_decision(current, values):
    """An ambassador an editor unpublished stays unpublished; one who had not
    consented and now has is published."""
    if current is not None and current.consent_given_at is not None and not current.is_published:
        return {**values, "is_published": False}
    return values


@transaction.atomic
def apply(planned):
    """Create and update the valid rows; returns counts per action."""
    counts = {"create": 0, "update": 0, "unchanged": 0, "error": 0}
    by_email = {a.email.lower(): a for a in Ambassador.objects.filter(email__in=[r.values["email"] for r in planned])}
    for row in planned:
        if not row.is_valid:
            counts["error"] += 1
            continue
        counts[row.action] += 1
        if row.action == "create":
            Ambassador.objects.create(**row.values)
        elif row.action == "update":
            ambassador = by_email[row.values["email"]]
            for key, value in row.values.items():
                setattr(ambassador, key, value)
            ambassador.save()
    return counts


def check(row, municipalities):
    """(values, problems) for one row."""
    problems = [_("%(column)s is missing") % {"column": column} for column in REQUIRED if not row.get(column)]
    for column, limit in LIMITS.items():
        if len(row.get(column, "")) > limit:
            problems.append(_("%(column)s is longer than %(limit)s characters") % {"column": column, "limit": limit})
    email = row.get("email", "").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("%(email)r is not an e-mail address") % {"email": email})
    municipality = municipalities.get(row.get("municipality", "").casefold())
    if row.get("municipality") and municipality is None:
        problems.append(
            _("unknown municipality %(name)r (use a name or a slug such as 'are')") % {"name": row["municipality"]}
        )
    consent_at = None
    if row.get("consent_date"):
        try:
            day = datetime.date.fromisoformat(row["consent_date"][:10])
            consent_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        except ValueError:
            problems.append(_("consent_date %(value)r is not a date (YYYY-MM-DD)") % {"value": row["consent_date"]})
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
    return values, problems
