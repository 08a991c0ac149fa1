"""Deployment checks of our own, run by `manage.py check --deploy` (`make check`).

Django's checks do not know that a key is the public development key, that
links in e-mails must be https, or that a docker compose `.env` switched the
settings module: these do (docs/security.md).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

# Keys that are in the repository and therefore public.
PUBLIC_KEY_MARKERS = ("not-secret", "dev-only", "test-only", "django-insecure", "change-me", "build-only")


@register(Tags.security, deploy=True)
def check_deployment(app_configs=None, **kwargs):
    errors = []
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on: the development settings are in use.",
                hint="Use DJANGO_SETTINGS_MODULE=tasteget.settings.production (do not set it in .env).",
                id="tasteget.E001",
            )
        )
    if any(marker in settings.SECRET_KEY for marker in PUBLIC_KEY_MARKERS):
        errors.append(
            Error(
                "SECRET_KEY is a public key from the repository.",
                hint="Set a long random SECRET_KEY.",
                id="tasteget.E002",
            )
        )
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    if base.scheme != "https" or base.hostname in {"127.0.0.1", "localhost", None}:
        errors.append(
            Error(
                f"WAGTAILADMIN_BASE_URL is {settings.WAGTAILADMIN_BASE_URL!r}: "
                "links in e-mails must use the public https address.",
                hint="Leave WAGTAILADMIN_BASE_URL empty (https://<first allowed host>) or set it to https://….",
                id="tasteget.E003",
            )
        )
    if getattr(settings, "CRM_BACKEND", "") == "file":
        errors.append(
            Error(
                "CRM_BACKEND=file writes personal data to a local file.",
                hint="Use webhook or superoffice.",
                id="tasteget.E004",
            )
        )
    if not getattr(settings, "WAGTAIL_2FA_REQUIRED", False):
        errors.append(
            Error(
                "Two-factor sign-in is not required for the admin.",
                hint="Unset TASTEGET_REQUIRE_2FA.",
                id="tasteget.E005",
            )
        )
    if getattr(settings, "CRM_BACKEND", "") == "webhook" and not (
        settings.CRM_WEBHOOK_URL and settings.CRM_WEBHOOK_SECRET
    ):
        errors.append(
            Error(
                "CRM_BACKEND=webhook without CRM_WEBHOOK_URL and CRM_WEBHOOK_SECRET: no registration reaches the CRM.",
                hint="Set both; the secret is whsec_ + base64 of a random key (docs/crm-bridge.md).",
                id="tasteget.E006",
            )
        )
    return errors
