"""One case per person: which registration a repeat registration belongs to.

A person who registers for guidance again with the same e-mail (trimmed,
case-insensitive) for the same municipality while their case is open adds
to that case; a newsletter signup with an address that already subscribes
(or waits for confirmation) adds nothing. The registration holding a case
carries `case_key` (the address's hash and what the case is for), unique
among the rows that hold one: two registrations sent at the same moment
cannot both open a case (the second insert fails and is added to the first).

*Open* is decided when a repeat arrives, not stored: a case for guidance is
open while its personal data is kept, the adviser has not recorded "moved
here" or "not moving", and it was opened less than INTAKE_CASE_OPEN_DAYS
ago; a newsletter subscription while it is neither unsubscribed nor
anonymised. A closed case gives its key up to the new one.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from .choices import ContactStatus, Kind, Topic
from .models.registrations import Registration, RegistrationUpdate
from .subscribers import person_key

# The adviser's record that closes a case for guidance.
CLOSED_STATUSES = (ContactStatus.MOVED, ContactStatus.NOT_MOVING)

# What a repeat may change, in the order the history shows them.
ANSWERS = [
    "first_name",
    "last_name",
    "phone",
    "preferred_contact",
    "country",
    "town",
    "adults",
    "children",
    "move_when",
    "topics",
    "message",
    "newsletter_opt_in",
]


def case_key(kind, email, municipality_id):
    """The key of the case a registration opens, or "" when it opens none
    (magazine orders have their own rule: one per address and issue)."""
    key = person_key(email)
    if not key:
        return ""
    if kind == Kind.GUIDANCE:
        return f"{key}:{municipality_id}"
    if kind == Kind.NEWSLETTER:
        return f"{key}:newsletter"
    return ""


def is_open(registration, now=None):
    if registration.anonymised_at is not None:
        return False
    if registration.kind == Kind.NEWSLETTER:
        return registration.unsubscribed_at is None
    if registration.contact_status in CLOSED_STATUSES:
        return False
    now = now or timezone.now()
    return registration.created_at > now - datetime.timedelta(days=settings.INTAKE_CASE_OPEN_DAYS)


def holder(key):
    """The registration holding the case key, locked for this transaction
    (PostgreSQL: a second repeat waits here; SQLite serialises writers)."""
    if not key:
        return None
    return Registration.objects.select_for_update().filter(case_key=key).first()


def release(registration):
    """A closed case lets a new one take its key."""
    Registration.objects.filter(pk=registration.pk).update(case_key="")


def open_cases_elsewhere(registration):
    """The person's other open cases for guidance (in other municipalities)."""
    key = person_key(registration.email)
    if not key or registration.kind != Kind.GUIDANCE:
        return []
    rows = (
        Registration.objects.filter(kind=Kind.GUIDANCE, case_key__startswith=f"{key}:")
        .exclude(pk=registration.pk)
        .select_related("municipality")
    )
    return [row for row in rows if is_open(row)]


def answers_of(cleaned):
    """The answers a repeat brings: what it filled in (an empty field keeps the earlier answer)."""
    return {name: cleaned[name] for name in ANSWERS if filled(cleaned.get(name))}


def filled(value):
    # Not `in (None, "", [], False)`: 0 children is an answer, and 0 == False.
    return not (value is None or value is False or value == "" or value == [])


def add_answers(registration, cleaned, *, source, language, submission_key, consent_version, due_date):
    """Store a repeat's answers on the case and the answers they replaced in its history."""
    new = answers_of(cleaned)
    changed = [name for name in ANSWERS if name in new and new[name] != getattr(registration, name)]
    earlier = {name: getattr(registration, name) for name in changed}
    update = RegistrationUpdate.objects.create(
        registration=registration,
        kind=RegistrationUpdate.Kind.AGAIN,
        submission_key=submission_key,
        source=source,
        language=language,
        consent_version=consent_version,
        due_date=due_date,
        changed=changed,
        earlier=earlier,
    )
    fields = {name: new[name] for name in changed}
    # The person's latest language is the one to write to them in.
    fields["language"] = language
    Registration.objects.filter(pk=registration.pk).update(**fields)
    for name, value in fields.items():
        setattr(registration, name, value)
    return update


def note_elsewhere(case, other):
    """Record on `case` that its person also registered in another municipality."""
    return RegistrationUpdate.objects.create(
        registration=case, kind=RegistrationUpdate.Kind.ELSEWHERE, other=other, source=other.source
    )


def readable(registration, name, value):
    """An answer as the adviser reads it: the choice's label, the topics' labels, yes or no."""
    field = registration._meta.get_field(name)
    if name == "topics":
        labels = dict(Topic.choices)
        return ", ".join(str(labels.get(topic, topic)) for topic in value or [])
    if field.choices:
        return str(dict(field.choices).get(value, value or ""))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    return "" if value is None else str(value)


def changes(update):
    """(label, earlier answer, answer now) of each answer a repeat changed,
    "now" being the answer this repeat gave (the update's own new value)."""
    registration = update.registration
    later = {}
    for newer in registration.updates.all():
        if newer.created_at > update.created_at or (newer.created_at == update.created_at and newer.pk > update.pk):
            for name, value in newer.earlier.items():
                later.setdefault(name, value)
    rows = []
    for name in update.changed:
        now = later.get(name, getattr(registration, name))
        rows.append(
            (
                str(registration._meta.get_field(name).verbose_name),
                readable(registration, name, update.earlier.get(name)),
                readable(registration, name, now),
            )
        )
    return rows
