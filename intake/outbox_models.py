"""Shared state of the delivery machinery, kept in the database so every
worker process sees the same (SQLite and PostgreSQL alike):

- `CrmGate`: one row per CRM backend — the next free send slot (the rate
  limit), a server's "Retry-After" pause, and the circuit breaker;
- `Beacon`: named timestamps — worker heartbeats and when an alert was last
  sent (at most one per condition per hour).
"""

from django.db import models


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
