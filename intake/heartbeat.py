"""Heartbeats of the long-running processes, and the alerts that watch them.

The worker (`run_worker`) and the sweep write a `Beacon` row now and then;
`/healthz`, `deliveries_status` and the sweep's alerts read them.
"""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Min, Q
from django.utils import timezone

from .models import Beacon, Delivery

logger = logging.getLogger(__name__)

ALERT_EVERY = datetime.timedelta(hours=1)


def beat(name):
    Beacon.objects.update_or_create(
        key=name, defaults={"at": timezone.now(), "detail": {"pid": os.getpid(), "host": socket.gethostname()}}
    )


def last_beat(prefix):
    beacon = Beacon.objects.filter(key__startswith=prefix).order_by("-at").first()
    return beacon.at if beacon else None


def backlog(now=None):
    """Open deliveries: how many, how many retrying, the oldest one's age (s)."""
    now = now or timezone.now()
    open_ = Delivery.objects.filter(status__in=Delivery.OPEN)
    oldest = open_.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "open": open_.count(),
        "retrying": open_.filter(status=Delivery.Status.RETRYING).count(),
        "oldest_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "claims_expired": open_.filter(Q(claimed_until__lt=now)).count(),
    }


def conditions(now=None):
    """The conditions an operator must hear about, as {name: text}."""
    now = now or timezone.now()
    found = {}
    state = backlog(now)
    limit = settings.INTAKE_ALERT_BACKLOG_MINUTES * 60
    if state["open"] and state["oldest_seconds"] > limit:
        found["backlog"] = (
            f"{state['open']} leveranser väntar ({state['retrying']} försöker igen); "
            f"den äldsta sedan {state['oldest_seconds'] // 60} minuter."
        )
    worker = last_beat("worker:")
    stale = datetime.timedelta(minutes=settings.INTAKE_ALERT_WORKER_MINUTES)
    if worker is None or now - worker > stale:
        since = f"sedan {worker.isoformat(timespec='minutes')}" if worker else "aldrig"
        found["worker"] = f"Ingen arbetsprocess har hörts av {since}; leveranser skickas inte."
    return found


def alert(now=None):
    """E-mail INTAKE_ALERT_EMAILS about each condition, at most once an hour.

    Sent directly (not through the task queue, which may be what is stuck).
    """
    now = now or timezone.now()
    sent = []
    for name, text in conditions(now).items():
        key = f"alert:{name}"
        last = Beacon.objects.filter(key=key).first()
        if last and now - last.at < ALERT_EVERY:
            continue
        logger.warning("alert=%s %s", name, "sent" if settings.INTAKE_ALERT_EMAILS else "no recipients")
        if settings.INTAKE_ALERT_EMAILS:
            send_mail(
                f"Ta steget: leveranser behöver tillsyn ({name})",
                text + "\n\nSe `manage.py deliveries_status` och admin → Anmälningar.\n",
                None,
                settings.INTAKE_ALERT_EMAILS,
            )
        Beacon.objects.update_or_create(key=key, defaults={"at": now, "detail": {"text": text}})
        sent.append(name)
    return sent
