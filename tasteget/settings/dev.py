"""Local development: works with no variables at all, but only on purpose.

DEBUG is on here, the secret key is public and cookies are not Secure: a
production server must never load this module. It therefore refuses to load
unless TASTEGET_DEVELOPMENT=1 is set, which `make run` (and every other make
target) does. A `.env` copied from `.env.example` into docker compose cannot
switch a server to it by accident.
"""

from django.core.exceptions import ImproperlyConfigured

from .env import env, env_bool, env_list

if not env_bool("TASTEGET_DEVELOPMENT", False):
    raise ImproperlyConfigured(
        "tasteget.settings.dev is for development only: set TASTEGET_DEVELOPMENT=1 (make run does), "
        "or use DJANGO_SETTINGS_MODULE=tasteget.settings.production."
    )

from .base import *  # noqa: F403
from .base import STORAGES

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-not-secret-0b6c7d3e9a1f4e2c8d5b7a6f3e1c9d2b")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# No collectstatic step in development.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
