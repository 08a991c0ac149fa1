"""The shape in which every app hands one person's data to privacy/.

Each app that holds personal data owns how it is found, shown, exported and
erased, in a module of its own (`<app>/personal_data.py`) that its AppConfig
names (`personal_data = "<app>.personal_data"`). `privacy/registry.py` reads
those names and says what such a module provides; privacy/ only orchestrates,
logs and writes the receipt (docs/data-protection.md). This module is the
common ground below every app: the holding and the erasure passed between
them, and the helpers that make a row readable.
"""

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _


def phone_digits(value):
    """Digits in international form: "070-123 45 67" and "+46 70 123 45 67" match."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "46" + digits[1:]
    return digits


@dataclass
class Holding:
    """What one app holds about one person.

    `rows` are the app's own objects: only the app reads them. The rest is
    what privacy/ needs without reading them: `log_rows` ((kind, id) of each
    row, for the access log: no personal data), the addresses and phone
    numbers the rows hold (the erasure ledger hashes them; task results
    carrying an address are deleted), `email_keys` (the SHA-256 `person_key`
    of an address kept where the address itself is gone) and `summary`
    (lines shown above the sections, e.g. the person's id in the CRM).
    """

    rows: list = field(default_factory=list)
    log_rows: list = field(default_factory=list)
    emails: set = field(default_factory=set)
    email_keys: set = field(default_factory=set)
    phones: set = field(default_factory=set)
    summary: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.rows)


@dataclass
class Erasure:
    """One erasure as every app sees it: when, every address the person had
    (across all apps and the query), and the requests the apps sent to
    outside systems (CRM deliveries by id, shown on the receipt)."""

    now: object
    emails: set = field(default_factory=set)
    crm_deliveries: list = field(default_factory=list)


def values(row, names):
    """The named fields of `row` as plain values, empty ones left out."""
    data = {}
    for name in names:
        value = getattr(row, name)
        display = getattr(row, f"get_{name}_display", None)
        if display and value:
            value = str(display())
        elif hasattr(value, "get_full_name"):  # the adviser who made the contact
            value = value.get_full_name() or value.get_username()
        elif value is not None and not isinstance(value, str | int | bool | list) and not hasattr(value, "isoformat"):
            value = str(value)  # a chosen page or snippet, by its title
        if value in ("", None, []):
            continue
        data[name] = value
    return data


# Labels for what is not a model field; model fields use their own verbose names.
EXTRA_LABELS = {
    "is_published": lambda: _("published"),
    "origin": lambda: _("came from"),
    "municipality": lambda: _("municipality"),
    "deleted_at": lambda: _("to be deleted"),
    "deleted_how": lambda: _("how it is deleted"),
    "history": lambda: _("history (registered again, earlier answers)"),
    "consent.purpose": lambda: _("consent: purpose"),
    "consent.version": lambda: _("consent: version"),
    "consent.language": lambda: _("consent: language"),
    "consent.given_at": lambda: _("consent: given"),
    "consent.text": lambda: _("consent: text shown"),
    "consent.profile_text": lambda: _("consent to a public profile: text shown"),
    "crm.channel": lambda: _("CRM: channel"),
    "crm.action": lambda: _("CRM: action"),
    "crm.status": lambda: _("CRM: status"),
    "crm.crm_person_id": lambda: _("CRM: person number"),
}


def label(model, name):
    """What the data protection officer and the person read for a field: its
    verbose name in the current language, never the column name."""
    if name in EXTRA_LABELS:
        text = str(EXTRA_LABELS[name]())
    else:
        try:
            text = str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - an unknown name is shown as it is
            return name
    return text[:1].upper() + text[1:]


def cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if hasattr(value, "tzinfo") else value.isoformat()
    return str(value) if not isinstance(value, bool | int) else value


def readable(model, section):
    """The section as (label, value) rows, in the order the export shows them."""
    rows = [(label(model, "origin"), section["origin"]), (label(model, "municipality"), section["municipality"])]
    rows += [(label(model, name), value) for name, value in section["data"].items()]
    rows += [(label(model, f"consent.{name}"), value) for name, value in (section["consent"] or {}).items()]
    for number, crm in enumerate(section["crm"], start=1):
        rows += [(f"{label(model, f'crm.{name}')} ({number})", value) for name, value in crm.items()]
    rows += [(label(model, "deleted_at"), section["deleted_at"]), (label(model, "deleted_how"), section["deleted_how"])]
    return [
        (name, (_("Yes") if value else _("No")) if isinstance(value, bool) else cell(value)) for name, value in rows
    ]


def section(model, **fields):
    """One section of the person's data: the export's fields, and `rows` for the page and the XLSX
    (privacy/ leaves `rows` out of the JSON)."""
    return {**fields, "rows": readable(model, fields)}
