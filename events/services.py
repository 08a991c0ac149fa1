"""The steps of a meet-up sign-up: sign up (a place or the waiting list),
cancel (the first on the waiting list gets the place), remind.

The places are counted under a lock on the meet-up's row, so two people
sending the form for the last place at the same moment cannot both get it:
on PostgreSQL the second waits for the first's commit and then counts its
sign-up; SQLite has one writer.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from intake.models.outbox import Delivery
from intake.pipeline import Refused
from intake.services import register
from intake.tasks import enqueue_delivery

from .models.signups import Signup
from .tasks import send_signup_mail

logger = logging.getLogger(__name__)


def locked(event):
    """The meet-up's row, locked until the transaction ends."""
    return type(event).objects.select_for_update(of=("self",)).get(pk=event.pk)


def taken(event):
    return Signup.objects.filter(event=event, status=Signup.Status.CONFIRMED).count()


def sign_up(event, form):
    """Store a valid sign-up: the person as an intake registration (kind
    `event`, consent, CRM delivery) and their place or waiting-list spot.

    Idempotent for one form token (a double click returns the first send's
    sign-up); the same address signed up already keeps its one sign-up.
    """
    cleaned = form.cleaned_data
    email = cleaned["email"].strip()
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        event = locked(event)
        if event.start < timezone.now():
            raise Refused(translation.gettext("This meet-up has already taken place."))
        existing = (
            Signup.objects.filter(event=event, registration__email__iexact=email)
            .exclude(status=Signup.Status.CANCELLED)
            .select_related("registration")
            .first()
        )
        if existing is not None:
            if existing.registration.submission_key != form.submission_key:
                # The same person again: their place stands; they hear it once more.
                transaction.on_commit(lambda: send_signup_mail.enqueue(existing.pk, "again"), robust=True)
            return existing
        outcome = register(
            kind="event",
            cleaned=cleaned,
            municipality=event.municipality,
            source="tasteget.nu",
            language=language,
            submission_key=form.submission_key,
            consent_version=cleaned["consent_version"],
        )
        registration = outcome.registration
        if not outcome.created:
            existing = Signup.objects.filter(registration=registration).first()
            if existing is not None:
                return existing
        status = Signup.Status.CONFIRMED if taken(event) < event.capacity else Signup.Status.WAITING
        signup = Signup.objects.create(event=event, registration=registration, status=status, language=language)
        transaction.on_commit(lambda: send_signup_mail.enqueue(signup.pk, status), robust=True)
        transaction.on_commit(lambda: send_signup_mail.enqueue(signup.pk, "organiser"), robust=True)
    return signup


def cancel(signup):
    """Cancel a sign-up (once); a freed place goes to the first on the waiting
    list, who is told by e-mail. Returns the promoted sign-up or None."""
    promoted = None
    with transaction.atomic():
        event = locked(signup.event)
        current = Signup.objects.select_for_update().get(pk=signup.pk)
        if current.status == Signup.Status.CANCELLED:
            return None
        had_place = current.status == Signup.Status.CONFIRMED
        now = timezone.now()
        Signup.objects.filter(pk=current.pk).update(status=Signup.Status.CANCELLED, cancelled_at=now)
        signup.status, signup.cancelled_at = Signup.Status.CANCELLED, now
        if had_place and event.start > now and taken(event) < event.capacity:
            promoted = (
                Signup.objects.filter(event=event, status=Signup.Status.WAITING).order_by("created_at", "pk").first()
            )
            if promoted is not None:
                Signup.objects.filter(pk=promoted.pk).update(status=Signup.Status.CONFIRMED, promoted_at=now)
                transaction.on_commit(lambda: send_signup_mail.enqueue(promoted.pk, "promoted"), robust=True)
                tell_crm(promoted)
        transaction.on_commit(lambda: send_signup_mail.enqueue(signup.pk, "cancelled"), robust=True)
        tell_crm(current)
    return promoted


def tell_crm(signup):
    """The CRM hears that a sign-up changed (`action: update`, the payload's
    `event.status` as it is when sent), through the same outbox."""
    if signup.registration_id is None:
        return
    delivery = Delivery.objects.create(
        registration_id=signup.registration_id, channel=Delivery.Channel.CRM, action=Delivery.Action.UPDATE
    )
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk), robust=True)


def due_reminders(now=None):
    """Sign-ups with a place whose meet-up starts tomorrow (Swedish date) and who
    were not reminded: each gets one reminder e-mail. Returns how many."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    begin = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=zone)
    end = begin + datetime.timedelta(days=1)
    due = Signup.objects.filter(
        status=Signup.Status.CONFIRMED,
        reminded_at__isnull=True,
        registration__isnull=False,
        event__start__gte=begin,
        event__start__lt=end,
        event__live=True,
    )
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        # Marked first: a reminder is never sent twice, even by two schedulers.
        if Signup.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            send_signup_mail.enqueue(pk, "reminder")
            count += 1
    return count
