"""The front cache (Varnish, deploy/varnish/default.vcl) purged exactly and
safely (21.9, 22.4, 22.9, 22.11), with real processes:

- our own `varnishd` (Debian's, `scripts/install-test-tools`) with the
  compose VCL, its backend pointed at a `manage.py runserver` of a copy of
  the test database (tests/stack.py), behind "the TLS proxy" (the tests send
  X-Forwarded-Proto themselves);
- pages published from another process (a `manage.py shell`), as the admin
  or housekeeping would: the BANs they send are what is tested;
- a cache outage caused for real: a Redis port where nothing listens, then
  our own redis-server on it; gunicorn stopped under Varnish.

The Varnish tests are skipped only where varnishd is not installed.
"""

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from home.frontcache import ban_patterns, path_pattern
from home.models import ContentPage, PendingPurge
from home.purge import retry_pending
from tasteget import pagecache
from tests.factories import ContentPageFactory
from tests.stack import ROOT, Stack, clone_test_database, free_port, wait_for

VARNISHD = shutil.which("varnishd") or next((p for p in ["/usr/sbin/varnishd"] if os.path.exists(p)), None)
needs_varnish = pytest.mark.skipif(VARNISHD is None, reason="varnishd is not installed (scripts/install-test-tools)")
TOKEN = "front-cache-test-token-0123456789"
STORIES = "/berattelser/"


def vcl_for(backend_port):
    """The compose VCL pointed at our backend, probing it often (a stopped backend is seen within ~2 s)."""
    vcl = (ROOT / "deploy" / "varnish" / "default.vcl").read_text()
    for old, new in {
        '.host = "web";': '.host = "127.0.0.1";',
        '.port = "8000";': f'.port = "{backend_port}";',
        ".interval = 5s;": ".interval = 0.5s;",
    }.items():
        assert old in vcl, old
        vcl = vcl.replace(old, new)
    return vcl


class Varnish:
    """Our own varnishd in front of 127.0.0.1:`backend_port`."""

    def __init__(self, backend_port, token=TOKEN):
        self.work = Path(tempfile.mkdtemp(prefix="tasteget-test-varnish-"))
        self.work.chmod(0o755)  # varnishd's child runs as its own user
        (self.work / "default.vcl").write_text(vcl_for(backend_port))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [VARNISHD, "-F", "-n", str(self.work / "instance"), "-a", f"127.0.0.1:{self.port}"]
            + ["-f", str(self.work / "default.vcl"), "-s", "malloc,32m"],
            env={**os.environ, "FRONTEND_CACHE_PURGE_TOKEN": token},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self.listening, timeout=60, what="varnishd")

    def listening(self):
        try:
            requests.get(self.url + "/healthz", timeout=5)
            return True
        except requests.ConnectionError:
            return False

    def get(self, path, proto="https"):
        return requests.get(self.url + path, headers={"X-Forwarded-Proto": proto}, allow_redirects=False, timeout=30)

    def backend_is(self, state):
        out = subprocess.run(
            ["varnishadm", "-n", str(self.work / "instance"), "backend.list"], capture_output=True, text=True
        ).stdout
        return state in out

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        shutil.rmtree(self.work, ignore_errors=True)


class Site:
    """The site's web process (runserver) on a copy of the test database, and
    `manage.py` commands that publish, purging the Varnish instances given."""

    def __init__(self, database_url, var_dir):
        self.stack = Stack(
            database_url,
            settings_module="tests.front_cache_settings",
            TASTEGET_VAR_DIR=var_dir,
            TASTEGET_SHARED_PAGE_CACHE="1",  # the web and the publishing process see the same page cache
            FRONTEND_CACHE_PURGE_TOKEN=TOKEN,
        )
        self.port = free_port()
        self.web = None
        self.varnishes = []

    def start_web(self):
        self.web = self.stack.start("runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}")
        wait_for(self.answering, timeout=120, what="runserver")

    def answering(self):
        try:
            return requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5).status_code == 200
        except requests.ConnectionError:
            return False

    def stop_web(self):
        os.killpg(self.web.pid, signal.SIGTERM)
        self.web.wait(timeout=20)

    def varnish(self):
        varnish = Varnish(self.port)
        self.varnishes.append(varnish)
        return varnish

    def shell(self, code, varnishes=None, **env):
        urls = ",".join(v.url for v in (self.varnishes if varnishes is None else varnishes))
        return self.stack.run("shell", "-v", "0", "-c", code, **{"FRONTEND_CACHE_PURGE_URLS": urls, **env})

    def publish_story(self, title, slug, **env):
        self.shell(
            "from places.models import Municipality\n"
            "from stories.models import StoryIndexPage\n"
            "from tests.factories import StoryPageFactory\n"
            "index = StoryIndexPage.objects.get(locale__language_code='sv')\n"
            "are = Municipality.objects.get(slug='are', locale__language_code='sv')\n"
            f"story = StoryPageFactory(parent=index, title={title!r}, slug={slug!r}, municipality=are, live=False)\n"
            "story.save_revision().publish()\n",
            **env,
        )

    def pending(self):
        return self.stack.python(
            "import json; from home.models import PendingPurge; "
            "print(json.dumps(list(PendingPurge.objects.values('targets', 'everything', 'paths'))))"
        )

    def close(self):
        self.stack.stop_all()
        for varnish in self.varnishes:
            varnish.stop()


@pytest.fixture
def database_url(django_db_setup, django_db_blocker, tmp_path):
    with django_db_blocker.unblock():
        url, drop = clone_test_database(connection, tmp_path)
    yield url
    with django_db_blocker.unblock():
        drop()


@pytest.fixture
def site(database_url, tmp_path):
    site = Site(database_url, tmp_path / "var")
    site.start_web()
    yield site
    site.close()


def cached(varnish, path):
    """`path` through `varnish` until it is a hit (the first answer stores it)."""
    first = varnish.get(path)
    assert first.status_code == 200, (path, first.status_code)
    second = varnish.get(path)
    assert second.headers["X-Front-Cache"] == "hit", path
    return second


def send(method, url, headers):
    return requests.request(method, url, headers=headers, timeout=30)


# --- A: a publish bans every variant of each path, at every Varnish --------------------


@needs_varnish
def test_a_story_published_makes_every_variant_of_the_story_index_fresh_at_once(site):
    varnish = site.varnish()
    variants = [STORIES, STORIES + "?kommun=are", STORIES + "?sida=2", STORIES + "?kommun=are&amne=familj"]
    for path in variants:
        assert "Flytten till Åre-fjällen" not in cached(varnish, path).text

    site.publish_story("Flytten till Åre-fjällen", "flytten-till-are-fjallen")

    for path in variants:
        assert varnish.get(path).headers["X-Front-Cache"] == "miss", path  # asked gunicorn again
    assert "Flytten till Åre-fjällen" in varnish.get(STORIES + "?kommun=are").text
    assert "Flytten till Åre-fjällen" in varnish.get(STORIES).text
    assert site.pending() == []


@needs_varnish
def test_a_purge_reaches_every_varnish_and_a_single_purge_url_still_works(site):
    first, second = site.varnish(), site.varnish()
    for varnish in (first, second):
        cached(varnish, STORIES + "?kommun=are")
    site.publish_story("Två cacher", "tva-cacher")  # FRONTEND_CACHE_PURGE_URLS: both
    for varnish in (first, second):
        assert "Två cacher" in varnish.get(STORIES + "?kommun=are").text

    cached(first, STORIES + "?kommun=are")
    site.publish_story("En cache", "en-cache", FRONTEND_CACHE_PURGE_URLS="", FRONTEND_CACHE_PURGE_URL=first.url)
    assert "En cache" in first.get(STORIES + "?kommun=are").text


# --- B and C: a purge while gunicorn is down ------------------------------------------


@needs_varnish
def test_a_purge_while_the_backend_is_down_keeps_serving_the_cached_page_and_is_sent_again(site):
    varnish = site.varnish()
    cached(varnish, STORIES + "?kommun=are")
    site.stop_web()
    wait_for(lambda: varnish.backend_is("sick"), timeout=30, what="the probe to see gunicorn down")

    site.publish_story("Medan servern sov", "medan-servern-sov")  # Varnish refuses the ban: kept

    stale = varnish.get(STORIES + "?kommun=are")
    assert stale.status_code == 200  # not 503: the page it has
    assert "Medan servern sov" not in stale.text
    pending = site.pending()
    assert [each["targets"] for each in pending] == [[varnish.url]]
    assert STORIES in pending[0]["paths"]

    site.start_web()
    wait_for(lambda: varnish.backend_is("healthy"), timeout=30, what="the probe to see gunicorn back")
    site.stack.run("housekeeping", FRONTEND_CACHE_PURGE_URLS=varnish.url)  # sends the kept purge
    assert site.pending() == []
    assert "Medan servern sov" in varnish.get(STORIES + "?kommun=are").text


@needs_varnish
def test_a_varnish_that_is_down_gets_the_purge_later(site):
    varnish = site.varnish()
    down = f"http://127.0.0.1:{free_port()}"
    cached(varnish, STORIES)
    site.shell(
        "from home.purge import purge_pages\n"
        "from stories.models import StoryIndexPage\n"
        "purge_pages(StoryIndexPage.objects.filter(locale__language_code='sv'))\n",
        varnishes=[varnish],
        FRONTEND_CACHE_PURGE_URLS=f"{varnish.url},{down}",
    )
    assert varnish.get(STORIES).headers["X-Front-Cache"] == "miss"  # the one that answered took it
    assert [each["targets"] for each in site.pending()] == [[down]]  # only the other is kept


# --- F: purges need the token ------------------------------------------------------------


@needs_varnish
def test_purge_and_ban_without_the_token_are_refused(site):
    varnish = site.varnish()
    cached(varnish, STORIES)
    for method in ("PURGE", "BAN"):
        for headers in ({}, {"X-Purge-Token": "wrong"}, {"X-Purge-Token": ""}):
            refused = send(method, varnish.url + STORIES, {"X-Ban-Everything": "yes", **headers})
            assert refused.status_code == 405, (method, headers)
    assert varnish.get(STORIES).headers["X-Front-Cache"] == "hit"
    taken = send("BAN", varnish.url + "/", {"X-Ban-Everything": "yes", "X-Purge-Token": TOKEN})
    assert taken.status_code == 200
    assert varnish.get(STORIES).headers["X-Front-Cache"] == "miss"


@needs_varnish
def test_a_varnish_started_without_a_token_lets_nobody_purge(site):
    varnish = Varnish(site.port, token="")
    site.varnishes.append(varnish)
    refused = send("BAN", varnish.url + "/", {"X-Ban-Everything": "yes", "X-Purge-Token": ""})
    assert refused.status_code == 405


# --- D: the redirect to HTTPS is never served on HTTPS -----------------------------------


@needs_varnish
def test_the_https_redirect_is_not_stored_nor_served_to_https_visitors(site):
    varnish = site.varnish()
    for _ in range(2):
        redirect = varnish.get("/", proto="http")
        assert redirect.status_code == 301
        assert redirect.headers["Location"].startswith("https://")
        assert "no-store" in redirect.headers["Cache-Control"]
        assert redirect.headers["X-Front-Cache"] == "miss"  # never stored
    page = varnish.get("/", proto="https")
    assert page.status_code == 200


@pytest.mark.django_db
def test_the_app_marks_its_https_redirect_no_store(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", secure=False)
    assert response.status_code == 301
    assert response["Cache-Control"] == "no-store, private"
    assert client.get("/", secure=True).status_code == 200


# --- E: a view restriction changed purges Varnish ----------------------------------------


@needs_varnish
def test_a_restriction_change_purges_varnish(site):
    varnish = site.varnish()
    story = cached(varnish, STORIES + "?kommun=are")
    assert story.status_code == 200
    site.shell(
        "from wagtail.models import PageViewRestriction\n"
        "from stories.models import StoryIndexPage\n"
        "index = StoryIndexPage.objects.get(locale__language_code='sv')\n"
        "PageViewRestriction.objects.create(page=index, restriction_type='password', password='hemligt')\n"
    )
    after = varnish.get(STORIES + "?kommun=are")
    assert after.headers["X-Front-Cache"] == "miss"  # not the public list Varnish had
    assert 'name="password"' in after.text  # Wagtail's password form


# --- C: the page cache (Redis) down during a publish --------------------------------------


@pytest.fixture
def dead_redis(settings):
    """The page cache on a Redis port where nothing listens; `start()` brings one up there."""
    port = free_port()
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "tasteget.redis_cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"},
    }
    processes = []

    def start():
        processes.append(
            subprocess.Popen(
                ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(lambda: ping(caches["pages"]), what="redis-server", timeout=20)

    yield start
    for process in processes:
        process.terminate()
        process.wait()


def ping(cache):
    try:
        pagecache.strictly(cache).set("ping", 1)  # the site's cache never raises: ask the strict twin
        return True
    except Exception:
        return False


@pytest.mark.django_db
def test_a_publish_during_a_redis_outage_is_kept_and_sent_again(dead_redis, django_capture_on_commit_callbacks):
    page = ContentPageFactory(title="Under avbrottet", slug="under-avbrottet", live=False)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # no exception: the page cache is down
    assert ContentPage.objects.get(pk=page.pk).live
    kept = PendingPurge.objects.get()
    assert kept.targets == ["pages"] and "/under-avbrottet/" in kept.paths

    assert retry_pending() == 1  # still down: kept, tried again
    assert PendingPurge.objects.get().attempts == 1

    dead_redis()
    assert retry_pending() == 0
    assert not PendingPurge.objects.exists()
    assert caches["pages"].get(pagecache.generation_key("/under-avbrottet/")) is not None  # the purge arrived


@pytest.mark.django_db
def test_housekeeping_publishes_a_scheduled_page_during_a_redis_outage(dead_redis, django_capture_on_commit_callbacks):
    page = ContentPageFactory(title="Schemalagd", slug="schemalagd", live=False)
    page.go_live_at = timezone.now() + timezone.timedelta(minutes=5)
    revision = page.save_revision()
    revision.publish()
    past = timezone.now() - timezone.timedelta(seconds=1)
    revision.content["go_live_at"] = past.isoformat()
    type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=past, content=revision.content)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("housekeeping")  # does not exit on the cache failure
    assert ContentPage.objects.get(pk=page.pk).live
    assert "/schemalagd/" in PendingPurge.objects.get().paths

    dead_redis()
    call_command("housekeeping")  # the next round sends it
    assert not PendingPurge.objects.exists()


# --- The ban expressions -------------------------------------------------------------------


def test_ban_patterns_match_exact_paths_percent_encoded_and_split_when_long():
    assert path_pattern("/sitemap.xml") == "/sitemap[.]xml"
    assert path_pattern("/berättelser/") == "/ber%C3%A4ttelser/"
    patterns = ban_patterns([f"/berattelser/story-{n}/" for n in range(400)])
    assert len(patterns) > 1 and all(len(p) <= 4000 for p in patterns)
    assert all(p.startswith("^(") and p.endswith(")$") for p in patterns)
    assert sum(p.count("|") + 1 for p in patterns) == 400
