"""The mover's own page (home/my_page.py): its signed link, the case it
shows and the case's history in the mover's words.

The link names the case by id and part of the address's hash, never the
address (intake/subscribers.py `person_token`, the pattern of the newsletter
preference link), and expires after MOVER_PAGE_MAX_AGE seconds; a new one is
sent to whoever enters the address, with the same answer whether or not it
is known (docs/data-protection.md).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tasteget.helpers import absolute_url

from .choices import ContactStatus, Kind
from .models.access import AccessLogEntry
from .models.registrations import Registration, RegistrationUpdate
from .subscribers import person_key, person_token, registration_from_token, subscriber_reverse

MOVER_SALT = "intake.mover-page"

# The access log's "who" when a mover opens or changes their own page.
MOVER = "(mover, by page link)"

# What a mover may change on their page, in the order the page shows them.
CHANGEABLE = ["phone", "preferred_contact", "topics", "move_when"]


def mover_link(registration):
    """The signed, expiring address of a mover's page, in their language."""
    return subscriber_reverse(registration, "mover_page", person_token(registration, MOVER_SALT))


def mover_request_url(language):
    """The page, in the mover's language, where a new link is asked for."""
    with translation.override(language):
        return absolute_url(reverse("mover_page_request"))


def mover_link_days():
    """How long a link works, in whole days (for the texts that say so)."""
    return max(1, settings.MOVER_PAGE_MAX_AGE // (24 * 3600))


def case_from_token(token):
    """The case for guidance a valid, unexpired link names, or None."""
    return registration_from_token(
        token,
        salt=MOVER_SALT,
        max_age=settings.MOVER_PAGE_MAX_AGE,
        rows=Registration.objects.select_related("municipality").filter(kind=Kind.GUIDANCE),
    )


def cases_for_address(email):
    """The address's cases for guidance that still hold personal data, newest first."""
    key = person_key(email)
    if not key:
        return []
    return list(
        Registration.objects.filter(kind=Kind.GUIDANCE, anonymised_at__isnull=True)
        .filter(models.Q(email__iexact=email.strip()) | models.Q(case_key__startswith=f"{key}:"))
        .select_related("municipality")
        .order_by("-created_at")[:5]
    )


def record_view(registration, action=AccessLogEntry.Action.VIEW):
    """Every view of (and change on) a mover's page is in the access log, by id only."""
    return AccessLogEntry.objects.create(
        username=MOVER, action=action, subject="mover page", objects_touched=f"registration {registration.pk}"
    )


def day(moment):
    return date_format(timezone.localtime(moment) if isinstance(moment, timezone.datetime) else moment, "j F Y")


STATUS_WORDS = {
    ContactStatus.IN_DIALOGUE: lambda: _("You are in dialogue with your moving adviser."),
    ContactStatus.MOVED: lambda: _("You have moved here. Welcome!"),
    ContactStatus.NOT_MOVING: lambda: _("You told your adviser that you are not moving for now."),
    ContactStatus.NO_ANSWER: lambda: _("Your adviser tried to reach you but got no answer."),
}


def history(registration, updates, municipality_name):
    """The case's history as sentences, oldest first: [(date, sentence)].

    From the registration (received, first contact), the adviser's contact
    record or the CRM's answers (intake/answers.py set the same fields), and
    the case's updates. The status has no date of its own: it closes the list.
    """
    labels = dict(registration_field_labels())
    events = [
        (
            registration.created_at,
            _("We received your registration for %(municipality)s.") % {"municipality": municipality_name},
        )
    ]
    if registration.contacted_at:
        events.append(
            (
                registration.contacted_at,
                _("Your adviser contacted you on %(day)s.") % {"day": day(registration.contacted_at)},
            )
        )
    for update in updates:
        if update.kind == RegistrationUpdate.Kind.AGAIN:
            text = _("You registered again; your new answers were added to this case.")
        elif update.kind == RegistrationUpdate.Kind.CHANGED:
            fields = ", ".join(str(labels.get(name, name)) for name in update.changed)
            text = _("You changed: %(fields)s. Your adviser was told.") % {"fields": fields}
        elif update.kind == RegistrationUpdate.Kind.QUESTION:
            text = _("You sent your adviser a question.")
        elif update.kind == RegistrationUpdate.Kind.ERASURE:
            text = _("You asked us to erase your data.")
        else:
            text = _("You also registered for another municipality.")
        events.append((update.created_at, text))
    events.sort(key=lambda event: event[0])
    rows = [(day(moment), text) for moment, text in events]
    status = STATUS_WORDS.get(registration.contact_status)
    if status is not None:
        rows.append(("", status()))
    return rows


def registration_field_labels():
    """(field, label in the mover's words) of what they may change."""
    return [
        ("phone", _("phone number")),
        ("preferred_contact", _("how to contact you")),
        ("topics", _("what you want help with")),
        ("move_when", _("when you plan to move")),
    ]


def erasure_requests():
    """Erasure requests made on movers' pages and not yet carried out (an
    erasure deletes the update with the rest), oldest first: for the data
    protection officer's person view (privacy/)."""
    return (
        RegistrationUpdate.objects.filter(
            kind=RegistrationUpdate.Kind.ERASURE, registration__anonymised_at__isnull=True
        )
        .select_related("registration", "registration__municipality")
        .order_by("created_at")
    )
