"""Settings for the site processes of tests/security/test_front_cache.py: the stack's
settings (tests/stack.py) behind a TLS proxy, as in production: the scheme
comes from X-Forwarded-Proto and plain HTTP is redirected to HTTPS."""

from tasteget.settings.env import env_bool
from tests.stack_settings import *  # noqa: F403

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
