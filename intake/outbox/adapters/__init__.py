"""Adapters that deliver a registration to the CRM, chosen by CRM_BACKEND
(the contract and the errors are in `base`)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

BACKENDS = {
    "file": "intake.outbox.adapters.file.FileAdapter",
    "webhook": "intake.outbox.adapters.webhook.WebhookAdapter",
    "superoffice": "intake.outbox.adapters.superoffice.SuperOfficeAdapter",
}


def get_adapter(deadline=None):
    """The configured adapter; `deadline` is a `time.monotonic()` value by
    which all of this delivery's calls must be over."""
    name = settings.CRM_BACKEND
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"CRM_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}.")
    return import_string(BACKENDS[name])(deadline=deadline)
