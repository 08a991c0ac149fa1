"""The front cache (Varnish, deploy/varnish/default.vcl) purged exactly and
safely (21.9, 22.4, 22.9, 22.11), with real processes:

- our own `varnishd` (Debian's, `scripts/install-test-tools`) with the
  compose VCL, its backend pointed at a `manage.py runserver` of a copy of
  the test database (tests/stack.py), behind "the TLS proxy" (the tests send
  X-Forwarded-Proto themselves);
- pages published from another process (a `manage.py shell`), as the admin
  or housekeeping would: the PURGEs by surrogate key (xkey, varnish-modules)
  they send are what is tested;
- a cache outage caused for real: a Redis port where nothing listens, then
  our own redis-server on it; gunicorn stopped under Varnish.

What the tests show of soft and hard purges (deploy/varnish/default.vcl):
a publish drops its paths at once while gunicorn is healthy (the very next
request is a miss, rendered anew); a full-site purge only expires every page
and keeps it in grace, so the first reader after it still gets the old copy
at once while one background fetch renders the new one, and a request after
that fetch (we poll for it, a few seconds at most) gets the new page; while
gunicorn is down, every purge is soft and the pages stay served; a view
restriction drops everything at once.

The Varnish tests are skipped only where varnishd or varnish-modules (xkey)
is not installed.
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

from home.frontcache import MAX_KEYS_LENGTH, key_lists, path_key
from home.models import ContentPage, PendingPurge
from home.purge import retry_pending
from tasteget import pagecache
from tests.factories import ContentPageFactory
from tests.stack import ROOT, Stack, clone_test_database, free_port, wait_for

VARNISHD = shutil.which("varnishd") or next((p for p in ["/usr/sbin/varnishd"] if os.path.exists(p)), None)
XKEY = any(
    Path(d, "libvmod_xkey.so").exists() for d in ("/usr/lib/x86_64-linux-gnu/varnish/vmods", "/usr/lib/varnish/vmods")
)
needs_varnish = pytest.mark.skipif(
    VARNISHD is None or not XKEY, reason="varnishd or varnish-modules is not installed (scripts/install-test-tools)"
)
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

    def __init__(self, backend_port, token=TOKEN, port=None):
        self.work = Path(tempfile.mkdtemp(prefix="tasteget-test-varnish-"))
        self.work.chmod(0o755)  # varnishd's child runs as its own user
        (self.work / "default.vcl").write_text(vcl_for(backend_port))
        self.port = port or free_port()
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

    def varnish(self, port=None):
        varnish = Varnish(self.port, port=port)
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
            "print(json.dumps(list(PendingPurge.objects.values('targets', 'everything', 'at_once', 'paths'))))"
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


# --- A: a publish drops every variant of each path, at every Varnish -------------------


@needs_varnish
def test_a_story_published_makes_every_variant_of_the_story_index_fresh_at_once(site):
    varnish = site.varnish()
    variants = [STORIES, STORIES + "?kommun=are", STORIES + "?sida=2", STORIES + "?kommun=are&amne=familj"]
    for path in variants:
        assert "Flytten till Åre-fjällen" not in cached(varnish, path).text

    site.publish_story("Flytten till Åre-fjällen", "flytten-till-are-fjallen")

    for path in variants:
        fresh = varnish.get(path)
        assert fresh.headers["X-Front-Cache"] == "miss", path  # dropped at once: asked gunicorn again
        assert "xkey" not in fresh.headers  # the surrogate keys stay inside Varnish
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
def test_a_purge_while_the_backend_is_down_keeps_serving_the_cached_pages_then_refreshes_them(site):
    varnish = site.varnish()
    for path in (STORIES, STORIES + "?kommun=are"):
        cached(varnish, path)
    site.stop_web()
    wait_for(lambda: varnish.backend_is("sick"), timeout=30, what="the probe to see gunicorn down")

    site.publish_story("Medan servern sov", "medan-servern-sov")  # taken, softly: nothing is kept
    assert site.pending() == []
    site.shell("from home.purge import purge_everything\npurge_everything()\n")  # the menu changed, too

    for path in (STORIES, STORIES + "?kommun=are"):
        stale = varnish.get(path)
        assert stale.status_code == 200, path  # not 503: the page it has, in grace
        assert "Medan servern sov" not in stale.text

    site.start_web()
    wait_for(lambda: varnish.backend_is("healthy"), timeout=30, what="the probe to see gunicorn back")
    # The purge expired the pages: the first request renders them anew (or,
    # within 10 s of the purge, gets the stale copy once while one background
    # fetch does); nothing has to be sent again.
    # Each variant is its own object: each may be served stale once more.
    for path in (STORIES + "?kommun=are", STORIES):
        wait_for(lambda path=path: "Medan servern sov" in varnish.get(path).text, timeout=15, what=f"{path} anew")


@needs_varnish
def test_a_full_site_purge_serves_the_old_page_while_one_background_fetch_renders_the_new(site):
    varnish = site.varnish()
    for path in (STORIES, STORIES + "?sida=2"):
        cached(varnish, path)
    # Published with no Varnish told (the page cache is purged): Varnish still has the old list.
    site.publish_story("Fjällsommar", "fjallsommar", FRONTEND_CACHE_PURGE_URLS="")
    assert "Fjällsommar" not in varnish.get(STORIES).text

    site.shell("from home.purge import purge_everything\npurge_everything()\n")

    first = varnish.get(STORIES)
    assert first.status_code == 200
    assert first.headers["X-Front-Cache"] == "hit"  # from grace, at once: the reader did not wait
    assert "Fjällsommar" not in first.text
    # The background fetch the first reader started has stored the new list.
    wait_for(lambda: "Fjällsommar" in varnish.get(STORIES).text, timeout=15, what="the background fetch")
    fresh = varnish.get(STORIES)
    assert fresh.headers["X-Front-Cache"] == "hit" and "Fjällsommar" in fresh.text
    assert site.pending() == []


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
            for purge in ({"X-Purge-Everything": "hard"}, {"X-Purge-Keys": STORIES.upper()}, {}):
                refused = send(method, varnish.url + STORIES, {**purge, **headers})
                assert refused.status_code == 405, (method, headers, purge)
    assert varnish.get(STORIES).headers["X-Front-Cache"] == "hit"
    with_token = {"X-Purge-Token": TOKEN}
    assert send("BAN", varnish.url + "/", {"X-Ban-Everything": "yes", **with_token}).status_code == 405  # no bans
    assert send("PURGE", varnish.url + "/", {"X-Purge-Everything": "maybe", **with_token}).status_code == 400
    assert varnish.get(STORIES).headers["X-Front-Cache"] == "hit"
    taken = send("PURGE", varnish.url + "/", {"X-Purge-Keys": path_key(STORIES), **with_token})
    assert taken.status_code == 200
    assert varnish.get(STORIES).headers["X-Front-Cache"] == "miss"


@needs_varnish
def test_a_varnish_started_without_a_token_lets_nobody_purge(site):
    varnish = Varnish(site.port, token="")
    site.varnishes.append(varnish)
    refused = send("PURGE", varnish.url + "/", {"X-Purge-Everything": "hard", "X-Purge-Token": ""})
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


RESTRICT = """
from wagtail.models import PageViewRestriction
from stories.models import StoryIndexPage
index = StoryIndexPage.objects.get(locale__language_code='sv')
PageViewRestriction.objects.create(page=index, restriction_type='password', password='hemligt')
"""


@needs_varnish
def test_a_page_made_private_leaves_varnish_at_once_never_served_stale(site):
    varnish = site.varnish()
    for path in (STORIES, STORIES + "?kommun=are"):
        assert cached(varnish, path).status_code == 200
    site.shell(RESTRICT)
    for path in (STORIES + "?kommun=are", STORIES):
        after = varnish.get(path)
        assert after.headers["X-Front-Cache"] == "miss", path  # not the public list Varnish had
        assert 'name="password"' in after.text  # Wagtail's password form
    assert site.pending() == []


@needs_varnish
def test_a_restriction_change_kept_for_a_varnish_that_was_down_is_sent_at_once_later(site):
    port = free_port()
    site.shell(RESTRICT, FRONTEND_CACHE_PURGE_URLS=f"http://127.0.0.1:{port}")  # nothing listens there
    [kept] = site.pending()
    assert kept["everything"] and kept["at_once"]

    varnish = site.varnish(port=port)  # back, with a page to drop (stored before the purge arrives)
    cached(varnish, "/")
    site.stack.run("housekeeping", FRONTEND_CACHE_PURGE_URLS=varnish.url)
    assert site.pending() == []
    assert varnish.get("/").headers["X-Front-Cache"] == "miss"  # dropped, not kept in grace


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


# --- The surrogate keys ---------------------------------------------------------------------


def test_path_keys_are_the_percent_encoded_path_in_capitals_and_split_when_long():
    assert path_key("/sitemap.xml") == "/SITEMAP.XML"
    assert path_key("/berättelser/") == path_key("/ber%c3%a4ttelser/") == "/BER%C3%A4TTELSER/"
    assert path_key("/a,b/") == "/A%2CB/"  # xkey splits keys on commas and spaces
    lists = key_lists([f"/berattelser/story-{n}/" for n in range(400)] + ["/berattelser/story-0/"])
    assert len(lists) > 1 and all(len(keys) <= MAX_KEYS_LENGTH for keys in lists)
    assert sum(len(keys.split(" ")) for keys in lists) == 400
