"""Meet-up sign-ups as one person's data (privacy/registry.py says what this
module provides).

The person's name, address, phone and consent are their intake registration
(kind `event`), found, shown and erased by intake/personal_data.py. What is
here is which meet-ups they signed up for, where they stood and whether they
came. Erasing unlinks the sign-up from the registration: what stays names no
one and keeps the report's counts of sign-ups and attendance.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasteget.personal_data import Holding, phone_digits, section

from .models.signups import Signup

KINDS = {"signup": "meet-up sign-ups"}
RECEIPT_LABELS = {"meet-up sign-up": gettext_lazy("Meet-up sign-up #%(id)s: unlinked from the person, kept as a count")}


def holding(signups):
    return Holding(
        rows=signups,
        log_rows=[("meet-up sign-up", row.pk) for row in signups],
        emails={row.registration.email.lower() for row in signups if row.registration.email},
        phones={row.registration.phone for row in signups if row.registration.phone},
    )


def linked():
    return Signup.objects.filter(registration__isnull=False).select_related("registration", "event")


def find_person(email="", phone=""):
    if email:
        return holding(list(linked().filter(registration__email__iexact=email)))
    if phone:
        rows = linked().exclude(registration__phone="")
        return holding([row for row in rows if phone_digits(row.registration.phone) == phone])
    return holding([])


def ledger_candidates(hasher):
    rows = linked().values_list("pk", "created_at", "registration__email", "registration__phone")
    for pk, since, email, phone in rows.iterator():
        yield "signup", pk, since, (hasher.email(email), hasher.phone(phone))


def holding_for(keys):
    return holding(list(linked().filter(pk__in=keys.get("signup", ()))))


def describe_person(held):
    return [
        section(
            Signup,
            kind="signup",
            source=_("Meet-up sign-up #%(id)s") % {"id": row.pk},
            origin=row.event.title,
            municipality=row.event.municipality.name,
            data={
                "meet-up": row.event.title,
                "starts": row.event.start.isoformat(),
                "status": str(row.get_status_display()),
                "signed up": row.created_at.isoformat(),
                "attended": row.attended,
                "registration": row.registration_id,
            },
            consent=None,
            crm=[],
            deleted_at=None,
            deleted_how=_("Unlinked from the person when the registration's personal data is removed."),
        )
        for row in held.rows
    ]


def erase_person(held, erasure):
    ids = [row.pk for row in held.rows]
    Signup.objects.filter(pk__in=ids).update(registration=None)
    return [{"what": "meet-up sign-up", "id": pk, "done": "unlinked"} for pk in ids]
