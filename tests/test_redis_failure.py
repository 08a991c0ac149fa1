"""A Redis failure is harmless, and everything the site keeps in Redis
expires.

Each test starts its own `redis-server` on a free port (never the shared
one), points the three caches (default, pages, renditions) at it, and
causes the fault itself: the process is stopped, or filled to its
`maxmemory`.
"""

import datetime
import logging
import random
import shutil
import socket
import subprocess
import time
import zoneinfo

import pytest
import redis
from django.core import mail
from django.core.cache import cache, caches
from django.http import HttpResponse
from django.test import Client

from intake import ratelimit
from intake.models import Delivery, Registration
from intake.work import send_daily_digests
from places.models import Adviser, Municipality
from stories.models import StoryIndexPage, StoryPage
from tasteget import pagecache, redis_cache, routing
from tests.conftest import GUIDANCE, form_values, run_worker
from tests.factories import RegistrationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test only: started, stopped, started again on one port."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, maxmemory="64mb", policy="allkeys-lru"):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--maxmemory",
                maxmemory,
                "--maxmemory-policy",
                policy,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_caches(own_redis, settings, monkeypatch):
    """The caches of production (base.py with REDIS_URL), on this test's Redis."""
    options = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
    default = {
        "BACKEND": "tasteget.redis_cache.RedisCache",
        "LOCATION": own_redis.url,
        "KEY_PREFIX": "tasteget",
        "OPTIONS": options,
    }
    settings.CACHES = {
        "default": default,
        "renditions": {
            **default,
            "BACKEND": "tasteget.rendition_cache.RenditionRedisCache",
            "KEY_PREFIX": "tasteget-renditions",
        },
        "pages": {**default, "KEY_PREFIX": "tasteget-pages", "TIMEOUT": 2 * 24 * 3600},
    }  # the setting_changed signal gives `caches` new connections
    monkeypatch.setattr(redis_cache, "_down_until", {})
    monkeypatch.setattr(redis_cache, "_logged_until", {})
    ratelimit.LOCAL.clear()  # a fresh local window
    assert isinstance(caches["pages"], redis_cache.RedisCache)
    return own_redis


def wait_out_the_back_off():
    time.sleep(redis_cache.BACKOFF_SECONDS + 0.1)


def story_url():
    return StoryPage.objects.live().filter(locale__language_code="sv").first().url


def test_pages_forms_registrations_and_the_admin_work_while_redis_is_down(
    redis_caches, django_user_model, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(redis_cache, "BACKOFF_SECONDS", 0.5)
    settings.CRM_FILE_PATH = tmp_path / "crm.jsonl"
    visitor = Client()
    story = story_url()
    assert visitor.get("/").status_code == 200
    assert visitor.get("/")["X-Page-Cache"] == "hit"

    redis_caches.stop()
    with caplog.at_level(logging.WARNING, logger="tasteget.redis_cache"):
        for path in ("/", "/en/", story, "/anmal-intresse/"):
            response = visitor.get(path)
            assert response.status_code == 200, path
            assert response.get("X-Page-Cache") != "hit", path
        form = visitor.get("/anmal-intresse/")
        with django_capture_on_commit_callbacks(execute=True):
            response = visitor.post("/anmal-intresse/", {**form_values(form.content.decode()), **GUIDANCE})
        assert response.status_code == 302
        registration = Registration.objects.get(email=GUIDANCE["email"])
        run_worker()
        assert set(Delivery.objects.filter(registration=registration).values_list("status", flat=True)) == {"delivered"}
        assert GUIDANCE["email"] in {address for message in mail.outbox for address in message.to}

        editor = Client()
        editor.force_login(django_user_model.objects.create_superuser("redis-down", "r@example.org", "a-long-pw-1"))
        assert editor.get("/admin/").status_code == 200
    failures = [record for record in caplog.records if record.name == "tasteget.redis_cache"]
    assert failures and all("ConnectionError" in record.getMessage() for record in failures)

    # Back on the same port, with no data: caching resumes without a restart.
    redis_caches.start()
    wait_out_the_back_off()
    assert visitor.get("/")["X-Page-Cache"] == "miss"
    assert visitor.get("/")["X-Page-Cache"] == "hit"


def test_a_dead_redis_is_not_asked_again_during_the_back_off_and_is_logged_once(redis_caches, caplog, monkeypatch):
    redis_caches.stop()
    calls = []
    client_class = redis_cache.RedisCacheClient
    original = client_class.get_many
    monkeypatch.setattr(client_class, "get_many", lambda self, keys: calls.append(keys) or original(self, keys))
    with caplog.at_level(logging.WARNING, logger="tasteget.redis_cache"):
        for _ in range(50):
            assert caches["pages"].get_many(["a", "b"]) == {}
            assert cache.get("a", "default") == "default"
            cache.set("a", 1)
            assert cache.add("a", 1) is False
    assert len(calls) == 1  # the first failure starts the back-off for every cache on that server
    assert len([record for record in caplog.records if record.name == "tasteget.redis_cache"]) == 1


def test_purges_raise_when_redis_cannot_be_written(redis_caches):
    """A purge must not be lost: home/purge.py sees the failure and keeps it."""
    pagecache.purge_paths(["/berg/"])
    pagecache.purge_all()
    pagecache.purge_topics(["advisers"])
    redis_caches.stop()
    with pytest.raises(redis.ConnectionError):
        pagecache.purge_paths(["/berg/"])
    with pytest.raises(redis.ConnectionError):
        pagecache.purge_all()
    with pytest.raises(redis.ConnectionError):
        pagecache.purge_topics(["advisers"])
    assert caches["pages"].get(pagecache.SITE_GENERATION_KEY) is None  # while reads are misses


def test_the_rate_limit_counts_in_the_process_while_redis_is_down(redis_caches, rf, settings):
    settings.INTAKE_RATE_LIMIT = 2
    request = rf.post("/", REMOTE_ADDR="203.0.113.77")
    assert ratelimit.allow(request)  # in Redis
    redis_caches.stop()
    assert [ratelimit.allow(request) for _ in range(3)] == [True, True, False]  # a new window in this process


def fill(server, policy):
    """Fill the test's Redis with keys of its own, without expiry, up to its maxmemory."""
    client = server.client()
    client.config_set("maxmemory", "4mb")
    client.config_set("maxmemory-policy", policy)
    value = b"x" * 4096
    for batch in range(10_000):
        pipeline = client.pipeline(transaction=False)
        for number in range(50):
            pipeline.set(f"filler:{batch}:{number}", value)
        try:
            pipeline.execute()
        except redis.exceptions.OutOfMemoryError:
            return  # full, as the old compose policy left it (volatile-lru, keys without expiry)
        if policy != "noeviction" and client.info("stats")["evicted_keys"] > 100:
            return
    raise AssertionError("Redis did not fill up")


def test_pages_answer_when_redis_is_full_and_cannot_evict(redis_caches):
    fill(redis_caches, "noeviction")
    client = redis_caches.client()
    with pytest.raises(redis.exceptions.OutOfMemoryError):  # full: writes fail (a little room may be left)
        for number in range(200):
            client.set(f"one-more:{number}", b"x" * 4096)
    visitor = Client()
    story = story_url()
    for path in ("/", "/en/", story, "/anmal-intresse/", "/", story):
        assert visitor.get(path).status_code == 200, path


def test_pages_are_cached_when_redis_is_full_and_evicts(redis_caches):
    fill(redis_caches, "allkeys-lru")
    # Redis's LRU clock ticks once a second: let the filler grow older than
    # what the pages write, so eviction takes filler, as it would take the
    # long-unused keys of a full production Redis.
    redis_caches.client().config_set("maxmemory-samples", 10)
    time.sleep(2.1)
    visitor = Client()
    story = story_url()
    for path in ("/", "/en/", story):
        assert visitor.get(path).status_code == 200, path
        assert visitor.get(path)["X-Page-Cache"] == "hit", path


def test_every_key_the_site_writes_expires(redis_caches, settings, rf):
    """Pages, parts, routes, generations, 404s, filtered listings, rate
    limits, purges: no key without a TTL, and those of made-up addresses
    short. First the whole stack for a hundred addresses, then the
    page cache's middleware directly for 20,000 (the render is stubbed: it
    is the keys that are counted, not the pages)."""
    visitor = Client()
    listing = StoryIndexPage.objects.get(locale__language_code="sv").url
    story = story_url()
    assert visitor.get(listing).status_code == 200
    for path in ("/", "/en/", story, "/anmal-intresse/"):
        assert visitor.get(path).status_code == 200
    for number in range(40):
        assert visitor.get(f"/finns-inte-{number}-{random.getrandbits(32):x}/").status_code == 404
        assert visitor.get(listing, {"kommun": f"x{random.getrandbits(40):x}"}).status_code == 200
        assert visitor.get(listing, {"sida": str(number + 2)}).status_code in (200, 404)
    pagecache.purge_paths([listing])
    pagecache.purge_all()
    pagecache.purge_topics(["municipalities"])
    ratelimit.allow(rf.post("/", REMOTE_ADDR="203.0.113.5"))
    Client().post("/anmal-intresse/", {**form_values(Client().get("/anmal-intresse/").content.decode()), **GUIDANCE})

    def render(request):
        """What the page view does with the cache: its route part, then an answer."""
        found = pagecache.page_part(
            request,
            "page-route:sv",
            lambda: (1, 1, 1, "sv", request.path, []) if request.path == listing else None,
            seconds=lambda found: routing.route_seconds(found, request.path),
        )
        if found is None:
            return HttpResponse("<p>Hittades inte</p>", status=404, content_type="text/html")
        return HttpResponse("<p>Berättelser</p>", content_type="text/html")

    middleware = pagecache.PageCacheMiddleware(render)
    factory = rf
    for number in range(20_000):
        kind = number % 3
        if kind == 0:
            request = factory.get(f"/saknas/{number}-{random.getrandbits(32):x}/")
        elif kind == 1:
            request = factory.get(listing, {"kommun": f"k{random.getrandbits(40):x}"})
        else:
            request = factory.get(listing, {"sida": str(number)})
        assert middleware(request).status_code in (200, 404)

    client = redis_caches.client()
    keys = list(client.scan_iter(count=1000))
    assert len(keys) > 20_000
    pipeline = client.pipeline(transaction=False)
    for key in keys:
        pipeline.ttl(key)
    ttls = dict(zip(keys, pipeline.execute(), strict=True))
    assert [key for key, ttl in ttls.items() if ttl == -1] == []  # none without an expiry
    assert max(ttls.values()) <= pagecache.generation_seconds()
    briefly = pagecache.generation_seconds(settings.PAGE_CACHE_404_SECONDS)
    made_up = [key for key in keys if b"saknas" in key or b"finns-inte" in key]
    assert len(made_up) > 6_000 and max(ttls[key] for key in made_up) <= briefly


def test_a_generation_outlives_what_is_stored_under_it(redis_caches, settings):
    visitor = Client()
    story = story_url()
    visitor.get(story)
    client = redis_caches.client()
    generation = caches["pages"].make_and_validate_key(pagecache.generation_key(story))
    assert client.ttl(generation) > settings.PAGE_CACHE_SECONDS  # extended past the page's own expiry
    # A generation that expired (or was evicted) is re-created as a new value: what it guarded is a miss.
    client.delete(generation)
    assert visitor.get(story)["X-Page-Cache"] == "miss"
    assert visitor.get(story)["X-Page-Cache"] == "hit"


STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_the_daily_digest_is_not_sent_again_after_a_redis_restart(redis_caches, settings, monkeypatch):
    monkeypatch.setattr(redis_cache, "BACKOFF_SECONDS", 0.5)
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    are = Municipality.objects.in_default_locale().get(slug="are")
    Adviser.objects.create(municipality=are, name="Extra", email="extra.are@example.org")
    RegistrationFactory(municipality=are, due_date=datetime.date(2026, 11, 20))
    thursday_morning = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=STOCKHOLM)
    assert "are" in send_daily_digests(thursday_morning)
    sent = len(mail.outbox)
    redis_caches.stop()
    assert "are" not in send_daily_digests(thursday_morning.replace(hour=9))  # Redis down
    redis_caches.start()  # back, empty
    wait_out_the_back_off()
    assert "are" not in send_daily_digests(thursday_morning.replace(hour=10))
    assert len(mail.outbox) == sent
    assert "are" in send_daily_digests(thursday_morning + datetime.timedelta(days=1))  # Friday


def test_markers_are_claimed_once_and_forgotten_after_their_use():
    from intake import markers
    from intake.models import Beacon

    assert markers.claim("digest:2026-11-26:1") and not markers.claim("digest:2026-11-26:1")
    assert markers.claim("relayed:token-1", {"fingerprint": "abc"})
    assert markers.detail("relayed:token-1") == {"fingerprint": "abc"}
    Beacon.objects.filter(key="relayed:token-1").update(at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    Beacon.objects.create(key="worker:w1", at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert markers.forget_old() == 1
    assert set(Beacon.objects.values_list("key", flat=True)) >= {"digest:2026-11-26:1", "worker:w1"}


def test_purges_still_raise_when_sentry_wraps_the_cache_methods(redis_caches):
    """Sentry's Django integration replaces a cache's methods on the instance
    (bound to it); the strict twin must not inherit those soft wrappers, or a
    purge during an outage is silently lost in production."""
    cache = caches["pages"]
    for name in ("get", "get_many", "set", "set_many"):
        original = getattr(cache, name)
        setattr(cache, name, lambda *args, _original=original, **kwargs: _original(*args, **kwargs))
    redis_caches.stop()
    with pytest.raises(redis.ConnectionError):
        pagecache.purge_paths(["/berg/"])
    assert cache.get("anything") is None  # the site's own reads stay misses
