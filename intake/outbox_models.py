"""Shared state of the delivery machinery, kept in the database so every
worker process sees the same (SQLite and PostgreSQL alike):

- `CrmGate`: one row per CRM backend — the next free send slot (the rate
  limit), a server's "Retry-After" pause, and the circuit breaker;
- `Beacon`: named timestamps — worker heartbeats and when an alert was last
  sent (at most one per condition per hour);
- `CrmEvent`: SuperOffice webhook events received, by EventId (intake/answers.py).
"""

from django.db import models
from django.utils import timezone


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
