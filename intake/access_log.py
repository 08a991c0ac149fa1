"""The access log as the apps above intake use it (privacy/'s person view):
record an entry, read the entries. The entries are `AccessLogEntry` rows
(intake/models/access.py); the apps above read them through here, not the model."""

from .models.access import AccessLogEntry, record_access

__all__ = ["Action", "entries", "record_access"]

Action = AccessLogEntry.Action


def entries():
    """Every entry, newest first."""
    return AccessLogEntry.objects.all()
