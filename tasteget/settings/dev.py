"""Local development: works with no variables at all."""

from .base import *  # noqa: F403
from .base import STORAGES
from .env import env, env_list

DEBUG = True
SECRET_KEY = env("SECRET_KEY", "dev-only-not-secret-0b6c7d3e9a1f4e2c8d5b7a6f3e1c9d2b")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# No collectstatic step in development.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
