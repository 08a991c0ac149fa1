"""Redis cannot be filled by anonymous visitors: every key their requests
write expires (the production issue's point on Redis).

`tests/test_redis_failure.py::test_every_key_the_site_writes_expires` drives
pages, 404s, listing filters, the registration form and purges. This drives
the other anonymous paths that write to the cache with values a visitor
chooses: searches, the page-view beacon, the admin's password reset and
login form, newsletter and thank-you links, and the embed form of unknown
municipalities, each from many client addresses.
"""

import random
import shutil

import pytest
from django.test import Client

from tasteget import pagecache
from tests.factories import ContentPageFactory
from tests.test_redis_failure import own_redis, redis_caches  # noqa: F401 - fixtures

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def test_what_anonymous_clients_make_the_site_remember_expires(redis_caches):  # noqa: F811
    page = ContentPageFactory()
    for number in range(60):
        word = f"z{random.getrandbits(40):x}"
        client = Client(REMOTE_ADDR=f"198.51.{number // 250}.{number % 250 + 1}")
        assert client.get("/sok/", {"q": word}).status_code == 200
        assert client.get("/en/search/", {"q": word, "sida": "2"}).status_code in (200, 404)
        client.post("/page-view", {"p": page.pk}, HTTP_SEC_FETCH_SITE="same-origin", HTTP_USER_AGENT=BROWSER)
        client.post("/admin/password_reset/", {"email": f"{word}@example.org"})
        client.post("/admin/login/", {"username": word, "password": word})
        client.get(f"/nyhetsbrev/bekrafta/{word}/")
        client.get(f"/nyhetsbrev/avsluta/{word}/")
        client.get("/embed/are/tack/", {"r": word})
        client.get(f"/embed/{word}/")

    redis_client = redis_caches.client()
    keys = list(redis_client.scan_iter(count=1000))
    # The paths did write (searches counted, views counted, reset limits kept).
    for scope in (b":window:search:", b":window:search-client:", b":window:page-view:", b":window:password-reset-"):
        assert any(scope in key for key in keys), scope
    pipeline = redis_client.pipeline(transaction=False)
    for key in keys:
        pipeline.ttl(key)
    ttls = dict(zip(keys, pipeline.execute(), strict=True))
    assert [key for key, ttl in ttls.items() if ttl == -1] == []  # none without an expiry
    assert max(ttls.values()) <= pagecache.generation_seconds()
