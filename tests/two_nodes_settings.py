"""Settings for the nodes of tests/test_two_nodes.py: the front cache's
settings (tests/front_cache_settings.py: behind the TLS proxy and Varnish),
with what production shares between machines taken from the environment:
media in the S3 bucket (MEDIA_S3_*, pages linking to MEDIA_PUBLIC_URL), the
caches in Redis (REDIS_URL with TASTEGET_SHARED_PAGE_CACHE=1), and e-mail
written under each node's own var dir (so that a digest sent twice, by
either node, is counted)."""

from tasteget.settings.env import env, env_int
from tasteget.storage import storage_from_env
from tests.front_cache_settings import *  # noqa: F403
from tests.front_cache_settings import STORAGES, VAR_DIR

if env("MEDIA_S3_BUCKET"):
    STORAGES = {**STORAGES, "default": storage_from_env()}
    MEDIA_URL = env("MEDIA_PUBLIC_URL")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
}
# A CRM that answers 503 for a while: retries and the breaker in seconds, not minutes.
CRM_RETRY_BASE_SECONDS = env_int("CRM_RETRY_BASE_SECONDS", 1)
CRM_BREAKER_SECONDS = env_int("CRM_BREAKER_SECONDS", 1)
CRM_BREAKER_MAX_SECONDS = env_int("CRM_BREAKER_MAX_SECONDS", 4)
