"""How long the site keeps a registration's personal data (docs/data-protection.md).

The CRM is the register of record; the site's copy is needed only until the
CRM (and, for guidance, the adviser) has done its part. Run daily by
`housekeeping` (`manage.py purge_personal_data`); every purge takes `now`, so
tests run it with a fixed clock, and every purge is idempotent.

Rows are *anonymised*, not deleted: the quarterly reports count
registrations per kind, municipality, quarter, contact and move status, so
a row keeps exactly those fields (and the consent record, which holds no
personal data) and loses everything that names or reaches the person.
Deleting would change the figures already reported for past quarters.

Nothing with an undelivered or failed delivery is touched: `held_back` lists
those for Region staff (the dashboard panel and the registration list's
"Retention" filter), who retry or resolve them first.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Kind
from .models import Delivery, Registration, RegistrationUpdate
from .services import record_address_areas
from .subscribers import person_key

logger = logging.getLogger(__name__)

# The confirmation link of a newsletter subscription is valid this long
# (intake/views.py LINK_MAX_AGE); unconfirmed afterwards, the address goes.
UNCONFIRMED_NEWSLETTER_DAYS = 30
# A meet-up sign-up (events/): the consent promises 12 months after signing up.
EVENT_RETENTION_MONTHS = 12

# Blanked on every anonymised row. Kept: kind, municipality, source,
# language, country, household size, planned move, topics, consent, the
# contact record's status and dates, the magazine issue and fulfilment, and
# where a magazine order's address lies (address_area, address_municipality):
# what the reports count.
PERSONAL_FIELDS = {
    "first_name": "",
    "last_name": "",
    "email": "",
    "phone": "",
    "town": "",
    "message": "",
    "street_address": "",
    "postal_code": "",
    "contact_note": "",
    "person_hash": "",
    # The hash of the address with the case it holds (intake/cases.py).
    "case_key": "",
    # What the person ticked on their page follows their topics.
    "checklist_ticks": None,
}


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day when shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def undelivered():
    """A delivery of the registration that is not closed (open or failed)."""
    return Exists(Delivery.objects.filter(registration=OuterRef("pk")).exclude(status__in=Delivery.CLOSED))


def crm_delivered(before=None, action=Delivery.Action.REGISTER):
    rows = Delivery.objects.filter(
        registration=OuterRef("pk"), channel=Delivery.Channel.CRM, action=action, status=Delivery.Status.DELIVERED
    )
    if before is not None:
        rows = rows.filter(delivered_at__lt=before)
    return Exists(rows)


def guidance_cutoff(now):
    return months_before(now, settings.REGISTRATION_RETENTION_MONTHS)


def magazine_cutoff(now):
    return months_before(now, settings.MAGAZINE_RETENTION_MONTHS)


def kept():
    return Registration.objects.filter(anonymised_at__isnull=True)


def due_guidance(now):
    """Delivered to the CRM and first contacted, both longer ago than the retention."""
    cutoff = guidance_cutoff(now)
    return (
        kept()
        .filter(kind=Kind.GUIDANCE, contacted_at__lt=cutoff)
        .filter(crm_delivered(before=cutoff))
        .exclude(undelivered())
    )


def due_magazine(now):
    """On a mailing list marked sent longer ago than the retention, and delivered."""
    return (
        kept()
        .filter(kind=Kind.MAGAZINE, fulfilment="sent", fulfilled_at__lt=magazine_cutoff(now))
        .exclude(undelivered())
    )


def due_newsletter_reduction():
    """Confirmed, still subscribed and known to the CRM: the address is not needed here any more."""
    return (
        kept()
        .filter(kind=Kind.NEWSLETTER, confirmed_at__isnull=False, unsubscribed_at__isnull=True)
        .exclude(email="")
        .filter(crm_delivered())
        .exclude(undelivered())
    )


def due_newsletter_removal(now):
    """Unsubscribed (and the CRM told), or never confirmed while the link was valid."""
    unconfirmed_since = now - datetime.timedelta(days=UNCONFIRMED_NEWSLETTER_DAYS)
    return (
        kept()
        .filter(kind=Kind.NEWSLETTER)
        .filter(
            Q(unsubscribed_at__isnull=False)
            | Q(confirmed_at__isnull=True, unsubscribed_at__isnull=True, created_at__lt=unconfirmed_since)
        )
        .exclude(undelivered())
    )


def due_event(now):
    """A meet-up sign-up made longer ago than its retention, and delivered to the CRM."""
    return (
        kept().filter(kind=Kind.EVENT, created_at__lt=months_before(now, EVENT_RETENTION_MONTHS)).exclude(undelivered())
    )


def held_back(now=None):
    """Old enough to be purged, but kept: a delivery is open or failed, or
    (guidance) no one has recorded the first contact. Region staff see these
    first; nothing here is purged until it is resolved."""
    now = now or timezone.now()
    old_enough = (
        Q(kind=Kind.GUIDANCE, created_at__lt=guidance_cutoff(now))
        | Q(kind=Kind.MAGAZINE, created_at__lt=magazine_cutoff(now))
        | Q(kind=Kind.NEWSLETTER, created_at__lt=now - datetime.timedelta(days=UNCONFIRMED_NEWSLETTER_DAYS))
        | Q(kind=Kind.EVENT, created_at__lt=months_before(now, EVENT_RETENTION_MONTHS))
    )
    return (
        kept()
        .filter(old_enough)
        .annotate(has_undelivered=undelivered())
        .filter(Q(has_undelivered=True) | Q(kind=Kind.GUIDANCE, contacted_at__isnull=True))
    )


def anonymise(registrations, now):
    """Blank the personal fields of these registrations and of their deliveries."""
    pks = list(registrations.values_list("pk", flat=True))
    if not pks:
        return 0
    with transaction.atomic():
        # The last moment the address is known: the reports count magazine
        # orders by where it lies (address_area), which the row keeps.
        record_address_areas(Registration.objects.filter(pk__in=pks))
        Delivery.objects.filter(registration__in=pks, channel=Delivery.Channel.CONFIRMATION_EMAIL).update(recipient="")
        # An error text can quote the address the mail server refused.
        Delivery.objects.filter(registration__in=pks).update(last_error="")
        # The history of a case is the person's earlier answers and messages.
        RegistrationUpdate.objects.filter(registration__in=pks).delete()
        return Registration.objects.filter(pk__in=pks, anonymised_at__isnull=True).update(
            anonymised_at=now,
            # Unique per issue for magazine orders: a value no address can take.
            address_key=Concat(Value("anonymised-"), Cast("pk", output_field=CharField())),
            **PERSONAL_FIELDS,
        )


def reduce_newsletter(registrations):
    """Keep only what the unsubscribe link and the CRM need: the row (its id is
    in the signed link), the CRM person id (on its delivery) and a hash of the
    address (the payload's `person_key`)."""
    count = 0
    for registration in registrations.only("pk", "email"):
        with transaction.atomic():
            Delivery.objects.filter(registration=registration.pk, channel=Delivery.Channel.CONFIRMATION_EMAIL).update(
                recipient="", last_error=""
            )
            count += (
                Registration.objects.filter(pk=registration.pk)
                .exclude(email="")
                .update(
                    person_hash=person_key(registration.email),
                    # The subscription stays one per address (intake/cases.py): its case key stays.
                    **{
                        name: value
                        for name, value in PERSONAL_FIELDS.items()
                        if name not in ("person_hash", "case_key")
                    },
                )
            )
    return count


def start_magazine_clocks(now):
    """An order marked sent in its edit form (not through the mailing list) has
    no sent time yet: its retention starts now."""
    return Registration.objects.filter(kind=Kind.MAGAZINE, fulfilment="sent", fulfilled_at__isnull=True).update(
        fulfilled_at=now
    )


def clear_erasure_hashes():
    """An erased person's address hash stays on the row only until the CRM has been told."""
    return (
        Registration.objects.filter(anonymised_at__isnull=False)
        .exclude(person_hash="")
        .exclude(undelivered())
        .update(person_hash="")
    )


def planned_removal(registration, now=None):
    """When the purge removes this registration's personal data: (datetime or None, why)."""
    now = now or timezone.now()
    if registration.anonymised_at:
        return registration.anonymised_at, _("Personal data already removed.")
    deliveries = list(registration.deliveries.all())
    if any(delivery.status not in Delivery.CLOSED for delivery in deliveries):
        return None, _("Kept until every delivery has arrived; Region staff see it as held back.")
    if registration.kind == Kind.GUIDANCE:
        crm = [d.delivered_at for d in deliveries if d.channel == Delivery.Channel.CRM and d.delivered_at]
        if not registration.contacted_at or not crm:
            return None, _("%(months)s months after it reached the CRM and the first contact was recorded.") % {
                "months": settings.REGISTRATION_RETENTION_MONTHS
            }
        start = max(registration.contacted_at, max(crm))
        return months_before(start, -settings.REGISTRATION_RETENTION_MONTHS), _(
            "%(months)s months after delivery and first contact."
        ) % {"months": settings.REGISTRATION_RETENTION_MONTHS}
    if registration.kind == Kind.MAGAZINE:
        if not registration.fulfilled_at:
            return None, _("%(months)s months after the mailing list with this order is sent.") % {
                "months": settings.MAGAZINE_RETENTION_MONTHS
            }
        return months_before(registration.fulfilled_at, -settings.MAGAZINE_RETENTION_MONTHS), _(
            "%(months)s months after the mailing list was sent."
        ) % {"months": settings.MAGAZINE_RETENTION_MONTHS}
    if registration.kind == Kind.EVENT:
        return months_before(registration.created_at, -EVENT_RETENTION_MONTHS), _(
            "%(months)s months after signing up for the meet-up."
        ) % {"months": EVENT_RETENTION_MONTHS}
    if registration.unsubscribed_at:
        return now, _("At the next daily purge: the subscription has ended.")
    if registration.confirmed_at:
        return None, _("The address is reduced to a hash once the CRM has it; the rest stays until unsubscribed.")
    return registration.created_at + datetime.timedelta(days=UNCONFIRMED_NEWSLETTER_DAYS), _(
        "Never confirmed: removed when the confirmation link expires."
    )


def purge(now=None):
    """Run every retention rule once; return the counts (also logged)."""
    now = now or timezone.now()
    counts = {
        "magazine_clocks_started": start_magazine_clocks(now),
        # Orders made while the postal code table was empty (or before it existed).
        "magazine_addresses_recorded": record_address_areas(kept()),
        "guidance_anonymised": anonymise(due_guidance(now), now),
        "magazine_anonymised": anonymise(due_magazine(now), now),
        "newsletter_reduced": reduce_newsletter(due_newsletter_reduction()),
        "newsletter_anonymised": anonymise(due_newsletter_removal(now), now),
        "event_anonymised": anonymise(due_event(now), now),
        "erasure_hashes_cleared": clear_erasure_hashes(),
        "held_back": held_back(now).count(),
    }
    logger.info("retention: %s", " ".join(f"{name}={count}" for name, count in counts.items()))
    return counts
