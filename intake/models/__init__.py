"""Intake's models, one module per concern, all importable from here.

- `registrations`: registrations and their consent records;
- `outbox`: the outbox (`Delivery`) and the shared state of the delivery
  machinery (`CrmGate`, `Beacon`, `CrmEvent`, `PersonLock`);
- `access`: groups scoped to a municipality and the access log;
- `embeds`: where the embedded form is loaded from;
- `pages`: the form pages.

Modules of intake that the form pages build on (the services, the outbox)
import the submodule they need, not this package: the pages import them.
"""

from .access import (
    SUBJECT_LABELS,
    AccessLogEntry,
    AdviserGroup,
    prune_access_log,
    record_access,
    scoped_municipality_keys,
)
from .embeds import EmbedLoad
from .outbox import Beacon, CrmEvent, CrmGate, Delivery, PersonLock
from .pages import (
    FormPage,
    MagazineOrderPage,
    NewsletterPage,
    RegistrationPage,
    magazine_issue_on_order,
    read_registration_thanks,
    registration_thanks,
    registration_url_for,
)
from .registrations import Consent, Registration, RegistrationUpdate

__all__ = [
    "SUBJECT_LABELS",
    "AccessLogEntry",
    "AdviserGroup",
    "Beacon",
    "Consent",
    "CrmEvent",
    "CrmGate",
    "Delivery",
    "EmbedLoad",
    "FormPage",
    "MagazineOrderPage",
    "NewsletterPage",
    "PersonLock",
    "Registration",
    "RegistrationPage",
    "RegistrationUpdate",
    "magazine_issue_on_order",
    "prune_access_log",
    "read_registration_thanks",
    "record_access",
    "registration_thanks",
    "registration_url_for",
    "scoped_municipality_keys",
]
