"""Production: refuses to start without its secrets.

`manage.py check --deploy --settings=tasteget.settings.production` must print
no issues (CI runs it).
"""

from django.core.exceptions import ImproperlyConfigured

from intake.webhook_secret import webhook_key

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING
from .env import env, env_bool, env_int, require

SECRET_KEY = require("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in require("ALLOWED_HOSTS").split(",") if host.strip()]
require("DATABASE_URL")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL in production.")
DEBUG = False
# The CRM is chosen on purpose: the `file` backend writes every registration's
# personal data to a local file that nothing purges, so production refuses it.
CRM_BACKEND = require("CRM_BACKEND")
if CRM_BACKEND == "file":
    raise ImproperlyConfigured("CRM_BACKEND=file is for development only; use webhook or superoffice in production.")

# Mail goes over SMTP to EMAIL_HOST, which must be set: without it mail used
# to retry for days into nowhere. EMAIL_HOST=localhost is the explicit choice
# of a relay on the host itself (then port 25 without TLS unless set).
SMTP_HOST = require("EMAIL_HOST")
LOCAL_RELAY = SMTP_HOST in {"localhost", "127.0.0.1", "::1"}
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": SMTP_HOST,
            "port": env_int("EMAIL_PORT", 25 if LOCAL_RELAY else 587),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", not LOCAL_RELAY),
            "timeout": 15,
        },
    }
}

# --- Webhook secret: whsec_ + base64, or the site does not start.
CRM_WEBHOOK_SECRET = env("CRM_WEBHOOK_SECRET", "")
if CRM_WEBHOOK_SECRET:
    try:
        webhook_key(CRM_WEBHOOK_SECRET)
    except ValueError as error:
        raise ImproperlyConfigured(str(error)) from None

# TLS ends at the proxy in front of gunicorn, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The container health check talks plain HTTP to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")
# Every person who can see personal data or publish signs in with two factors
# (docs/security.md); TASTEGET_REQUIRE_2FA=false exists only for an emergency.
WAGTAIL_2FA_REQUIRED = env_bool("TASTEGET_REQUIRE_2FA", True)

# --- Media on object storage (tasteget/storage.py, docs/deployment.md) ---
# Uploads and the worker's renditions go to an S3-compatible bucket, so every
# container (web, worker) sees the same files and pages link to them under
# MEDIA_PUBLIC_URL. MEDIA_STORAGE=filesystem keeps var/media, only for a
# single machine whose proxy serves it at /media/: nothing in the stack
# serves that directory, so production does not fall back to it silently.
from tasteget.storage import public_origin, public_url_from_env, storage_from_env  # noqa: E402

from .base import ADMIN_CSP, SECURE_CSP, STORAGES  # noqa: E402

MEDIA_STORAGE = env("MEDIA_STORAGE", "s3")
if MEDIA_STORAGE == "s3":
    STORAGES = {**STORAGES, "default": storage_from_env()}
    MEDIA_URL = public_url_from_env()
    if _media_origin := public_origin(MEDIA_URL):
        SECURE_CSP = {**SECURE_CSP, "img-src": [*SECURE_CSP["img-src"], _media_origin]}
        ADMIN_CSP = {**ADMIN_CSP, "img-src": [*ADMIN_CSP["img-src"], _media_origin]}
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be s3 or filesystem, not {MEDIA_STORAGE!r}.")
# Documents are private: Django's view checks the collection's view
# restrictions and streams the file from the bucket (never a bucket link).
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# --- Nothing a node needs from another on its own disk (docs/deployment.md,
# "What a node keeps locally"): web and worker nodes can be added, replaced
# and removed. Redis is the shared cache (rate limits, the page cache and its
# purges, renditions): without it every node kept its own page cache under
# var/, so a purge on one node never reached the others.
require("REDIS_URL")
# The erasure ledger must outlive any node and be read whole by
# `reapply_erasures`: a bucket, or a directory chosen on purpose that every
# node shares (compose's volume, on its one machine).
if not env("ERASURE_LEDGER_S3_BUCKET") and not env("ERASURE_LEDGER_DIR"):
    raise ImproperlyConfigured(
        "The environment variable ERASURE_LEDGER_S3_BUCKET is required in production "
        "(or ERASURE_LEDGER_DIR, a directory every node shares); see .env.example."
    )

# --- Front caches: a Varnish takes PURGE only with the shared token (docs/security.md) ---
if FRONTEND_CACHE_PURGE_URLS and not FRONTEND_CACHE_PURGE_TOKEN:  # noqa: F405
    raise ImproperlyConfigured(
        "FRONTEND_CACHE_PURGE_URLS is set but FRONTEND_CACHE_PURGE_TOKEN is not: "
        "give Varnish and the site the same token."
    )

# --- Logs as JSON, one object a line, unless LOG_FORMAT=plain.
LOGGING["handlers"]["console"]["formatter"] = "plain" if env("LOG_FORMAT") == "plain" else "json"
