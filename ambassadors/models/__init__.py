"""The ambassadors' models, importable from here: `records` (profiles,
applications, daily counts) and `pages` (the directory).

The services import `records`, not this package: the directory page
imports the services."""

from .pages import AmbassadorDirectoryPage
from .records import (
    APPLICATION_RETENTION_DAYS,
    Ambassador,
    AmbassadorApplication,
    ApplicationDay,
    ApplicationStatus,
    RelayDay,
)

__all__ = [
    "APPLICATION_RETENTION_DAYS",
    "Ambassador",
    "AmbassadorApplication",
    "AmbassadorDirectoryPage",
    "ApplicationDay",
    "ApplicationStatus",
    "RelayDay",
]
