"""Registrations as one person's data (privacy/registry.py says what this
module provides): found by address, its hash or phone number, shown with
their consent, CRM deliveries and planned removal, and erased.

Erasing anonymises the registrations as the purge does (the rows stay, so
report figures do not change: retention.py), closes their open deliveries
unsent, and tells the CRM through the outbox: one erasure delivery per
person the CRM holds. The address's hash stays on that registration only
until the CRM has been told (the daily purge clears it then).
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasteget.personal_data import Holding, phone_digits, section, values

from . import cases, retention
from .models import Delivery, Registration, RegistrationUpdate
from .services import FIELDS
from .subscribers import person_key
from .tasks import enqueue_delivery

# The kinds of row found here, with the name the ledger's counts use.
KINDS = {"registration": "registrations"}
RECEIPT_LABELS = {
    "registration": gettext_lazy("Registration #%(id)s: personal data removed, the anonymous row kept for the reports"),
}

# What a person gave (the same fields the site stores from the forms), and
# what the site recorded about them.
REGISTRATION_FIELDS = [
    "kind",
    "created_at",
    "source",
    "language",
    *FIELDS,
    "fulfilment",
    "address_area",
    "address_municipality",
    "due_date",
    "contact_status",
    "contacted_at",
    "contacted_by",
    "contact_note",
    "confirmed_at",
    "unsubscribed_at",
    "fulfilled_at",
]


def holding(registrations):
    registrations = list(registrations)
    crm_ids = sorted(
        {
            delivery.crm_person_id
            for registration in registrations
            for delivery in registration.deliveries.all()
            if delivery.crm_person_id
        }
    )
    return Holding(
        rows=registrations,
        log_rows=[("registration", row.pk) for row in registrations],
        emails={row.email.lower() for row in registrations if row.email},
        email_keys={row.person_hash for row in registrations if row.person_hash},
        phones={row.phone for row in registrations if row.phone},
        summary=[_("In the CRM as person:") + " " + ", ".join(crm_ids)] if crm_ids else [],
    )


def loaded(registrations):
    return registrations.select_related("municipality", "consent").prefetch_related("deliveries", "updates")


def find_person(email="", phone=""):
    """The registrations of the address (trimmed, lower-cased) or phone number (international digits)."""
    if email:
        # An erased person's hash waits on an anonymised row for the CRM: not theirs any more.
        registrations = Registration.objects.filter(
            Q(email__iexact=email) | Q(person_hash=person_key(email), anonymised_at__isnull=True)
        )
    elif phone:
        pks = [
            pk
            for pk, number in Registration.objects.exclude(phone="").values_list("pk", "phone")
            if phone_digits(number) == phone
        ]
        # A number the person gave before registering again is in the case's history.
        pks += [
            pk
            for pk, earlier in RegistrationUpdate.objects.filter(earlier__has_key="phone").values_list(
                "registration", "earlier"
            )
            if phone_digits(earlier["phone"] or "") == phone
        ]
        registrations = Registration.objects.filter(pk__in=pks)
    else:
        registrations = Registration.objects.none()
    return holding(loaded(registrations).order_by("created_at"))


def ledger_candidates(hasher):
    """(kind, id, since, keyed hashes) of every registration an erasure could have named.

    Anonymised rows are no candidates: a second run after a restore finds nothing."""
    registrations = Registration.objects.filter(anonymised_at__isnull=True).values_list(
        "pk", "created_at", "email", "phone", "person_hash"
    )
    for pk, since, email, phone, person_hash in registrations.iterator():
        yield "registration", pk, since, (hasher.email(email, person_hash), hasher.phone(phone))


def holding_for(keys):
    """The holding of the rows the ledger matched: {kind: ids}."""
    return holding(loaded(Registration.objects.filter(pk__in=keys.get("registration", ()))).order_by("pk"))


def describe_person(held):
    """Each registration as a section: what the person gave, what the site recorded, where it went."""
    sections = []
    for registration in held.rows:
        when, why = retention.planned_removal(registration)
        consent = getattr(registration, "consent", None)
        sections.append(
            section(
                Registration,
                kind="registration",
                source=_("Registration #%(id)s (%(kind)s)")
                % {"id": registration.pk, "kind": registration.get_kind_display()},
                origin=registration.source,
                municipality=registration.municipality.name,
                data={**values(registration, REGISTRATION_FIELDS), **history(registration)},
                consent={
                    "purpose": consent.purpose,
                    "version": consent.version,
                    "language": consent.language,
                    "given_at": consent.given_at,
                    "text": consent.text,
                }
                if consent
                else None,
                crm=[
                    {
                        "channel": delivery.get_channel_display(),
                        "action": delivery.get_action_display(),
                        "status": delivery.get_status_display(),
                        "crm_person_id": delivery.crm_person_id,
                    }
                    for delivery in registration.deliveries.all()
                    if delivery.channel == Delivery.Channel.CRM
                ],
                deleted_at=when,
                deleted_how=why,
            )
        )
    return sections


def history(registration):
    """The case's history (intake/cases.py): when the person registered again
    and the answers that replaced, or where else they registered."""
    lines = []
    for update in registration.updates.all():
        when = timezone.localtime(update.created_at).strftime("%Y-%m-%d %H:%M")
        if update.kind == RegistrationUpdate.Kind.ELSEWHERE:
            lines.append(f"{when}: {update.get_kind_display()}")
            continue
        if update.text:  # a question sent from the mover's own page
            lines.append(f"{when}: {update.get_kind_display()} ({update.text})")
            continue
        earlier = "; ".join(f"{label} {before or '–'}" for label, before, _now in cases.changes(update))
        lines.append(f"{when}: {update.get_kind_display()}" + (f" ({earlier})" if earlier else ""))
    return {"history": lines} if lines else {}


def erase_person(held, erasure):
    """Anonymise the registrations, close their open deliveries unsent and queue the CRM's erasure.

    Runs inside the erasure's transaction; returns the receipt items and adds
    the CRM erasure deliveries to `erasure.crm_deliveries`."""
    registrations = held.rows
    carriers = {}  # CRM person id (or "" when only the hash is known) -> registration
    for registration in registrations:
        for delivery in registration.deliveries.all():
            if delivery.channel == Delivery.Channel.CRM and delivery.status == Delivery.Status.DELIVERED:
                carriers.setdefault(delivery.crm_person_id, registration)
    if "" in carriers and len(carriers) > 1:
        carriers.pop("")  # the ids reach the person; the hash would name them again
    hashes = {
        registration.pk: registration.person_hash or person_key(registration.email) for registration in registrations
    }
    pks = [registration.pk for registration in registrations]
    retention.anonymise(Registration.objects.filter(pk__in=pks), erasure.now)
    # After anonymising, which blanks every error text: the reason stays.
    Delivery.objects.filter(registration__in=pks, status__in=Delivery.OPEN).update(
        status=Delivery.Status.CANCELLED,
        last_error="Not sent: the person asked to be erased.",
        delivered_at=None,
        # A worker sending one now loses its claim: its outcome is not saved over this.
        claimed_until=None,
    )
    # Already anonymised by the purge: still no contact data left.
    items = [{"what": "registration", "id": pk, "done": "anonymised"} for pk in pks]
    for crm_person_id, registration in carriers.items():
        Registration.objects.filter(pk=registration.pk).update(person_hash=hashes[registration.pk] or "")
        delivery, _created = Delivery.objects.get_or_create(
            registration=registration,
            channel=Delivery.Channel.CRM,
            recipient="",
            action=Delivery.Action.ERASE,
            defaults={"crm_person_id": crm_person_id},
        )
        erasure.crm_deliveries.append(delivery.pk)
        transaction.on_commit(lambda pk=delivery.pk: enqueue_delivery(pk), robust=True)
    return items


def erasure_requests(ids):
    """The CRM's part of an erasure, for its receipt: (number, status, the step to take by hand or "")."""
    return [
        (
            delivery.pk,
            delivery.get_status_display(),
            delivery.last_error if delivery.status == Delivery.Status.FAILED else "",
        )
        for delivery in Delivery.objects.filter(pk__in=ids).order_by("pk")
    ]
