"""The access log lives in intake/models/access.py; privacy/views.py still
imports it by this name (remove this module once it imports intake.models)."""

from .models.access import SUBJECT_LABELS, AccessLogEntry, prune_access_log, record_access  # noqa: F401
