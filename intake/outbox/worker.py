"""The worker: claim a delivery, send it, record the outcome, back off, sweep.

The delivery row is the truth. A task only says "look at delivery N now";
if tasks are lost (worker killed, queue emptied, database outage) `sweep`
finds the rows that are due and enqueues them again.

Each delivery is its own task, so e-mails never wait behind a slow CRM; CRM
deliveries go to the `crm` task queue, which `run_worker` runs in a lane of
its own beside every other queue (one worker process, two lanes).
A worker claims a delivery for a lease (the delivery's deadline plus a
minute) and counts the attempt *before* it sends: a send interrupted by a
kill or a database outage has been counted, and once the lease has run out
the sweep sends it again. CRM sends pass the backend's gate (`pacing.py`):
a shared rate limit, a concurrency cap, the server's Retry-After and a
circuit breaker.
"""

import datetime
import logging
import random
import smtplib
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tasteget.tasks import send_email

from ..choices import Kind
from ..models.outbox import Delivery
from . import pacing
from .adapters import get_adapter
from .adapters.base import CrmResult, DeliveryError, PermanentError, TemporaryError
from .mail import admin_url, email_for
from .payload import build_payload, erasure_payload

logger = logging.getLogger(__name__)

OPEN = Delivery.OPEN
# Retry-After is obeyed exactly within these bounds.
RETRY_AFTER_BOUNDS = (1, 24 * 3600)


def lease():
    """How long a claim holds: the delivery's whole deadline plus a margin.
    A claim older than this belongs to a worker that died."""
    return datetime.timedelta(seconds=settings.CRM_DELIVERY_DEADLINE_SECONDS + settings.CRM_LEASE_MARGIN_SECONDS)


def backoff(attempts, retry_after=None):
    """Exponential back-off with jitter: 30 s, 1 min, 2 min … capped at 6 h.

    A server's Retry-After is an instruction, not a hint: it is used exactly
    (within 1 s … 1 day), never lengthened by the back-off.
    """
    if retry_after is not None:
        low, high = RETRY_AFTER_BOUNDS
        return datetime.timedelta(seconds=min(max(retry_after, low), high))
    base = min(settings.CRM_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), 6 * 3600)
    delay = base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
    return datetime.timedelta(seconds=delay)


def claim(delivery_id, now=None):
    """Take the delivery for this worker, or return None if it is not ours to send.

    The attempt is counted here, before anything is sent, so a send cut
    short (worker killed, database gone) still counts.
    """
    now = now or timezone.now()
    until = now + lease()
    claimed = Delivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status__in=OPEN,
    ).update(claimed_until=until, attempts=F("attempts") + 1, last_attempt_at=now)
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
        claimed_until=None, **fields
    )
    if not held:
        logger.warning("delivery=%s claim lost before the outcome was saved", delivery.pk)
    return bool(held)


def log_attempt(delivery, status, error=None, next_try=None):
    """One line per attempt; ids, codes and times only: no personal data."""
    logger.info(
        "delivery=%s registration=%s channel=%s attempt=%s status=%s http=%s error=%s next_try=%s",
        delivery.pk,
        delivery.registration_id,
        delivery.channel,
        delivery.attempts,
        status,
        getattr(error, "status", None) or "-",
        type(error).__name__ if error else "-",
        next_try.isoformat(timespec="seconds") if next_try else "-",
    )


def process(delivery_id, slot=None, epoch=None, *, requeue):
    """Send one delivery if it is ours to send; record the outcome.

    `requeue(delivery_id, run_after=…, slot=…, epoch=…, channel=…)` puts the
    delivery back on the task queue (intake/tasks.py owns the tasks).
    """
    row = (
        Delivery.objects.filter(pk=delivery_id, status__in=OPEN)
        .values("channel", "next_attempt_at", "action", "registration_id")
        .first()
    )
    if row is None:
        return "skipped"
    now = timezone.now()
    if row["next_attempt_at"] > now + datetime.timedelta(seconds=1):
        return "not due"  # an early task; the one queued for its time follows
    if (
        row["action"] == Delivery.Action.UPDATE
        and row["channel"] == Delivery.Channel.CRM
        and first_delivery_open(row["registration_id"])
    ):
        # The CRM hears of the case before it hears of a change to it:
        # wait (no attempt counted, no failure on the gate) and look again.
        wait_until = now + datetime.timedelta(seconds=settings.CRM_RETRY_BASE_SECONDS)
        Delivery.objects.filter(pk=delivery_id, claimed_until__isnull=True).update(next_attempt_at=wait_until)
        requeue(delivery_id, run_after=wait_until, channel=Delivery.Channel.CRM)
        return "waiting"
    gate = None
    if row["channel"] == Delivery.Channel.CRM:
        gate = pacing.Gate(settings.CRM_BACKEND)
        admission = gate.admit(delivery_id, slot=slot, claim=claim, epoch=epoch)
        if admission.wait_until:
            Delivery.objects.filter(pk=delivery_id, claimed_until__isnull=True).update(
                next_attempt_at=admission.wait_until
            )
            requeue(
                delivery_id,
                run_after=admission.wait_until,
                slot=admission.slot,
                epoch=admission.epoch,
                channel=Delivery.Channel.CRM,
            )
            logger.info(
                "delivery=%s channel=crm status=paced reason=%s next_try=%s",
                delivery_id,
                admission.reason,
                admission.wait_until.isoformat(timespec="seconds"),
            )
            return "paced"
        delivery = admission.delivery
        pause = (admission.start_at - timezone.now()).total_seconds() if delivery else 0
        if pause > 0:
            time.sleep(pause)
    else:
        delivery = claim(delivery_id)
    if delivery is None:
        return "skipped"
    if superseded(delivery):
        return finish(delivery, Delivery.Status.CANCELLED, error="Not sent: the person unsubscribed first.")
    try:
        result = send(delivery)
    except PermanentError as error:
        if gate:
            gate.record(error)
        return finish(delivery, Delivery.Status.FAILED, error=str(error), alert=True, cause=error)
    except TemporaryError as error:
        if gate:
            gate.record(error)
        return schedule_retry(delivery, str(error), error.retry_after, cause=error, requeue=requeue)
    except Exception as error:
        logger.exception("delivery=%s raised unexpectedly", delivery.pk)
        return schedule_retry(delivery, f"{type(error).__name__}: {error}", None, cause=error, requeue=requeue)
    if gate:
        gate.record(None)
    delivery.crm_person_id = result.person_id or delivery.crm_person_id
    delivery.crm_followup_id = result.followup_id or delivery.crm_followup_id
    return finish(delivery, Delivery.Status.DELIVERED)


def first_delivery_open(registration_id):
    """Whether the registration's own CRM delivery is still on its way (open)."""
    return Delivery.objects.filter(
        registration=registration_id, channel=Delivery.Channel.CRM, action=Delivery.Action.REGISTER, status__in=OPEN
    ).exists()


def superseded(delivery):
    """A newsletter subscription (or a change of its preferences) that was
    unsubscribed before it reached the CRM."""
    registration = delivery.registration
    return (
        delivery.channel == Delivery.Channel.CRM
        and registration.kind == Kind.NEWSLETTER
        and delivery.action in (Delivery.Action.REGISTER, Delivery.Action.PREFERENCES)
        and registration.unsubscribed_at is not None
    )


def send(delivery):
    deadline = time.monotonic() + settings.CRM_DELIVERY_DEADLINE_SECONDS
    if delivery.channel == Delivery.Channel.CRM:
        known = CrmResult(person_id=delivery.crm_person_id, followup_id=delivery.crm_followup_id)

        def remember_person(person_id):
            delivery.crm_person_id = person_id
            Delivery.objects.filter(pk=delivery.pk).update(crm_person_id=person_id)

        if delivery.action == Delivery.Action.ERASE:
            return get_adapter(deadline=deadline).erase(erasure_payload(delivery), known)
        if delivery.action == Delivery.Action.PREFERENCES:
            # The subscriber's own change (the preference page); a reduced
            # subscription is known to the CRM only by its stored person id.
            known.person_id = known.person_id or registered_person_id(delivery)
            return get_adapter(deadline=deadline).update_preferences(build_payload(delivery), known)
        if delivery.action == Delivery.Action.UPDATE:
            # A repeat registration on an open case: the person the CRM made
            # of the case is updated, never a second one (docs/crm-bridge.md).
            known.person_id = known.person_id or registered_person_id(delivery)
            return get_adapter(deadline=deadline).deliver(build_payload(delivery), known, remember_person)
        if delivery.action == Delivery.Action.UNSUBSCRIBE and not delivery.registration.email:
            # A reduced subscription (intake/retention.py): no address to look
            # the person up by, only the CRM person id its registration got.
            known.person_id = known.person_id or registered_person_id(delivery)
            return get_adapter(deadline=deadline).withdraw_known(build_payload(delivery), known)
        return get_adapter(deadline=deadline).deliver(build_payload(delivery), known, remember_person)
    try:
        email_for(delivery).send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
        raise PermanentError(f"E-mail refused: {error}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryError(f"E-mail not sent: {error}") from error
    return CrmResult()


def registered_person_id(delivery):
    """The CRM person id the registration's own delivery stored, or ""."""
    ids = Delivery.objects.filter(
        registration=delivery.registration_id, channel=Delivery.Channel.CRM, action=Delivery.Action.REGISTER
    ).exclude(crm_person_id="")
    return ids.values_list("crm_person_id", flat=True).first() or ""


def finish(delivery, status, error="", alert=False, cause=None):
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
    log_attempt(delivery, status, cause)
    if alert:
        alert_operators(delivery)
    return status


def schedule_retry(delivery, error, retry_after, cause=None, *, requeue):
    give_up_at = delivery.retry_from + datetime.timedelta(days=settings.CRM_RETRY_DAYS)
    next_attempt = timezone.now() + backoff(delivery.attempts, retry_after)
    if next_attempt > give_up_at:
        return finish(
            delivery,
            Delivery.Status.FAILED,
            error=f"Gave up after {delivery.attempts} attempts: {error}",
            alert=True,
            cause=cause,
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
    log_attempt(delivery, Delivery.Status.RETRYING, cause or DeliveryError(error), next_attempt)
    transaction.on_commit(lambda: requeue(delivery.pk, run_after=next_attempt, channel=delivery.channel), robust=True)
    return Delivery.Status.RETRYING


def reap_dead_tasks(now):
    """A task row still RUNNING after a lease belongs to a dead worker (kill -9,
    a database outage mid-task): mark it failed so nothing takes it for alive."""
    return DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - lease()).update(
        status="FAILED",
        finished_at=now,
        exception_class_path="intake.tasks.WorkerLost",
        traceback="The worker died while running this task; found by the sweep.",
    )


def sweep(now=None, *, requeue):
    """Re-enqueue due deliveries that nothing will send. Returns how many.

    Due and open, and either its claim ran out (the worker died mid-send:
    whatever its task row says) or it was never claimed and its task is no
    longer queued or running.
    """
    now = now or timezone.now()
    reaped = reap_dead_tasks(now)
    if reaped:
        logger.warning("sweep: %s task(s) of dead workers marked failed", reaped)
    due = list(
        Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status__in=OPEN,
            next_attempt_at__lte=now - datetime.timedelta(seconds=settings.CRM_SWEEP_GRACE_SECONDS),
        ).only("pk", "task_id", "claimed_until", "channel")
    )
    task_ids = [delivery.task_id for delivery in due if delivery.task_id and delivery.claimed_until is None]
    live = set()
    for start in range(0, len(task_ids), 500):
        live.update(
            str(task_id)
            for task_id in DBTaskResult.objects.filter(
                id__in=task_ids[start : start + 500], status__in=["READY", "RUNNING"]
            ).values_list("id", flat=True)
        )
    count = 0
    for delivery in due:
        if delivery.claimed_until is None and delivery.task_id in live:
            continue
        if delivery.claimed_until is not None:
            logger.warning("delivery=%s claim expired: its worker died; sending again", delivery.pk)
            if not Delivery.objects.filter(pk=delivery.pk, claimed_until=delivery.claimed_until).update(
                claimed_until=None
            ):
                continue
        requeue(delivery.pk, channel=delivery.channel)
        count += 1
    return count


def alert_operators(delivery):
    """A delivery failed for good: tell the people who can act on it."""
    if not settings.INTAKE_ALERT_EMAILS:
        logger.error("Delivery %s failed: %s", delivery.pk, delivery.last_error)
        return
    registration = delivery.registration
    send_email.enqueue(
        settings.INTAKE_ALERT_EMAILS,
        f"Ta steget: leverans misslyckades ({delivery.get_channel_display()}, anmälan {registration.pk})",
        f"Leveransen kunde inte genomföras och görs inte om automatiskt.\n\nFel: {delivery.last_error}\n\n"
        f"Öppna anmälan: {admin_url(registration)}\n",
    )
