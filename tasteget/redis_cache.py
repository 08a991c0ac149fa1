"""Django's Redis cache, without a new client object on every call, and
without an error when Redis fails.

One client per pool: `django.core.cache.backends.redis.RedisCacheClient.get_client`
builds a new `redis.Redis` for each cache call (its connection pool is shared,
but the client copies a table of some 200 response callbacks each time): about
a quarter of a millisecond per call, and a request makes eight or nine. The
client is thread-safe and bound to its pool, which redis-py resets after a
fork, so one client per pool is kept.

`count` adds one to a counter that expires, in one round trip (Django's
`add` then `incr` take three); the rate limits use it (intake/ratelimit.py).

A Redis failure is a miss (docs/architecture.md "The cache may
fail"): every read that fails returns what a miss returns (`get` its
default, `get_many` nothing, `count` None), every write that fails is
skipped (`set` and `touch` do nothing, `add` returns False), so pages
render uncached and the callers fall back to the database. After a
connection error or a timeout the cache is not asked again for
`BACKOFF_SECONDS` (a dead Redis must not add a connect timeout to every
call), then it is tried again: caching resumes when Redis is back, without
a restart. A failure is logged once per back-off period, not per call.
Errors that are not about the connection (Redis full under `noeviction`,
read-only replica) skip that one call only.

`cache.strict` is the same cache (same client and pool) that raises: for
writes that must not be lost silently, the page cache's purges
(tasteget/pagecache.py), whose callers make them durable.
"""

import copy
import inspect
import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 5.0
# Per process and per server: the three caches (default, pages, renditions)
# share one Redis, so one failure backs all of them off and is logged once.
_down_until = {}
_logged_until = {}
_lock = threading.Lock()


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count(self, key, timeout):
        pipeline = self.get_client(key, write=True).pipeline()
        pipeline.incr(key)
        pipeline.expire(key, timeout, nx=True)  # the first count starts the window
        return pipeline.execute()[0]

    def extend(self, keys, timeout):
        """Make these keys live at least `timeout` more seconds (never shorter)."""
        pipeline = self.get_client(write=True).pipeline(transaction=False)
        for key in keys:
            pipeline.expire(key, timeout, gt=True)
        pipeline.execute()


class RedisCache(DjangoRedisCache):
    strict_mode = False

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._server_id = tuple(self._servers)

    @cached_property
    def strict(self):
        """This cache, raising on every failure (one client and pool with it)."""
        twin = copy.copy(self)
        # Methods set on the instance (Sentry's Django integration wraps a
        # cache's get/set/... per instance) are bound to this soft cache: the
        # twin takes the class's own methods instead, or it would not raise.
        for name in list(twin.__dict__):
            if inspect.isfunction(getattr(type(self), name, None)):
                del twin.__dict__[name]
        twin.__dict__["_cache"] = self._cache
        twin.strict_mode = True
        return twin

    def _soft(self, call, miss, *args, **kwargs):
        if self.strict_mode:
            return call(*args, **kwargs)
        if _down_until.get(self._server_id, 0) > time.monotonic():
            return miss
        try:
            return call(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as error:
            self._failed(error, back_off=True)
        except RedisError as error:
            self._failed(error, back_off=False)
        return miss

    def _failed(self, error, back_off):
        now = time.monotonic()
        with _lock:
            if back_off:
                _down_until[self._server_id] = now + BACKOFF_SECONDS
            key = (self._server_id, type(error))
            if _logged_until.get(key, 0) > now:
                return
            _logged_until[key] = now + BACKOFF_SECONDS
        logger.warning(
            "Redis cache failed (%s: %s); treated as a miss%s",
            type(error).__name__,
            error,
            f", not asked for {BACKOFF_SECONDS:g} s" if back_off else "",
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._soft(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._soft(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._soft(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._soft(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # A failure cannot be a number: callers of incr handle ValueError (a missing key).
        result = self._soft(super().incr, None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._soft(super().delete_many, None, keys, version)

    def clear(self):
        return self._soft(super().clear, False)

    def count(self, key, timeout, version=None):
        """Add one to the counter `key` (created at 1, expiring after `timeout`
        seconds from its first count); returns the new value, or None when
        Redis failed (intake/ratelimit.py then counts in the process)."""
        return self._soft(self._cache.count, None, self.make_and_validate_key(key, version=version), timeout)

    def extend(self, keys, timeout, version=None):
        """Make these keys live at least `timeout` more seconds; a key that is
        gone stays gone, a longer expiry is kept (EXPIRE … GT, Redis 7)."""
        keys = [self.make_and_validate_key(key, version=version) for key in keys]
        self._soft(self._cache.extend, None, keys, self.get_backend_timeout(timeout))
