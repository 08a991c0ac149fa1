"""The background tasks of intake, and how deliveries are put on the queue.

The task paths ("intake.tasks.deliver", "intake.tasks.deliver_registration")
are stored in every queued task row, so the tasks stay in this module; the
work itself is the outbox's (intake/outbox/): claiming, sending, recording,
backing off and the sweep. The outbox does not import this module: it is
given `enqueue_delivery` to put a delivery back on the queue.

Each delivery is its own task, so e-mails never wait behind a slow CRM; CRM
deliveries go to the `crm` task queue, which `run_worker` runs in a lane of
its own beside every other queue (one worker process, two lanes).
"""

import datetime

from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from tasteget.helpers import absolute_url

from .models.outbox import Delivery
from .movers import cases_for_address, mover_link, mover_link_days, mover_request_url
from .outbox import worker
from .outbox.worker import OPEN
from .subscribers import preferences_link, preferences_link_days, subscription_for_address

# CRM deliveries have a task queue of their own (settings.TASKS): a worker
# runs it in its own lane (run_worker), so e-mails never wait behind a
# hanging CRM, even with one worker process.
CRM_QUEUE = "crm"
MAIL_QUEUE = "default"


def queue_for(channel):
    return CRM_QUEUE if channel == Delivery.Channel.CRM else MAIL_QUEUE


def enqueue_delivery(delivery_id, run_after=None, slot=None, epoch=None, channel=None):
    if channel is None:
        channel = Delivery.objects.filter(pk=delivery_id).values_list("channel", flat=True).first()
    options = {"queue_name": queue_for(channel)}
    if run_after:
        options["run_after"] = run_after
    task_ = deliver.using(**options)
    result = task_.enqueue(delivery_id, slot=slot.isoformat(), epoch=epoch) if slot else task_.enqueue(delivery_id)
    Delivery.objects.filter(pk=delivery_id).update(task_id=str(result.id))
    return result


def enqueue_registration(registration_id):
    """One task for a new registration's deliveries (two queries while the
    visitor waits); the worker gives each delivery its own task."""
    result = deliver_registration.enqueue(registration_id)
    Delivery.objects.filter(registration_id=registration_id, status__in=OPEN).update(task_id=str(result.id))
    return result


def fan_out(registration_id):
    """One task per delivery: the e-mails never wait behind the CRM."""
    for delivery_id, channel in Delivery.objects.filter(registration_id=registration_id, status__in=OPEN).values_list(
        "pk", "channel"
    ):
        enqueue_delivery(delivery_id, channel=channel)


@task()
def deliver_registration(registration_id):
    """A new registration's deliveries: each gets its own task."""
    fan_out(registration_id)
    return "fanned out"


@task()
def deliver(delivery_id, slot=None, epoch=None):
    return process(delivery_id, slot=datetime.datetime.fromisoformat(slot) if slot else None, epoch=epoch)


def process(delivery_id, slot=None, epoch=None):
    """Send one delivery if it is ours to send (intake/outbox/worker.py); record the outcome."""
    return worker.process(delivery_id, slot=slot, epoch=epoch, requeue=enqueue_delivery)


def sweep(now=None):
    """Re-enqueue due deliveries that nothing will send (intake/outbox/worker.py). Returns how many."""
    return worker.sweep(now, requeue=enqueue_delivery)


@task()
def send_preference_link(email):
    """E-mail a new preference link if this address subscribes; otherwise nothing.

    Run as a task so the visitor's answer is the same, and as quick, whether
    or not the address is found. The e-mail holds only the link.
    """
    registration = subscription_for_address(email)
    if registration is None:
        return "no subscription"
    with translation.override(registration.language):
        context = {
            "preferences_url": absolute_url(preferences_link(registration)),
            "link_days": preferences_link_days(),
        }
    send_link_mail(email, registration.language, "intake/email/preference_link", context)
    return "sent"


@task()
def send_mover_link(email):
    """E-mail a new link to each of the address's pages (one per case); otherwise nothing.

    A task for the same reason as `send_preference_link`.
    """
    cases = cases_for_address(email)
    if not cases:
        return "no case"
    language = cases[0].language or "sv"
    with translation.override(language):
        context = {
            "cases": [(case.municipality, absolute_url(mover_link(case))) for case in cases],
            "link_days": mover_link_days(),
            "request_url": mover_request_url(language),
        }
    send_link_mail(email, language, "intake/email/mover_link", context)
    return "sent"


def send_link_mail(email, language, template, context):
    """A link e-mail in the person's language: only the link and how long it works."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    EmailMessage(subject=subject, body=body, to=[email]).send()
