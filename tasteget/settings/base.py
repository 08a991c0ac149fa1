"""Settings shared by every environment.

Secure by default: DEBUG is off and every optional service is switched on
only when its variable exists. `dev`, `test` and `production` adjust this.
See docs/configuration.md and .env.example.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .env import env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The project-wide design system: base templates, components, CSS, JS, fonts.
SITE_DIR = BASE_DIR / "site"
# Everything the running site writes locally (SQLite file, media, mail).
VAR_DIR = Path(env("TASTEGET_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Our apps first so their templates and static files win.
    "tasteget",
    "places",
    "intake",
    "stories",
    "magazine",
    "ambassadors",
    "events",
    "privacy",
    "search",
    "home",
    "reports",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Outermost of all: the request id (X-Request-ID, in every log line) and
    # the request-latency metric (tasteget/observability.py).
    "tasteget.observability.ObservabilityMiddleware",
    # First: /healthz answers before host validation and the HTTPS redirect;
    # a lost database gives 503 and keeps the visitor's answers.
    # Outermost: even /healthz and the database-outage page get it.
    "tasteget.middleware.PermissionsPolicyMiddleware",
    "tasteget.middleware_reliability.HealthzMiddleware",
    "tasteget.middleware_reliability.DatabaseUnavailableMiddleware",
    # The HTTPS redirect is marked no-store: no shared cache keeps it.
    "tasteget.middleware.SchemeRedirectNoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tasteget.middleware.ContentSecurityPolicyMiddleware",
    "tasteget.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed (static files come compressed from whitenoise); then the
    # page cache, inside the security headers so every answer gets them fresh.
    "django.middleware.gzip.GZipMiddleware",
    "tasteget.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The site and the page of a path from the page cache's store (tasteget/routing.py).
    "tasteget.routing.CachedRoutingMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two factors for the admin (docs/security.md): an admin user must pass
    # the one-time code before any admin page when WAGTAIL_2FA_REQUIRED.
    "django_otp.middleware.OTPMiddleware",
    "tasteget.two_factor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Login throttling; last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tasteget.urls"
WSGI_APPLICATION = "tasteget.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite file by default; DATABASE_URL (postgres://…) switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and the task worker share the file: wait for locks
    # instead of failing, and take the write lock at BEGIN.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)
else:
    # PostgreSQL full-text search for Wagtail's search backend.
    INSTALLED_APPS.append("django.contrib.postgres")
    # Behind PgBouncer (or a managed pooler) in transaction pooling, a
    # cursor cannot outlive its transaction (docs/deployment.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_TRANSACTION_POOLING", False)

# --- Cache ------------------------------------------------------------------
# Redis is the shared cache in production (rate limits must be shared between
# processes); without REDIS_URL a per-process memory cache is used.
if env("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "tasteget.redis_cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": "tasteget",
            # A Redis that fails is a miss (tasteget/redis_cache.py): give up on it quickly.
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Wagtail's rendition cache, read without a write per hit (tasteget/rendition_cache.py).
if env("REDIS_URL"):
    CACHES["renditions"] = {
        **CACHES["default"],
        "BACKEND": "tasteget.rendition_cache.RenditionRedisCache",
        "KEY_PREFIX": "tasteget-renditions",
    }
else:
    CACHES["renditions"] = {"BACKEND": "tasteget.rendition_cache.RenditionLocMemCache", "LOCATION": "renditions"}
# Whole pages for anonymous visitors (tasteget/pagecache.py, docs/performance.md):
# in Redis when there is one, else in files under var/ so that every process
# (runserver, the worker that publishes scheduled pages) sees the same purges.
if env("REDIS_URL"):
    # Every key expires: the page cache passes its own expiries; this is a bound.
    CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "tasteget-pages", "TIMEOUT": 2 * 24 * 3600}
else:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "pages"),
        "TIMEOUT": 2 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
# Shared caches (ours, nginx/Varnish, a CDN) keep a page this long: they are purged on publish.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 3600)
# Browsers cannot be purged: they keep a page at most this long.
PAGE_CACHE_BROWSER_SECONDS = env_int("PAGE_CACHE_BROWSER_SECONDS", 60)
PAGE_CACHE_404_SECONDS = env_int("PAGE_CACHE_404_SECONDS", 300)
# Parts of pages (language links, the home page's sections) kept under the
# same purge as the pages (tasteget.pagecache.page_part); off only to measure.
PAGE_PARTS_ENABLED = env_bool("PAGE_PARTS_ENABLED", True)
PAGE_CACHE_EXCLUDED_PREFIXES = ("/admin/", "/documents/", "/media/", "/static/", "/healthz", "/.well-known/")
PAGE_CACHE_CONTENT_TYPES = ("text/html", "application/xml", "application/atom+xml", "application/rss+xml")
# --- Front caches (Varnish), purged by path with PURGE (home/frontcache.py) ---
# FRONTEND_CACHE_PURGE_URLS: every Varnish, comma-separated (compose: its
# `cache`); FRONTEND_CACHE_PURGE_URL, one of them, still works. Each takes
# purges only with X-Purge-Token = FRONTEND_CACHE_PURGE_TOKEN (the same variable
# is given to varnishd: deploy/varnish/default.vcl).
FRONTEND_CACHE_PURGE_URLS = env_list("FRONTEND_CACHE_PURGE_URLS") or env_list("FRONTEND_CACHE_PURGE_URL")
FRONTEND_CACHE_PURGE_TOKEN = env("FRONTEND_CACHE_PURGE_TOKEN", "")
# --- end of front caches ---
# A CDN to purge by URL with the page cache (wagtail.contrib.frontend_cache):
# CLOUDFLARE_API_TOKEN + CLOUDFLARE_ZONE_ID, or CLOUDFRONT_DISTRIBUTION_ID.
WAGTAILFRONTENDCACHE = {}
if env("CLOUDFLARE_API_TOKEN"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "BEARER_TOKEN": env("CLOUDFLARE_API_TOKEN"),
        "ZONEID": env("CLOUDFLARE_ZONE_ID", ""),
    }
if env("CLOUDFRONT_DISTRIBUTION_ID"):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": env("CLOUDFRONT_DISTRIBUTION_ID"),
    }
# Our purges name every language's URL themselves.
WAGTAILFRONTENDCACHE_LANGUAGES = []

# --- Background tasks ---------------------------------------------------------
# One durable queue in the database, drained by `manage.py db_worker`.
# Wagtail 8 declares its tasks with the `django_tasks` backport, ours use
# Django's own `django.tasks`. Both handlers read this one setting, and the
# backport's `@task` builds its task from the configured backend's
# `task_class`; so both kinds land in the same table and the same worker runs
# them (tests/test_tasks.py proves it). Never configure the backport apart.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # "crm": CRM deliveries, run in a lane of their own (intake/tasks.py, run_worker).
        "QUEUES": ["default", "crm"],
    }
}

# Finished tasks (their arguments hold whole e-mails) are deleted after this
# many hours by `manage.py prune_task_results` (docs/data-protection.md).
TASK_RESULT_RETENTION_HOURS = env_int("TASK_RESULT_RETENTION_HOURS", 24)

# Retention of the site's copy of registrations (intake/retention.py, run
# daily by housekeeping; docs/data-protection.md). The CRM is the register of
# record: a guidance registration loses its personal data this many months
# after it was both delivered and first contacted; a magazine order this many
# months after its mailing list was marked sent.
REGISTRATION_RETENTION_MONTHS = env_int("REGISTRATION_RETENTION_MONTHS", 12)
MAGAZINE_RETENTION_MONTHS = env_int("MAGAZINE_RETENTION_MONTHS", 3)
# The access log (who opened, exported or erased whose data) is kept this long.
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 730)
# Searches that found nothing (search.MissedQuery) are kept this many days
# after they were last searched.
MISSED_SEARCH_RETENTION_DAYS = env_int("MISSED_SEARCH_RETENTION_DAYS", 90)

# --- Registrations and the CRM bridge (docs/crm-bridge.md) -------------------
CRM_BACKEND = env("CRM_BACKEND", "file")  # file | webhook | superoffice
CRM_FILE_PATH = Path(env("CRM_FILE_PATH", VAR_DIR / "crm-outbox.jsonl"))
CRM_WEBHOOK_URL = env("CRM_WEBHOOK_URL", "")
CRM_WEBHOOK_SECRET = env("CRM_WEBHOOK_SECRET", "")
SUPEROFFICE_API_URL = env("SUPEROFFICE_API_URL", "")
SUPEROFFICE_USERNAME = env("SUPEROFFICE_USERNAME", "")
SUPEROFFICE_PASSWORD = env("SUPEROFFICE_PASSWORD", "")
# What an erasure request (Art. 17, privacy/) does in SuperOffice: "delete"
# (DELETE Person/{id}), "anonymise" (the person's name, e-mail and phone
# overwritten, the row and its history kept) or "manual" (a step recorded
# for the data protection officer to do by hand).
SUPEROFFICE_ERASURE = env("SUPEROFFICE_ERASURE", "delete")
SUPEROFFICE_CLIENT_SECRET = env("SUPEROFFICE_CLIENT_SECRET", "")
SUPEROFFICE_SYSTEM_USER_TOKEN = env("SUPEROFFICE_SYSTEM_USER_TOKEN", "")
SUPEROFFICE_PRIVATE_KEY = env("SUPEROFFICE_PRIVATE_KEY", "").replace("\\n", "\n")
SUPEROFFICE_CONTEXT_IDENTIFIER = env("SUPEROFFICE_CONTEXT_IDENTIFIER", "")
# The Person custom field that holds the chosen municipality, e.g. SuperOffice:3 (empty: not sent).
SUPEROFFICE_MUNICIPALITY_FIELD = env("SUPEROFFICE_MUNICIPALITY_FIELD", "")
SUPEROFFICE_LOGIN_URL = env(
    "SUPEROFFICE_LOGIN_URL", "https://online.superoffice.com/Login/api/PartnerSystemUser/Authenticate"
)
# Where SuperOffice Online says a tenant is now ({context} is replaced); empty
# on-premises. A redirect from the web API means the tenant moved: ask here.
SUPEROFFICE_TENANT_STATE_URL = env("SUPEROFFICE_TENANT_STATE_URL", "")
# The municipality list field's list (udlist id), checked by crm_check.
SUPEROFFICE_MUNICIPALITY_LIST_ID = env("SUPEROFFICE_MUNICIPALITY_LIST_ID", "")
# Tenants with MandatoryContactOnPerson: the company every new person joins.
SUPEROFFICE_PERSON_CONTACT_ID = env_int("SUPEROFFICE_PERSON_CONTACT_ID", 0)
# A guidance follow-up whose municipality's advisers have no CRM owner id goes
# to this associate; 0 = fail the delivery (an operator must set an owner id).
SUPEROFFICE_FALLBACK_OWNER_ID = env_int("SUPEROFFICE_FALLBACK_OWNER_ID", 0)
# Last name of a person who gave only an e-mail (newsletter).
SUPEROFFICE_UNNAMED_LASTNAME = env("SUPEROFFICE_UNNAMED_LASTNAME", "Prenumerant (Ta steget)")
# Override the follow-up's task list item and type (default: Appointment/default's).
SUPEROFFICE_FOLLOWUP_TASK_ID = env_int("SUPEROFFICE_FOLLOWUP_TASK_ID", 0)
SUPEROFFICE_FOLLOWUP_HOUR = env_int("SUPEROFFICE_FOLLOWUP_HOUR", 9)
# Answers from the CRM: "off", "webhook" (SuperOffice calls us) or "poll".
SUPEROFFICE_ANSWERS = env("SUPEROFFICE_ANSWERS", "off")
SUPEROFFICE_WEBHOOK_SECRET = env("SUPEROFFICE_WEBHOOK_SECRET", "")
SUPEROFFICE_WEBHOOK_MAX_AGE_SECONDS = env_int("SUPEROFFICE_WEBHOOK_MAX_AGE_SECONDS", 900)
# The person field with the move status, and its list item ids → contact status,
# e.g. SUPEROFFICE_MOVE_STATUS_MAP="21:moved,22:not_moving".
SUPEROFFICE_MOVE_STATUS_FIELD = env("SUPEROFFICE_MOVE_STATUS_FIELD", "")
SUPEROFFICE_MOVE_STATUS_MAP = dict(
    item.split(":", 1) for item in env_list("SUPEROFFICE_MOVE_STATUS_MAP", []) if ":" in item
)
# Retries: exponential back-off from this base, for this many days, then failed.
CRM_RETRY_BASE_SECONDS = env_int("CRM_RETRY_BASE_SECONDS", 30)
CRM_RETRY_DAYS = env_int("CRM_RETRY_DAYS", 4)
# The sweep re-enqueues due deliveries this long after their time if no task holds them.
CRM_SWEEP_GRACE_SECONDS = env_int("CRM_SWEEP_GRACE_SECONDS", 120)
# One delivery's total time budget (all its HTTP calls, a dripping body
# included); a claim (lease) lasts this plus a minute, then the delivery is
# considered abandoned (worker killed) and the sweep sends it again.
CRM_DELIVERY_DEADLINE_SECONDS = env_int("CRM_DELIVERY_DEADLINE_SECONDS", 60)
CRM_LEASE_MARGIN_SECONDS = env_int("CRM_LEASE_MARGIN_SECONDS", 60)
# Pacing, shared by all workers (a row per backend in the database):
# deliveries per second per backend. SuperOffice allows about 10 calls/s per
# tenant and one delivery makes up to 4 calls. CRM_RATE_PER_SECOND sets all.
CRM_RATE_PER_SECOND = (
    dict.fromkeys(("file", "webhook", "superoffice"), float(env("CRM_RATE_PER_SECOND")))
    if env("CRM_RATE_PER_SECOND")
    else {"file": 100.0, "webhook": 10.0, "superoffice": 2.5}
)
CRM_MAX_CONCURRENCY = env_int("CRM_MAX_CONCURRENCY", 4)
# Circuit breaker: after this many temporary failures in a row nothing is sent
# for a pause (doubling up to CRM_BREAKER_MAX_SECONDS); then one probe.
CRM_BREAKER_FAILURES = env_int("CRM_BREAKER_FAILURES", 5)
CRM_BREAKER_SECONDS = env_int("CRM_BREAKER_SECONDS", 30)
CRM_BREAKER_MAX_SECONDS = env_int("CRM_BREAKER_MAX_SECONDS", 600)
# Alerts (to INTAKE_ALERT_EMAILS, at most one per condition per hour): a
# delivery waiting longer than this, or no worker heartbeat for this long.
INTAKE_ALERT_BACKLOG_MINUTES = env_int("INTAKE_ALERT_BACKLOG_MINUTES", 30)
INTAKE_ALERT_WORKER_MINUTES = env_int("INTAKE_ALERT_WORKER_MINUTES", 10)
# Who hears about deliveries that failed for good.
INTAKE_ALERT_EMAILS = env_list("INTAKE_ALERT_EMAILS")
# Who is told of a new ambassador application (first name, municipality, admin link only).
AMBASSADOR_COORDINATOR_EMAILS = env_list("AMBASSADOR_COORDINATOR_EMAILS")
# How long the quarterly e-mail's download link works (reports/views.py).
REPORT_LINK_MAX_AGE_DAYS = env_int("REPORT_LINK_MAX_AGE_DAYS", 120)
# Spam protection: seconds a person needs at least to fill in a form, how long
# a form stays valid, and POSTs allowed per IP address per window.
INTAKE_MIN_FILL_SECONDS = env_int("INTAKE_MIN_FILL_SECONDS", 3)
INTAKE_FORM_MAX_AGE = env_int("INTAKE_FORM_MAX_AGE", 24 * 3600)
INTAKE_RATE_LIMIT = env_int("INTAKE_RATE_LIMIT", 10)
INTAKE_RATE_WINDOW = env_int("INTAKE_RATE_WINDOW", 600)
# Per target and day, whatever the number of senders (intake/ratelimit.py).
INTAKE_AMBASSADOR_DAILY_LIMIT = env_int("INTAKE_AMBASSADOR_DAILY_LIMIT", 10)
INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY = env_int("INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY", 3)
# Days a case for guidance stays open to a repeat registration with the same
# e-mail and municipality (not moved, not "not moving", not anonymised);
# after it, registering again opens a new case (intake/cases.py).
INTAKE_CASE_OPEN_DAYS = env_int("INTAKE_CASE_OPEN_DAYS", 365)
# Seconds a newsletter subscriber's preference link works; a new one is sent
# to anyone who enters the address (intake/views.py, docs/data-protection.md).
NEWSLETTER_PREFERENCES_MAX_AGE = env_int("NEWSLETTER_PREFERENCES_MAX_AGE", 30 * 24 * 3600)
# Seconds the link to a mover's own page works (home/my_page.py); a new one
# is sent to anyone who enters the address, the same answer either way.
MOVER_PAGE_MAX_AGE = env_int("MOVER_PAGE_MAX_AGE", 60 * 24 * 3600)
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# X-Forwarded-For is believed only on connections from these networks (the
# proxies'); a client that reaches gunicorn directly is its own address.
TRUSTED_PROXY_NETWORKS = env_list(
    "TRUSTED_PROXY_NETWORKS",
    ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)

# --- Sign-in: two factors and throttling (docs/security.md) -----------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Off here; production.py requires it (TASTEGET_REQUIRE_2FA), and a developer
# may switch it on to try it.
WAGTAIL_2FA_REQUIRED = env_bool("TASTEGET_REQUIRE_2FA", False)
# The issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Ta steget"
# django-axes: five wrong passwords for one user name from one address lock
# that combination for 15 minutes. Locking by user name alone would let
# anyone lock a real user out; by address alone, one office behind NAT.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tasteget.security.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "tasteget.security.lockout_response"
AXES_VERBOSE = False

# --- Passwords ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ----------------------------------------------------------------
# Swedish is the default and English complete. The international house adds
# more locales: German and Arabic (right to left) by default; set, for
# example, TASTEGET_LANGUAGES=sv,en,de,ar,uk to add Ukrainian. Pages not yet
# translated into an extra locale are shown in Swedish, marked as such, with a
# notice in the visitor's language (see home/wagtail_hooks.py).
LANGUAGE_CODE = "sv"
_language_codes = env_list("TASTEGET_LANGUAGES", ["sv", "en", "de", "ar"])
if _language_codes[:1] != ["sv"]:
    raise ImproperlyConfigured("TASTEGET_LANGUAGES must start with sv, the default language.")
_unknown = [code for code in _language_codes if code not in LANG_INFO]
if _unknown:
    raise ImproperlyConfigured(f"TASTEGET_LANGUAGES has unknown language codes: {', '.join(_unknown)}.")
LANGUAGES = [(code, LANG_INFO[code]["name_local"]) for code in _language_codes]
WAGTAIL_I18N_ENABLED = True
# A translation starts as a draft and goes live through the same publishing
# (and moderation) as any page, not the moment it is submitted with the
# source text in it.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files and media ---------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Erasure ledger (privacy/ledger.py, docs/backups.md) ----------------------
# Every erasure is also written outside the database, as keyed hashes only,
# one object per erasure, so that `manage.py reapply_erasures` can erase the
# people again after a backup is restored. The key must never change (entries
# written with another key cannot be matched); without ERASURE_LEDGER_KEY it
# is derived from SECRET_KEY. In production: a bucket with object lock or
# versioning (ERASURE_LEDGER_S3_BUCKET); otherwise a local directory.
ERASURE_LEDGER_KEY = env("ERASURE_LEDGER_KEY", "")
if env("ERASURE_LEDGER_S3_BUCKET"):
    STORAGES["erasure_ledger"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("ERASURE_LEDGER_S3_BUCKET"),
            "location": env("ERASURE_LEDGER_S3_PREFIX", "erasure-ledger"),
            "endpoint_url": env("ERASURE_LEDGER_S3_ENDPOINT_URL"),
            "region_name": env("ERASURE_LEDGER_S3_REGION"),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
else:
    STORAGES["erasure_ledger"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": Path(env("ERASURE_LEDGER_DIR", VAR_DIR / "erasure-ledger"))},
    }

# --- E-mail -------------------------------------------------------------------
# Django 6.1 mailers. Without EMAIL_HOST, mail is written to files under
# var/mail so a developer can read exactly what would be sent.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Ta steget <noreply@tasteget.nu>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST"),
                "port": env_int("EMAIL_PORT", 587),
                "username": env("EMAIL_HOST_USER", ""),
                "password": env("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 15,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
        }
    }

# --- Security headers -----------------------------------------------------------
# Django's built-in Content-Security-Policy. Public pages allow no inline
# script: scripts are files from our own origin or carry the request's nonce.
# https://docs.djangoproject.com/en/6.1/ref/csp/
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    # Editors embed videos through the embed block (YouTube, Vimeo).
    "frame-src": [CSP.SELF, "https://www.youtube-nocookie.com", "https://www.youtube.com", "https://player.vimeo.com"],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The cookie-less page view counter (reports/beacon.py) posts to the site's
# own /page-view. If the Region runs a self-hosted analytics server, the
# beacon can post there instead: an https address, allowed in connect-src.
PAGE_VIEW_BEACON_URL = env("PAGE_VIEW_BEACON_URL", "")
# One client counts one view of a page per this many seconds (reports/beacon.py).
PAGE_VIEW_WINDOW = env_int("PAGE_VIEW_WINDOW", 30 * 60)

# --- Limits on what anonymous clients can make us store or send ----
# Search statistics: one count per query per client per window, and at most
# this many queries per client per window (search/views.py).
SEARCH_COUNT_WINDOW = env_int("SEARCH_COUNT_WINDOW", 3600)
SEARCH_COUNTS_PER_CLIENT = env_int("SEARCH_COUNTS_PER_CLIENT", 20)
# Search results kept for anonymous queries (search/views.py, purged on publish):
# this long, and at most this many new ones stored per client per window.
SEARCH_RESULTS_SECONDS = env_int("SEARCH_RESULTS_SECONDS", 3600)
SEARCH_KEPT_PER_CLIENT = env_int("SEARCH_KEPT_PER_CLIENT", 100)
# Admin password reset messages (tasteget/password_reset.py); the answer is the same either way.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "tasteget.password_reset.LimitedPasswordResetForm"  # noqa: S105 - a class
PASSWORD_RESET_PER_CLIENT_HOURLY = env_int("PASSWORD_RESET_PER_CLIENT_HOURLY", 5)
PASSWORD_RESET_PER_ADDRESS_DAILY = env_int("PASSWORD_RESET_PER_ADDRESS_DAILY", 3)
# After wrong second-factor codes the user may e-mail themselves a link that
# lifts the pause (tasteget/two_factor_unlock.py): it works this many seconds,
# and at most one is sent per user per interval.
TWO_FACTOR_UNLOCK_LINK_MAX_AGE = env_int("TWO_FACTOR_UNLOCK_LINK_MAX_AGE", 30 * 60)
TWO_FACTOR_UNLOCK_MAIL_INTERVAL = env_int("TWO_FACTOR_UNLOCK_MAIL_INTERVAL", 5 * 60)
# Editors' uploads: 40 megapixels at most (Wagtail's own message), so one
# image cannot tie up a worker for half a minute making renditions.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env_int("WAGTAILIMAGES_MAX_IMAGE_PIXELS", 40_000_000)
if PAGE_VIEW_BEACON_URL:
    _beacon = urlsplit(PAGE_VIEW_BEACON_URL)
    if _beacon.scheme != "https" or not _beacon.hostname or _beacon.username or _beacon.password:
        raise ImproperlyConfigured(
            "PAGE_VIEW_BEACON_URL must be an https address such as https://statistik.example.se/count, "
            f"not {PAGE_VIEW_BEACON_URL!r}."
        )
    SECURE_CSP["connect-src"] = [*SECURE_CSP["connect-src"], f"https://{_beacon.netloc}"]
# The Wagtail admin (a trusted, logged-in area) still relies on inline
# scripts and styles; it gets a policy of its own. See tasteget/middleware.py.
# No 'unsafe-eval' (Wagtail 8's admin does not need it: the browser tests load
# admin pages and fail on any CSP violation) and frames only from the hosts
# the public site allows (previews are same-origin, embeds YouTube/Vimeo).
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
}
ADMIN_CSP_PATH_PREFIXES = ("/admin/",)
# Where vulnerabilities are reported (/.well-known/security.txt), comma-separated URIs.
SECURITY_CONTACTS = env_list("SECURITY_CONTACTS", ["mailto:security@tasteget.nu"])
# Browser features no page of the site uses.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Legacy header for old browsers; CSP frame-ancestors is what modern ones use.
# Wagtail marks its preview views SAMEORIGIN itself.
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Wagtail ------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Ta steget"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Each language's own text search configuration, accents folded (search/backends.py).
    WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "search.backends"
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "png", "gif": "png", "tiff": "png"}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# Documents are served from our origin: no HTML or SVG (script in our origin).
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "odt", "xlsx", "xls", "ods", "pptx", "odp", "txt", "csv", "rtf", "zip"]
# Responsive embeds use CSS aspect-ratio: the inline style Wagtail would add
# is blocked by the public CSP.
WAGTAILEMBEDS_RESPONSIVE_HTML = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No third-party hosts, in the admin either: no Gravatar avatars.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("sv", "Svenska"), ("en", "English")]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Logs, error reports and metrics (tasteget/observability.py, docs/operations.md).
# LOG_FORMAT: plain (development) or json (production's default); every line
# carries the request id.
LOG_FORMAT = env("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tasteget.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in ("plain", "json") else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security.csrf": {"level": "WARNING"},
        # Each failed login at INFO is noise; lockouts are logged as warnings.
        "axes": {"level": "WARNING"},
        # Wagtail logs every page action at INFO; the admin's history keeps them.
        "wagtail": {"level": env("WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}
# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (404 without one).
METRICS_TOKEN = env("METRICS_TOKEN", "")
# Collectors read at scrape time, each from its own app's tables.
METRICS_COLLECTORS = ["intake.metrics.DeliveryCollector"]
# Error reports to Sentry or GlitchTip, scrubbed of personal data, when set.
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from tasteget.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        release=env("SENTRY_RELEASE"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
