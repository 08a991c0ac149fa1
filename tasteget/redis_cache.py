"""Django's Redis cache, without a new client object on every call.

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new
`redis.Redis` for each cache call (its connection pool is shared, but the
client copies a table of some 200 response callbacks each time): about a
quarter of a millisecond per call, and a request makes eight or nine. The
client is thread-safe and bound to its pool, which redis-py resets after a
fork, so one client per pool is kept.

`count` adds one to a counter that expires, in one round trip (Django's
`add` then `incr` take three); the rate limits use it (intake/ratelimit.py).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count(self, key, timeout, version=None):
        """Add one to the counter `key` (created at 1, expiring after `timeout`
        seconds from its first count); returns the new value."""
        return self._cache.count(self.make_and_validate_key(key, version=version), timeout)
