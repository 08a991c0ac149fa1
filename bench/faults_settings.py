"""Settings for bench/faults.py: production, with mail kept in memory (the
bench is about the CRM) and the delivery timings from the environment."""

from tasteget.settings.env import env_int
from tasteget.settings.production import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CRM_DELIVERY_DEADLINE_SECONDS = env_int("CRM_DELIVERY_DEADLINE_SECONDS", 5)
CRM_LEASE_MARGIN_SECONDS = env_int("CRM_LEASE_MARGIN_SECONDS", 3)
CRM_SWEEP_GRACE_SECONDS = env_int("CRM_SWEEP_GRACE_SECONDS", 0)
CRM_RETRY_BASE_SECONDS = env_int("CRM_RETRY_BASE_SECONDS", 1)
CRM_BREAKER_SECONDS = env_int("CRM_BREAKER_SECONDS", 1)
CRM_BREAKER_MAX_SECONDS = env_int("CRM_BREAKER_MAX_SECONDS", 4)
