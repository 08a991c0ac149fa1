"""Limits on form submissions, in the shared cache (Redis in production).

Two kinds of limit (docs/security.md):

- per client: valid submissions per address per window
  (INTAKE_RATE_LIMIT per INTAKE_RATE_WINDOW seconds). Only valid
  submissions count, so a stream of empty POSTs blocks no one, and the
  address of an IPv6 client is its /64 (one household or one host).
- per target: what one target may receive in a day, whatever the number of
  senders (messages to one ambassador, confirmations to one e-mail address).

When Redis fails each process counts in its own memory with the
same keys and windows (`LOCAL`, at most `LOCAL_MAX_ENTRIES` counters): the
limits hold per process, so with N web processes a client may get up to N
times its limit while Redis is down, and counts do not move between
processes. No submission is refused because the cache is down.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from tasteget.security import client_network_address

DAY = 24 * 3600
LOCAL_MAX_ENTRIES = 10000
LOCAL = LocMemCache("intake-ratelimit-local", {"OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES}})


def client_key(request):
    """The rate-limit bucket of a client: its IPv4 address, or its IPv6 /64
    (the same grouping as login throttling, tasteget.security)."""
    key = client_network_address(request)
    return f"{key}/64" if ":" in key else key


def _count(key, timeout):
    """Add one to a counter; returns the new count."""
    if hasattr(cache, "count"):  # Redis (tasteget/redis_cache.py): one round trip
        counted = cache.count(key, timeout)
        if counted is not None:
            return counted
        return _count_in(LOCAL, key, timeout)  # Redis failed: this process counts
    return _count_in(cache, key, timeout)


def _count_in(store, key, timeout):
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # evicted between add and incr
        store.set(key, 1, timeout=timeout)
        return 1


def allow(request, scope="form"):
    """Count one valid submission of this client; False once it has used up its window."""
    window = settings.INTAKE_RATE_WINDOW
    key = f"intake-rate:{scope}:{client_key(request)}:{int(time.time() // window)}"
    return _count(key, window + 5) <= settings.INTAKE_RATE_LIMIT


def allow_target(scope, target, limit, window=DAY):
    """Count one submission to a target (an ambassador, an e-mail address); False over the limit."""
    digest = hashlib.sha256(str(target).strip().lower().encode()).hexdigest()[:32]
    key = f"intake-target:{scope}:{digest}:{int(time.time() // window)}"
    return _count(key, window + 5) <= limit
