"""Delivering the outbox: CRM calls and e-mails, retried until they succeed.

The delivery row is the truth. A task only says "look at delivery N now";
if tasks are lost (worker killed, queue emptied) `sweep` finds the rows that
are due and enqueues them again.
"""

import datetime
import logging
import random
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale

from .crm import CrmResult, PermanentError, TemporaryError, get_adapter
from .models import Delivery, Kind
from .services import UNSUBSCRIBE, absolute_url, advisers_for, build_payload, newsletter_link

logger = logging.getLogger(__name__)

# Longer than the slowest send: SuperOffice needs up to six calls of at most
# 20 s each (plus a login), so a claim cannot run out mid-send.
CLAIM_FOR = datetime.timedelta(minutes=10)


def backoff(attempts, retry_after=None):
    """Exponential back-off with jitter: 30 s, 1 min, 2 min … capped at 6 h.

    A Retry-After from the CRM wins when it asks for longer (up to a day).
    """
    base = min(settings.CRM_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), 6 * 3600)
    delay = base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
    if retry_after is not None:
        delay = max(delay, min(retry_after, 24 * 3600))
    return datetime.timedelta(seconds=delay)


def enqueue_delivery(delivery_id, run_after=None):
    task_ = deliver.using(run_after=run_after) if run_after else deliver
    result = task_.enqueue(delivery_id)
    Delivery.objects.filter(pk=delivery_id).update(task_id=str(result.id))
    return result


def claim(delivery_id):
    """Take the delivery for this worker, or return None if it is not ours to send."""
    now = timezone.now()
    until = now + CLAIM_FOR
    claimed = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
    ).update(claimed_until=until)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("registration__municipality", "registration__consent").get(
        pk=delivery_id
    )
    delivery.claimed_until = until  # the exact value, to check we still hold it when saving
    return delivery


def save_outcome(delivery, **fields):
    """Store the outcome only while we still hold the claim."""
    held = Delivery.objects.filter(pk=delivery.pk, claimed_until=delivery.claimed_until).update(
        claimed_until=None, attempts=delivery.attempts, **fields
    )
    if not held:
        logger.warning("Delivery %s: claim lost before the outcome was saved", delivery.pk)
    return bool(held)


def enqueue_registration(registration_id):
    """One task for all of a new registration's deliveries (fewer queue rows)."""
    result = deliver_registration.enqueue(registration_id)
    Delivery.objects.filter(registration_id=registration_id).update(task_id=str(result.id))
    return result


@task()
def deliver_registration(registration_id):
    due = Delivery.objects.filter(
        registration_id=registration_id,
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
        next_attempt_at__lte=timezone.now(),
    ).values_list("pk", flat=True)
    return {delivery_id: process(delivery_id) for delivery_id in list(due)}


@task()
def deliver(delivery_id):
    return process(delivery_id)


def process(delivery_id):
    """Send one delivery if it is ours to send; record the outcome."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    delivery.attempts += 1
    if superseded(delivery):
        return finish(delivery, Delivery.Status.DELIVERED, error="Not sent: the person unsubscribed first.")
    try:
        result = send(delivery)
    except PermanentError as error:
        return finish(delivery, Delivery.Status.FAILED, error=str(error), alert=True)
    except TemporaryError as error:
        return schedule_retry(delivery, str(error), error.retry_after)
    except Exception as error:  # noqa: BLE001 - an unexpected bug must not lose the delivery
        logger.exception("Delivery %s raised unexpectedly", delivery.pk)
        return schedule_retry(delivery, f"{type(error).__name__}: {error}", None)
    delivery.crm_person_id = result.person_id or delivery.crm_person_id
    delivery.crm_followup_id = result.followup_id or delivery.crm_followup_id
    return finish(delivery, Delivery.Status.DELIVERED)


def superseded(delivery):
    """A newsletter subscription that was unsubscribed before it reached the CRM."""
    registration = delivery.registration
    return (
        delivery.channel == Delivery.Channel.CRM
        and registration.kind == Kind.NEWSLETTER
        and delivery.recipient != UNSUBSCRIBE
        and registration.unsubscribed_at is not None
    )


def send(delivery):
    if delivery.channel == Delivery.Channel.CRM:
        adapter = get_adapter()
        payload = build_payload(delivery)
        if settings.CRM_BACKEND == "superoffice":
            known = CrmResult(person_id=delivery.crm_person_id, followup_id=delivery.crm_followup_id)

            def remember_person(person_id):
                delivery.crm_person_id = person_id
                Delivery.objects.filter(pk=delivery.pk).update(crm_person_id=person_id)

            return adapter.deliver(payload, known=known, on_person=remember_person)
        return adapter.deliver(payload)
    try:
        email_for(delivery).send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise PermanentError(f"E-mail refused: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryError(f"E-mail not sent: {error}") from error
    return CrmResult()


def finish(delivery, status, error="", alert=False):
    delivery.status = status
    delivery.last_error = error
    delivery.delivered_at = timezone.now() if status == Delivery.Status.DELIVERED else None
    if not save_outcome(
        delivery,
        status=status,
        last_error=error,
        delivered_at=delivery.delivered_at,
        crm_person_id=delivery.crm_person_id,
        crm_followup_id=delivery.crm_followup_id,
    ):
        return "claim lost"
    if alert:
        alert_operators(delivery)
    return status


def schedule_retry(delivery, error, retry_after):
    give_up_at = delivery.created_at + datetime.timedelta(days=settings.CRM_RETRY_DAYS)
    next_attempt = timezone.now() + backoff(delivery.attempts, retry_after)
    if next_attempt > give_up_at:
        return finish(
            delivery, Delivery.Status.FAILED, error=f"Gave up after {delivery.attempts} attempts: {error}", alert=True
        )
    delivery.status = Delivery.Status.RETRYING
    delivery.last_error = error
    delivery.next_attempt_at = next_attempt
    if not save_outcome(
        delivery,
        status=Delivery.Status.RETRYING,
        last_error=error,
        next_attempt_at=next_attempt,
        crm_person_id=delivery.crm_person_id,
    ):
        return "claim lost"
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk, run_after=next_attempt), robust=True)
    return Delivery.Status.RETRYING


def sweep(now=None):
    """Re-enqueue due deliveries whose task is gone. Returns how many."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    due = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        status__in=[Delivery.Status.PENDING, Delivery.Status.RETRYING],
        next_attempt_at__lte=now - datetime.timedelta(seconds=settings.CRM_SWEEP_GRACE_SECONDS),
    )
    live_tasks = set(DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values_list("id", flat=True))
    count = 0
    for delivery in due.only("pk", "task_id"):
        if delivery.task_id and delivery.task_id in {str(task_id) for task_id in live_tasks}:
            continue
        enqueue_delivery(delivery.pk)
        count += 1
    return count


def admin_url(registration):
    return absolute_url(reverse("intake_registration:inspect", args=[registration.pk]))


def email_for(delivery):
    registration = delivery.registration
    with translation.override(
        registration.language if delivery.channel == Delivery.Channel.CONFIRMATION_EMAIL else "sv"
    ):
        context = {
            "registration": registration,
            "kind": registration.get_kind_display(),
            "admin_url": admin_url(registration),
            "advisers": advisers_for(registration) if registration.kind == Kind.GUIDANCE else [],
            "municipality": registration.municipality.get_translation_or_none(Locale.get_active())
            or registration.municipality,
        }
        if registration.kind == Kind.NEWSLETTER:
            context["confirm_url"] = absolute_url(newsletter_link(registration, "confirm"))
            context["unsubscribe_url"] = absolute_url(newsletter_link(registration, "unsubscribe"))
        if delivery.channel == Delivery.Channel.ADVISER_EMAIL:
            template = "intake/email/adviser_notification"
        else:
            template = f"intake/email/confirmation_{registration.kind}"
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    headers = {}
    if registration.kind == Kind.NEWSLETTER:
        # One-click unsubscribe (RFC 8058) for mail clients.
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return EmailMessage(subject=subject, body=body, to=[delivery.recipient], headers=headers)


def alert_operators(delivery):
    """A delivery failed for good: tell the people who can act on it."""
    if not settings.INTAKE_ALERT_EMAILS:
        logger.error("Delivery %s failed: %s", delivery.pk, delivery.last_error)
        return
    from tasteget.tasks import send_email

    registration = delivery.registration
    send_email.enqueue(
        settings.INTAKE_ALERT_EMAILS,
        f"Ta steget: leverans misslyckades ({delivery.get_channel_display()}, anmälan {registration.pk})",
        f"Leveransen kunde inte genomföras och görs inte om automatiskt.\n\nFel: {delivery.last_error}\n\n"
        f"Öppna anmälan: {admin_url(registration)}\n",
    )
