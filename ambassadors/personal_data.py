"""Ambassador applications and profiles as one person's data
(privacy/registry.py says what this module provides).

Erasing deletes them with their history entries, whose labels name the
person. What the quarterly report counts of an application is a separate
number per municipality and day (ApplicationDay), so no figure changes.
"""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import ModelLogEntry

from tasteget.personal_data import Holding, phone_digits, section, values

from .models import APPLICATION_RETENTION_DAYS, Ambassador, AmbassadorApplication, ApplicationStatus

# The kinds of row found here, with the names the ledger's counts use.
KINDS = {"application": "ambassador applications", "ambassador": "ambassador profiles"}
RECEIPT_LABELS = {
    "ambassador application": gettext_lazy("Ambassador application #%(id)s: deleted with its history"),
    "ambassador": gettext_lazy("Ambassador profile #%(id)s: deleted with its history"),
}

APPLICATION_FIELDS = [
    "created_at",
    "name",
    "email",
    "phone",
    "place",
    "languages",
    "moved_from",
    "interests",
    "text",
    "status",
    "consent_version",
    "consent_language",
    "consent_given_at",
    "public_profile",
]
AMBASSADOR_FIELDS = ["name", "email", "place", "languages", "moved_from", "interests", "text", "consent_given_at"]


def holding(applications, ambassadors):
    rows = [*applications, *ambassadors]
    return Holding(
        rows=rows,
        log_rows=[("ambassador application", row.pk) for row in applications]
        + [("ambassador", row.pk) for row in ambassadors],
        emails={row.email.lower() for row in rows if row.email},
        phones={row.phone for row in applications if row.phone},
    )


def find_person(email="", phone=""):
    """Applications and profiles of the address (trimmed, lower-cased) or phone number (international digits)."""
    if email:
        return holding(
            list(AmbassadorApplication.objects.filter(email__iexact=email)),
            list(Ambassador.objects.filter(email__iexact=email)),
        )
    if phone:
        applications = AmbassadorApplication.objects.exclude(phone="")
        return holding([row for row in applications if phone_digits(row.phone) == phone], [])
    return holding([], [])


def ledger_candidates(hasher):
    """(kind, id, since, keyed hashes) of every application and profile."""
    applications = AmbassadorApplication.objects.values_list("pk", "created_at", "email", "phone")
    for pk, since, email, phone in applications.iterator():
        yield "application", pk, since, (hasher.email(email), hasher.phone(phone))
    for pk, since, email in Ambassador.objects.values_list("pk", "consent_given_at", "email").iterator():
        yield "ambassador", pk, since, (hasher.email(email),)


def holding_for(keys):
    """The holding of the rows the ledger matched: {kind: ids}."""
    return holding(
        list(AmbassadorApplication.objects.filter(pk__in=keys.get("application", ()))),
        list(Ambassador.objects.filter(pk__in=keys.get("ambassador", ()))),
    )


def application_removal(application):
    if application.status == ApplicationStatus.ACCEPTED:
        return None, _("Kept while the person is an ambassador.")
    return application.created_at + timezone.timedelta(days=APPLICATION_RETENTION_DAYS), _(
        "Deleted 12 months after it arrived unless accepted."
    )


def describe_person(held):
    sections = []
    for row in held.rows:
        if isinstance(row, AmbassadorApplication):
            when, why = application_removal(row)
            sections.append(
                section(
                    AmbassadorApplication,
                    kind="application",
                    source=_("Ambassador application #%(id)s") % {"id": row.pk},
                    origin=row.source,
                    municipality=row.municipality.name,
                    data=values(row, APPLICATION_FIELDS),
                    consent={"text": row.consent_text, "profile_text": row.profile_consent_text},
                    crm=[],
                    deleted_at=when,
                    deleted_how=why,
                )
            )
        else:
            sections.append(
                section(
                    Ambassador,
                    kind="ambassador",
                    source=_("Ambassador profile #%(id)s") % {"id": row.pk},
                    origin=_("Entered by the Region's editors"),
                    municipality=row.municipality.name,
                    data={**values(row, AMBASSADOR_FIELDS), "is_published": row.is_published},
                    consent=None,
                    crm=[],
                    deleted_at=None,
                    deleted_how=_("Kept while the person is an ambassador; removed on request."),
                )
            )
    return sections


def erase_person(held, erasure):
    """Delete the applications and profiles with their history entries; return the receipt items."""
    items = []
    for model, label in ((AmbassadorApplication, "ambassador application"), (Ambassador, "ambassador")):
        ids = [row.pk for row in held.rows if isinstance(row, model)]
        if not ids:
            continue
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        ).delete()
        model.objects.filter(pk__in=ids).delete()
        items.extend({"what": label, "id": pk, "done": "deleted"} for pk in ids)
    return items
