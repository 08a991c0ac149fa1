"""The outbox: one `Delivery` row per destination of a registration, and the
shared state of the delivery machinery (intake/outbox/), kept in the database so every
worker process sees the same (SQLite and PostgreSQL alike):

- `Delivery`: what has to be sent where, its status, attempts and claim;
- `CrmGate`: one row per CRM backend — the next free send slot (the rate
  limit), a server's "Retry-After" pause, and the circuit breaker;
- `Beacon`: named timestamps — worker heartbeats and when an alert was last
  sent (at most one per condition per hour);
- `CrmEvent`: SuperOffice webhook events received, by EventId (intake/answers.py).
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    wagtail_reference_index_ignore = True

    class Channel(models.TextChoices):
        CRM = "crm", _("CRM")
        ADVISER_EMAIL = "adviser_email", _("E-mail to adviser")
        CONFIRMATION_EMAIL = "confirmation_email", _("Confirmation e-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        # Closed without being sent, and never to be: the person was erased,
        # or unsubscribed before the subscription reached the CRM.
        CANCELLED = "cancelled", _("Closed, not sent")

    # Waiting to be sent (the worker and the sweep send these).
    OPEN = (Status.PENDING, Status.RETRYING)
    # Done with, nothing left to do: sent, or closed unsent. A failed delivery
    # is neither open nor closed: it waits for a person to retry or resolve it
    # (retention holds its registration back until then).
    CLOSED = (Status.DELIVERED, Status.CANCELLED)

    class Action(models.TextChoices):
        REGISTER = "register", _("Register")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")
        # The person asked to be erased (Art. 17): the CRM erases them too (privacy/).
        ERASE = "erase", _("Erase")
        # A subscriber changed interests, municipality or language on the
        # preference page: one row per change, the payload built when sent.
        PREFERENCES = "preferences", _("Preferences changed")
        # The person registered again on an open case (intake/cases.py): the
        # CRM updates the person it has, the advisers hear "again", the
        # person gets the usual confirmation. Many per registration.
        UPDATE = "update", _("Registered again")
        # The adviser of an open case hears that the person also registered
        # in another municipality.
        ELSEWHERE = "elsewhere", _("Registered elsewhere")

    # Actions that may come many times for one destination.
    REPEATABLE = (Action.PREFERENCES, Action.UPDATE, Action.ELSEWHERE)

    registration = models.ForeignKey("intake.Registration", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    # What the CRM delivery does; e-mails are always "register".
    action = models.CharField(_("action"), max_length=12, choices=Action.choices, default=Action.REGISTER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Stable across retries: the webhook id and the idempotency handle.
    external_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    crm_person_id = models.CharField(_("CRM person id"), max_length=40, blank=True)
    crm_followup_id = models.CharField(_("CRM follow-up id"), max_length=40, blank=True)
    # The case update this delivery reports (actions update and elsewhere).
    update = models.ForeignKey(
        "intake.RegistrationUpdate", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    # A worker holds a delivery until this time while it sends; a second
    # worker (or the sweep) leaves it alone meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The retry window (CRM_RETRY_DAYS) counts from here; an operator's
    # "retry now" moves it, created_at stays the truth about the registration.
    retry_from = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at"]
        constraints = [
            # Preference changes and repeat registrations may come many
            # times; every other action once per destination.
            models.UniqueConstraint(
                fields=["registration", "channel", "recipient", "action"],
                condition=~models.Q(action__in=["preferences", "update", "elsewhere"]),
                name="one_delivery_per_destination_and_action",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient or 'CRM'} ({self.get_status_display()})"

    @property
    def is_closed(self):
        return self.status in self.CLOSED


class CrmGate(models.Model):
    wagtail_reference_index_ignore = True

    backend = models.CharField(max_length=40, primary_key=True)
    # The earliest time the next call may start: pacing and Retry-After.
    next_slot_at = models.DateTimeField(null=True, blank=True)
    # Circuit breaker: consecutive temporary failures; while open_until is in
    # the future nothing is sent; after it, one probe goes out.
    failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    probe_until = models.DateTimeField(null=True, blank=True)
    # Bumped when a pause starts: slots reserved before it are void (their
    # deliveries take new ones after the pause), so a backlog does not keep
    # its pre-outage places on top of the new ones.
    epoch = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.backend


class PersonLock(models.Model):
    """A lock per person while the CRM adapter looks them up and creates them
    (intake/outbox/locks.py). One row while held; `key` is a SHA-256 of the
    person key, never the address itself. A row whose `expires_at` has passed
    (its worker died) is free: the next worker takes it over."""

    wagtail_reference_index_ignore = True

    key = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=32)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.key


class Beacon(models.Model):
    wagtail_reference_index_ignore = True

    key = models.CharField(max_length=100, primary_key=True)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return self.key


class CrmEvent(models.Model):
    """A SuperOffice webhook event, kept by its EventId so a replay changes nothing."""

    wagtail_reference_index_ignore = True

    event_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=60)
    primary_key = models.CharField(max_length=40)
    changed_by = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "CRM event"

    def __str__(self):
        return f"{self.event} {self.primary_key}"
