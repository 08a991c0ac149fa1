"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
from pathlib import Path

# Each pytest-xdist process keeps its files (media, the file CRM, the shared
# page cache) apart; the processes a test starts inherit the same directory.
if os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("TASTEGET_VAR_DIR"):
    os.environ["TASTEGET_VAR_DIR"] = str(
        Path(__file__).resolve().parents[2] / "var" / f"test-{os.environ['PYTEST_XDIST_WORKER']}"
    )

from .base import *  # noqa: F403
from .base import CACHES, STORAGES, VAR_DIR, env, env_bool

DEBUG = False
SECRET_KEY = "test-only-not-secret-6a8e2f4c1b9d7e3a5c0f2d4b6e8a1c3f"  # noqa: S105 - tests only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Static files are served from the finders: no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = VAR_DIR / "test-media"
# The browser tests' site server says where it listens (tests/browser/conftest.py).
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://testserver")
# Forms are filled in by code in tests; tests that check the minimum fill
# time and the rate limit set these themselves.
INTAKE_MIN_FILL_SECONDS = 0
INTAKE_RATE_LIMIT = 1000
CRM_BACKEND = "file"
CRM_FILE_PATH = VAR_DIR / "test-crm-outbox.jsonl"
# The erasure ledger of the tests (tests/test_restore_drill.py points its
# processes at a directory of its own).
STORAGES["erasure_ledger"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": env("ERASURE_LEDGER_DIR", VAR_DIR / "test-erasure-ledger")},
}
# Two factors and login throttling are off except in the tests of them
# (tests/security/test_admin_login.py switches them on).
WAGTAIL_2FA_REQUIRED = False
AXES_ENABLED = False
# Pages are cached in memory, emptied around every test (tests/conftest.py).
# A site run in its own processes for the browser tests keeps the shared
# file cache of `make run` instead, so that a page published by another
# process (housekeeping, the worker) purges what the server cached.
if not env_bool("TASTEGET_SHARED_PAGE_CACHE", False):
    CACHES = {**CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}}
