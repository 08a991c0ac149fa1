"""Markers of what was already done, kept in the database, not in the cache.

A marker in Redis is lost when Redis restarts or evicts it, and cannot be
written while Redis is down: the daily digest would be sent
again, a relayed message relayed twice. These markers are `Beacon` rows
(intake/models/outbox.py) whose key says what was done; `claim` is atomic
(the key is the primary key), so two processes cannot both claim one.
`forget_old` deletes markers older than their use (housekeeping, daily).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import Beacon

# Marker prefixes and how long each kind is kept (longer than it is asked about).
# A relayed message's marker only has to outlive its form (INTAKE_FORM_MAX_AGE, a day).
KEPT = {"digest:": datetime.timedelta(days=7), "relayed:": datetime.timedelta(days=2)}


def claim(key, detail=None):
    """True the first time `key` is claimed, False when it was claimed before."""
    assert key.startswith(tuple(KEPT)), key
    with transaction.atomic():
        _beacon, created = Beacon.objects.get_or_create(
            key=key[:100], defaults={"at": timezone.now(), "detail": detail or {}}
        )
    return created


def detail(key):
    beacon = Beacon.objects.filter(key=key[:100]).first()
    return beacon.detail if beacon else None


def release(key):
    Beacon.objects.filter(key=key[:100]).delete()


def forget_old(now=None):
    """Delete markers past their use; returns how many."""
    now = now or timezone.now()
    deleted = 0
    for prefix, kept in KEPT.items():
        deleted += Beacon.objects.filter(key__startswith=prefix, at__lt=now - kept).delete()[0]
    return deleted
