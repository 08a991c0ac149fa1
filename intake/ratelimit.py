"""Per-IP limits on form submissions, in the shared cache (Redis in production)."""

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    """The visitor's address. Behind N trusted proxies (TRUSTED_PROXY_COUNT),
    the Nth address from the right in X-Forwarded-For; the rest is forgeable."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def allow(request, scope="form"):
    """Count this POST; False once the address has used up its window."""
    window = settings.INTAKE_RATE_WINDOW
    key = f"intake-rate:{scope}:{client_ip(request)}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= settings.INTAKE_RATE_LIMIT
