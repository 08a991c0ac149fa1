"""Settings for processes started by tests/stack.py: the test settings, with
the CRM and the delivery timings from the environment (as in production)."""

import json

from tasteget.settings.env import env, env_int
from tasteget.settings.test import *  # noqa: F403

CRM_BACKEND = env("CRM_BACKEND", "file")
CRM_DELIVERY_DEADLINE_SECONDS = env_int("CRM_DELIVERY_DEADLINE_SECONDS", 5)
CRM_LEASE_MARGIN_SECONDS = env_int("CRM_LEASE_MARGIN_SECONDS", 1)
CRM_SWEEP_GRACE_SECONDS = env_int("CRM_SWEEP_GRACE_SECONDS", 0)
if env("CRM_RATE_PER_SECOND"):
    CRM_RATE_PER_SECOND = dict.fromkeys(("file", "webhook", "superoffice"), float(env("CRM_RATE_PER_SECOND")))
# The scheduler's jobs and periods ({name: seconds}) as JSON, for tests that run run_scheduler.
if env("SCHEDULER_PERIODS"):
    SCHEDULER_PERIODS = json.loads(env("SCHEDULER_PERIODS"))
if env("SCHEDULER_JOBS"):
    SCHEDULER_JOBS = env("SCHEDULER_JOBS").split(",")
