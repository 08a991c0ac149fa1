"""The gate in front of a CRM backend, shared by every worker process.

State is one `CrmGate` row per backend, changed only under a row lock
(`select_for_update`; SQLite's write lock), so it holds across workers on
PostgreSQL and SQLite alike:

- **rate**: each send takes the next free slot, `1 / rate` after the last
  one. A slot further ahead than `MAX_SLEEP` is reserved and the task is
  queued for that time (it carries its slot); a backlog drains at the rate,
  whatever the number of workers.
- **concurrency**: at most `CRM_MAX_CONCURRENCY` CRM deliveries claimed at
  once (claims are leases, so a dead worker frees its place).
- **Retry-After** (429, 503): nothing is sent to the backend until then.
- **circuit breaker**: after `CRM_BREAKER_FAILURES` temporary failures in a
  row (no answer, 5xx) nothing is sent for a pause that doubles up to
  `CRM_BREAKER_MAX_SECONDS`; then one probe. Its success closes the breaker.
  When the failing answer carried a Retry-After, that time is the pause: the
  breaker never lengthens what the server said.

A delivery held at the gate is not attempted: its attempts do not grow.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models.outbox import CrmGate, Delivery
from .adapters.base import TemporaryError

logger = logging.getLogger(__name__)

MAX_SLEEP = datetime.timedelta(seconds=1)  # a worker waits this long for its slot itself
SLOT_TOLERANCE = datetime.timedelta(seconds=1.5)  # a reserved slot is honoured this late
PROBE_WAIT = datetime.timedelta(seconds=5)  # others wait this long for the probe's verdict
MAX_PAUSE = 3600  # the longest a Retry-After stops the whole backend


@dataclass
class Admission:
    delivery: object = None  # the claimed delivery, when admitted
    start_at: datetime.datetime | None = None  # send at (the worker sleeps until then)
    wait_until: datetime.datetime | None = None  # not admitted: try again then
    slot: datetime.datetime | None = None  # the slot reserved for that time
    epoch: int = 0
    reason: str = ""


def rate(backend):
    value = settings.CRM_RATE_PER_SECOND
    if isinstance(value, dict):
        value = value.get(backend, 5.0)
    return max(float(value), 0.01)


class Gate:
    def __init__(self, backend):
        self.backend = backend

    def locked_row(self):
        CrmGate.objects.get_or_create(backend=self.backend)
        return CrmGate.objects.select_for_update().get(backend=self.backend)

    def reserve(self, gate, now, after=None):
        """The next free slot (not before `after`), taken."""
        start = max(gate.next_slot_at or now, now, after or now)
        gate.next_slot_at = start + datetime.timedelta(seconds=1 / rate(self.backend))
        return start

    def admit(self, delivery_id, slot, claim, epoch=None):
        """Claim the delivery if it may be sent now (or within MAX_SLEEP)."""
        with transaction.atomic():
            gate = self.locked_row()
            now = timezone.now()

            def wait(reason, after):
                start = self.reserve(gate, now, after)
                gate.save()
                return Admission(wait_until=start, slot=start, reason=reason, epoch=gate.epoch)

            probing = gate.failures >= settings.CRM_BREAKER_FAILURES
            if gate.open_until and gate.open_until > now:
                return wait("breaker-open" if probing else "paused", gate.open_until)
            if probing and gate.probe_until and gate.probe_until > now:
                return wait("probe-in-flight", now + PROBE_WAIT)
            in_flight = Delivery.objects.filter(channel=Delivery.Channel.CRM, claimed_until__gt=now).count()
            if in_flight >= settings.CRM_MAX_CONCURRENCY:
                return wait("concurrency", now + datetime.timedelta(seconds=0.5))
            if slot is not None and epoch in (None, gate.epoch) and now - SLOT_TOLERANCE <= slot <= now + MAX_SLEEP:
                start = slot
            else:
                start = self.reserve(gate, now)
                if start - now > MAX_SLEEP:
                    gate.save()
                    return Admission(wait_until=start, slot=start, reason="rate", epoch=gate.epoch)
            delivery = claim(delivery_id, now)
            if delivery is not None and probing:
                gate.probe_until = now + datetime.timedelta(seconds=settings.CRM_DELIVERY_DEADLINE_SECONDS + 5)
                logger.warning("crm=%s breaker half-open: delivery=%s is the probe", self.backend, delivery_id)
            gate.save()
            return Admission(delivery=delivery, start_at=start)

    @staticmethod
    def pause(gate, until):
        """Nothing is sent before `until`; the slots reserved so far are void."""
        if gate.open_until and gate.open_until >= until:
            return
        gate.open_until = until
        gate.next_slot_at = until
        gate.epoch += 1

    def record(self, error):
        """The outcome of one send: None (success) or the DeliveryError."""
        with transaction.atomic():
            gate = self.locked_row()
            now = timezone.now()
            status = getattr(error, "status", None)
            retry_after = getattr(error, "retry_after", None)
            gate.probe_until = None
            told_until = None  # the server's own Retry-After: obeyed, never lengthened
            if retry_after is not None and status in (429, 503):
                told_until = now + datetime.timedelta(seconds=min(max(retry_after, 0), MAX_PAUSE))
                self.pause(gate, told_until)
            if isinstance(error, TemporaryError) and status != 429:
                gate.failures += 1
                over = gate.failures - settings.CRM_BREAKER_FAILURES
                if over >= 0:
                    pause = min(settings.CRM_BREAKER_SECONDS * 2 ** min(over, 10), settings.CRM_BREAKER_MAX_SECONDS)
                    # A 503 that says when to come back is believed: the
                    # breaker's own (doubling) pause applies only without one.
                    self.pause(gate, told_until or now + datetime.timedelta(seconds=pause))
                    logger.warning(
                        "crm=%s breaker open after %s failures in a row; probing at %s",
                        self.backend,
                        gate.failures,
                        gate.open_until.isoformat(timespec="seconds"),
                    )
            else:
                if gate.failures >= settings.CRM_BREAKER_FAILURES:
                    logger.warning("crm=%s breaker closed: the backend answers again", self.backend)
                gate.failures = 0
            gate.save()


def state(backend):
    gate = CrmGate.objects.filter(backend=backend).first()
    if gate is None:
        return {"breaker": "closed", "failures": 0}
    now = timezone.now()
    open_ = gate.failures >= settings.CRM_BREAKER_FAILURES
    return {
        "breaker": ("open" if gate.open_until and gate.open_until > now else "half-open") if open_ else "closed",
        "failures": gate.failures,
        "paused_until": gate.open_until.isoformat() if gate.open_until and gate.open_until > now else None,
    }
