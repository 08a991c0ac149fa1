"""The rendition cache: Wagtail's, without a write on every hit.

Wagtail 8 (`AbstractImage.get_renditions`) writes every rendition it found
back to the cache unless the rendition carries `_from_cache`, which it sets
only for prefetched renditions; renditions read from the cache itself are
written back at once. On a page with six images that is six extra round
trips to Redis per render. These backends mark what they return as read
from the cache, so a hit is one `get_many` and nothing more.
"""

import contextlib

from django.core.cache.backends.locmem import LocMemCache

from .redis_cache import RedisCache


class MarksHits:
    def get_many(self, keys, version=None):
        found = super().get_many(keys, version=version)
        for value in found.values():
            with contextlib.suppress(AttributeError):  # not a rendition (nothing else is stored here)
                value._from_cache = True
        return found


class RenditionRedisCache(MarksHits, RedisCache):
    pass


class RenditionLocMemCache(MarksHits, LocMemCache):
    pass
