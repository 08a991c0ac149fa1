"""The site on two machines: two "nodes", each with its own gunicorn, task
worker and scheduler and its own var dir, sharing only what production
shares between machines (docs/deployment.md, "More than one machine"):
PostgreSQL (a copy of the test database, tests/stack.py), Redis (our own
redis-server), the S3 API (moto's server) for media, and the CRM (the
webhook fake, tests/fake_crm.py). Each node has its own Varnish with the
compose VCL; every process purges both (FRONTEND_CACHE_PURGE_URLS).

One run shows, in order:

- an image uploaded through node A's admin renders on node B's page, and
  its renditions answer 200 from the bucket;
- a story published on node A is fresh through both Varnishes at once, its
  municipality's filtered listing included;
- 300 registrations sent through both nodes at once, while the CRM answers
  503 for a while, reach it exactly once each (one webhook id each, no
  repeats) and none is lost;
- over the whole run, each periodic job ran once per period across the two
  schedulers, the pages scheduled to go live during the run were published
  once each, and no daily digest was sent twice.

PostgreSQL only: two machines never share a SQLite file. TWO_NODES_SECONDS
sets how long the schedulers run (default 90 s, with the minute jobs every
10 s and the hourly ones every 30 s through SCHEDULER_PERIODS);
`make two-nodes` runs 600 s with the jobs' real periods
(TWO_NODES_REAL_PERIODS=1) and prints the figures (docs/performance.md).
"""

import collections
import concurrent.futures
import contextlib
import datetime
import email
import email.policy
import io
import json
import logging
import os
import re
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import boto3
import psycopg
import pytest
import requests
from django.db import connection
from django.utils import timezone
from PIL import Image as PILImage

from tasteget import scheduling
from tasteget import storage as media_storage
from tests import fake_crm
from tests.conftest import GUIDANCE
from tests.security.test_front_cache import TOKEN, VARNISHD, Varnish
from tests.stack import PYTHON, ROOT, Stack, clone_test_database, free_port, wait_for
from tests.test_redis_failure import OwnRedis
from tests.test_scheduler import runs

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two machines share PostgreSQL, never a SQLite file"),
    pytest.mark.skipif(VARNISHD is None, reason="varnishd is not installed (scripts/install-test-tools)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

SECONDS = int(os.environ.get("TWO_NODES_SECONDS", "90"))
REAL_PERIODS = os.environ.get("TWO_NODES_REAL_PERIODS", "") not in ("", "0")
REGISTRATIONS = int(os.environ.get("TWO_NODES_REGISTRATIONS", "300"))
# How long the CRM answers 503 once the registrations start.
CRM_DOWN_SECONDS = int(os.environ.get("TWO_NODES_CRM_DOWN_SECONDS", "20"))
SECRET = "whsec_YS0zMi1ieXRlLWxvbmctdGVzdC1zaWduaW5nLWtleSE="
KEYS = {"aws_access_key_id": "two-nodes-key", "aws_secret_access_key": "two-nodes-secret"}
FORM = "/anmal-intresse/"
HIDDEN = re.compile(r'name="(form_token|consent_version|csrfmiddlewaretoken)" value="([^"]+)"')
HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS proxy in front of Varnish adds


def shortened_periods():
    """Minute jobs every 10 s, hourly ones every 30 s; daily ones keep their day."""
    periods = {}
    for job in scheduling.registered():
        if job.period <= scheduling.MINUTE:
            periods[job.name] = 10
        elif job.period <= scheduling.HOUR:
            periods[job.name] = 30
    return periods


class Node:
    """One machine: gunicorn, a task worker and a scheduler, with a var dir of its own."""

    def __init__(self, name, database_url, work, **env):
        self.name = name
        self.var = work / name
        self.var.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stack = Stack(database_url, settings_module="tests.two_nodes_settings", TASTEGET_VAR_DIR=self.var, **env)
        self.logs = []

    def log(self, role):
        path = self.var / f"{role}.log"
        self.logs.append(path.open("w"))
        return path, self.logs[-1]

    def start(self):
        _, web_log = self.log("web")
        gunicorn = [str(Path(PYTHON).parent / "gunicorn"), "tasteget.wsgi:application"]
        web = subprocess.Popen(
            [*gunicorn, "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--timeout", "120"],
            cwd=ROOT,
            env=self.stack.env,
            stdout=web_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.stack.processes.append(web)
        _, worker_log = self.log("worker")
        self.stack.start("run_worker", "--queue-name", "*", log=worker_log)
        self.scheduler_log, scheduler_log = self.log("scheduler")
        self.scheduler = self.stack.start("run_scheduler", "--tick", "1", log=scheduler_log)

    def up(self):
        try:
            return requests.get(self.url + "/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def get(self, path, session=None):
        return (session or requests).get(self.url + path, headers=HTTPS, allow_redirects=False, timeout=60)

    def stop(self):
        self.stack.stop_all()
        for file in self.logs:
            file.close()


class Cluster:
    def __init__(self, database_url, work):
        self.database_url = database_url
        self.work = work
        self.closing = contextlib.ExitStack()

    def sql(self, query, *params):
        with psycopg.connect(self.database_url, autocommit=True) as db:
            return db.execute(query, params).fetchall()

    def start(self):
        self.began = time.monotonic()
        close = self.closing.callback
        self.redis = OwnRedis(self.work)
        self.redis.start(maxmemory="128mb")
        close(self.redis.stop)

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        close(moto.stop)
        host, port = moto.get_host_and_port()
        s3_url = f"http://{host}:{port}"
        bucket = "two-nodes-media"
        self.s3 = boto3.client("s3", endpoint_url=s3_url, region_name="eu-north-1", **KEYS)
        self.s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
        self.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(media_storage.public_read_policy(bucket)))
        self.media_url = f"{s3_url}/{bucket}/"

        self.crm = fake_crm.start()
        close(self.crm.shutdown)

        # Each Varnish in front of one node, as two cache machines behind a
        # load balancer; the nodes' ports are chosen first.
        env = {
            "REDIS_URL": self.redis.url,
            "TASTEGET_SHARED_PAGE_CACHE": "1",
            "MEDIA_S3_BUCKET": bucket,
            "MEDIA_S3_ENDPOINT_URL": s3_url,
            "MEDIA_S3_REGION": "eu-north-1",
            "MEDIA_S3_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
            "MEDIA_S3_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
            "MEDIA_PUBLIC_URL": self.media_url,
            "CRM_BACKEND": "webhook",
            "CRM_WEBHOOK_URL": self.crm.url + "/hook",
            "CRM_WEBHOOK_SECRET": SECRET,
            # A send is cut after 10 s; its claim lasts 20 s, so the sweep
            # never takes a send that is still under way on a loaded machine.
            "CRM_DELIVERY_DEADLINE_SECONDS": "10",
            "CRM_LEASE_MARGIN_SECONDS": "10",
            "CRM_SWEEP_GRACE_SECONDS": "5",
            "FRONTEND_CACHE_PURGE_TOKEN": TOKEN,
        }
        if not REAL_PERIODS:
            env["SCHEDULER_PERIODS"] = json.dumps(shortened_periods())
        self.a = Node("a", self.database_url, self.work, **env)
        self.b = Node("b", self.database_url, self.work, **env)
        self.varnishes = [Varnish(node.port) for node in (self.a, self.b)]
        for varnish in self.varnishes:
            close(varnish.stop)
        purge_urls = ",".join(varnish.url for varnish in self.varnishes)
        for node in (self.a, self.b):
            node.stack.env["FRONTEND_CACHE_PURGE_URLS"] = purge_urls
            close(node.stop)
            node.start()
        for node in (self.a, self.b):
            wait_for(node.up, timeout=180, every=0.5, what=f"node {node.name}'s gunicorn")

    def close(self):
        self.closing.close()


@pytest.mark.django_db  # (also makes pytest-django set up the database the nodes copy)
def test_the_short_run_shortens_every_minute_and_hourly_job_and_keeps_the_daily_ones():
    periods = shortened_periods()
    assert periods["publish_scheduled"] == periods["daily_digests"] == periods["sweep_deliveries"] == 10
    assert periods["prune_task_results"] == 30
    assert "clearsessions" not in periods


@pytest.fixture
def database_url(django_db_setup, django_db_blocker, tmp_path):
    with django_db_blocker.unblock():
        url, drop = clone_test_database(connection, tmp_path)
    yield url
    with django_db_blocker.unblock():
        drop()


@pytest.fixture
def cluster(database_url, tmp_path):
    cluster = Cluster(database_url, tmp_path)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


def test_two_nodes_share_one_site(cluster):
    a, b = cluster.a, cluster.b
    figures = {"seconds": SECONDS, "real_periods": REAL_PERIODS}
    # The schedulers' window opens at their first run (from then on at least one is up).
    wait_for(lambda: runs(a.scheduler_log, b.scheduler_log), timeout=180, every=0.5, what="a first scheduled run")
    opened = timezone.now()
    scheduled = schedule_pages(a)

    phases = figures["phase_seconds"] = {"start": round(time.monotonic() - cluster.began)}
    for phase in (
        upload_on_a_renders_on_b,
        published_on_a_is_fresh_through_both_varnishes,
        registrations_reach_the_crm_once,
    ):
        began = time.monotonic()
        phase(cluster, figures)
        phases[phase.__name__] = round(time.monotonic() - began)

    # The scheduled pages went live (a loaded machine may have started them late), ...
    wait_for(
        lambda: (
            cluster.sql("SELECT count(*) FROM wagtailcore_page WHERE live AND id = ANY(%s)", scheduled)[0][0]
            == len(scheduled)
        ),
        timeout=SECONDS + 180,
        every=1,
        what="the scheduled pages live",
    )
    # ... the rest of the window, then the schedulers stop (the job that runs ends first).
    wait_for(
        lambda: timezone.now() >= opened + datetime.timedelta(seconds=SECONDS) + datetime.timedelta(seconds=1),
        timeout=SECONDS + 60,
        every=1,
        what="the end of the run",
    )
    closed = timezone.now()
    for node in (a, b):
        node.scheduler.terminate()
        node.scheduler.wait(timeout=120)
    jobs_ran_once_per_period(cluster, opened, closed, scheduled, figures)
    print("two nodes:", json.dumps(figures, indent=1))


def schedule_pages(node):
    """Three pages published on node A to go live during the run; their ids."""
    offsets = [SECONDS * share for share in (0.3, 0.5, 0.7)]
    tag = uuid.uuid4().hex[:6]
    return node.stack.python(
        "import datetime, json\n"
        "from django.utils import timezone\n"
        "from home.models import HomePage\n"
        "from tests.factories import ContentPageFactory\n"
        "home = HomePage.objects.get(locale__language_code='sv')\n"
        "ids = []\n"
        f"for number, offset in enumerate({offsets!r}):\n"
        "    page = ContentPageFactory(\n"
        f"        parent=home, title=f'Schemalagd {{number}}', slug=f'schemalagd-{tag}-{{number}}', live=False\n"
        "    )\n"
        "    page.go_live_at = timezone.now() + datetime.timedelta(seconds=offset)\n"
        "    page.save_revision().publish()\n"
        "    ids.append(page.pk)\n"
        "print(json.dumps(ids))\n"
    )


def png(name):
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), (30, 110, 70)).save(buffer, format="PNG")
    return name, buffer.getvalue(), "image/png"


def upload_on_a_renders_on_b(cluster, figures):
    a, b = cluster.a, cluster.b
    password = uuid.uuid4().hex
    a.stack.run(
        "createsuperuser",
        "--noinput",
        "--username",
        "two-nodes",
        "--email",
        "editor@example.org",
        DJANGO_SUPERUSER_PASSWORD=password,
    )
    session = requests.Session()
    login = a.get("/admin/login/", session)
    token = dict(HIDDEN.findall(login.text))["csrfmiddlewaretoken"]
    referer = {**HTTPS, "Referer": f"https://127.0.0.1:{a.port}/admin/login/"}
    signed_in = session.post(
        a.url + "/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": "two-nodes", "password": password},
        headers=referer,
        allow_redirects=False,
        timeout=60,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    form = a.get("/admin/images/add/", session)
    assert form.status_code == 200, form.status_code
    collection = re.search(r'name="collection"[^>]*>\s*<option value="(\d+)"', form.text)
    uploaded = session.post(
        a.url + "/admin/images/add/",
        data={
            "csrfmiddlewaretoken": dict(HIDDEN.findall(form.text))["csrfmiddlewaretoken"],
            "title": "Två noder",
            **({"collection": collection.group(1)} if collection else {}),
        },
        files={"file": png("tvanoder.png")},
        headers={**HTTPS, "Referer": f"https://127.0.0.1:{a.port}/admin/images/add/"},
        allow_redirects=False,
        timeout=120,
    )
    assert uploaded.status_code == 302, uploaded.text[:3000]
    ((image_id, original),) = cluster.sql("SELECT id, file FROM wagtailimages_image WHERE title = %s", "Två noder")
    assert cluster.s3.head_object(Bucket="two-nodes-media", Key=original)["ContentLength"] > 0
    assert not list(a.var.glob("**/tvanoder*")), "the upload stayed on node A's disk"

    # Either node's worker makes the renditions (home/renditions.py); then A publishes a story with it.
    wanted = int(a.stack.python("import json; from home import renditions; print(len(renditions.filter_specs()))"))
    wait_for(
        lambda: (
            cluster.sql("SELECT count(*) FROM wagtailimages_rendition WHERE image_id = %s", image_id)[0][0] >= wanted
        ),
        timeout=180,
        every=1,
        what="the renditions",
    )
    path = a.stack.python(
        "import json\n"
        "from places.models import Municipality\n"
        "from stories.models import StoryIndexPage\n"
        "from tests.factories import StoryPageFactory\n"
        "from wagtail.images import get_image_model\n"
        "index = StoryIndexPage.objects.get(locale__language_code='sv')\n"
        "are = Municipality.objects.get(slug='are', locale__language_code='sv')\n"
        f"story = StoryPageFactory(parent=index, title='Bilden från nod A', slug='bilden-fran-nod-a', "
        f"municipality=are, hero_image=get_image_model().objects.get(pk={image_id}), live=False)\n"
        "story.save_revision().publish()\n"
        "print(json.dumps(story.url))\n"
    )
    page = b.get(path)
    assert page.status_code == 200, (path, page.status_code)
    linked = sorted(set(re.findall(re.escape(cluster.media_url) + r"images/tvanoder[^\s\"',]+", page.text)))
    assert linked, "node B's page links no rendition in the bucket"
    for url in linked:
        fetched = requests.get(url, timeout=30)  # anonymous, as a browser asks
        assert fetched.status_code == 200, url
        assert fetched.headers["Content-Type"] in {"image/webp", "image/jpeg"}
    figures["image"] = {"renditions_linked_on_b": len(linked), "all_answer_200": True}


def published_on_a_is_fresh_through_both_varnishes(cluster, figures):
    paths = ["/berattelser/", "/berattelser/?kommun=are"]
    for varnish in cluster.varnishes:
        for path in paths:
            first = varnish.get(path)
            assert first.status_code == 200, (path, first.status_code)
            wait_for(lambda v=varnish, p=path: v.get(p).headers.get("X-Front-Cache") == "hit", what=f"{path} cached")
            assert "Publicerad på nod A" not in varnish.get(path).text
    cluster.a.stack.python(
        "from places.models import Municipality\n"
        "from stories.models import StoryIndexPage\n"
        "from tests.factories import StoryPageFactory\n"
        "index = StoryIndexPage.objects.get(locale__language_code='sv')\n"
        "are = Municipality.objects.get(slug='are', locale__language_code='sv')\n"
        "story = StoryPageFactory(parent=index, title='Publicerad på nod A', slug='publicerad-pa-nod-a', "
        "municipality=are, live=False)\n"
        "story.save_revision().publish()\n"
    )
    # At once: no wait, both Varnishes and both nodes' shared page cache.
    stale = [
        (varnish.url, path)
        for varnish in cluster.varnishes
        for path in paths
        if "Publicerad på nod A" not in varnish.get(path).text
    ]
    assert stale == []
    pending = cluster.sql("SELECT count(*) FROM home_pendingpurge")[0][0]
    assert pending == 0, "a purge did not reach a Varnish"
    figures["front_cache"] = {"varnishes": len(cluster.varnishes), "paths": paths, "stale_after_publish": 0}


def submit(node, number):
    """Load the guidance form from `node` and send it: the POST's status."""
    session = requests.Session()
    for attempt in range(3):
        try:
            page = node.get(FORM, session)
            assert page.status_code == 200, page.status_code
            data = {**GUIDANCE, **dict(HIDDEN.findall(page.text)), "email": f"two-nodes-{number}@example.org"}
            sent = session.post(
                node.url + FORM,
                data=data,
                headers={**HTTPS, "Referer": f"https://127.0.0.1:{node.port}{FORM}"},
                allow_redirects=False,
                timeout=120,
            )
            return sent.status_code
        except requests.ConnectionError:
            # Never sent: nothing stored, so sending again is what a visitor would do.
            if attempt == 2:
                raise
    return None


def registrations_reach_the_crm_once(cluster, figures):
    crm = cluster.crm
    crm.plan = [(503, {"Retry-After": "1"}, b"Service Unavailable")] * 1_000_000
    recovered = None

    def recover():
        nonlocal recovered
        crm.plan = []
        recovered = time.monotonic()

    started = time.monotonic()
    comeback = threading.Timer(CRM_DOWN_SECONDS, recover)  # the CRM comes back while the sends go on
    comeback.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            answers = list(
                pool.map(lambda number: submit((cluster.a, cluster.b)[number % 2], number), range(REGISTRATIONS))
            )
        submitted = time.monotonic() - started
        comeback.join()
    finally:
        comeback.cancel()
    accepted = answers.count(302)
    assert accepted == REGISTRATIONS, collections.Counter(answers)

    ours = "SELECT id FROM intake_registration WHERE email LIKE 'two-nodes-%%@example.org'"
    stored = {str(pk) for (pk,) in cluster.sql(ours)}

    def delivered():
        open_, done = cluster.sql(
            "SELECT count(*) FILTER (WHERE d.status <> 'delivered'), "
            "count(DISTINCT d.registration_id) FILTER (WHERE d.status = 'delivered') "
            "FROM intake_delivery d JOIN intake_registration r ON r.id = d.registration_id "
            "WHERE d.channel = 'crm' AND r.email LIKE 'two-nodes-%%@example.org'"
        )[0]
        return not open_ and done == len(stored)

    wait_for(delivered, timeout=300, every=1, what="every registration delivered")
    drained = time.monotonic() - recovered
    # Every request to the hook that was not taken was answered 503.
    refused = sum(1 for request in crm.requests if request["path"] == "/hook") - len(crm.received)
    assert refused > 0, "the CRM never answered 503"
    ids, arrivals = collections.defaultdict(set), collections.Counter()
    for webhook_id, registration_id, _ in list(crm.received):
        if str(registration_id) in stored:
            ids[str(registration_id)].add(webhook_id)
            arrivals[str(registration_id)] += 1
    duplicated = sum(1 for pk in stored if len(ids[pk]) > 1)
    repeated = sum(arrivals[pk] - len(ids[pk]) for pk in stored)
    lost = accepted - len(stored)
    figures["registrations"] = {
        "sent": REGISTRATIONS,
        "accepted": accepted,
        "stored": len(stored),
        "crm_received": sum(1 for pk in stored if ids[pk]),
        "crm_503_answers": refused,
        "duplicated_webhook_ids": duplicated,
        "repeated_same_id": repeated,
        "lost": lost,
        "submit_seconds": round(submitted, 1),
        "crm_down_seconds": round(recovered - started, 1),
        "all_delivered_after_recovery_seconds": round(drained, 1),
    }
    assert lost == 0 and len(stored) == REGISTRATIONS
    assert all(ids[pk] for pk in stored), "a registration never reached the CRM"
    assert duplicated == 0, "a registration reached the CRM under two webhook ids"
    assert repeated == 0, "the CRM received a webhook id again (no cut happened in this run)"


def digests_sent(cluster):
    """The daily digests in both nodes' mail directories: {subject: count}."""
    subjects = collections.Counter()
    for node in (cluster.a, cluster.b):
        for path in (node.var / "mail").glob("*.log"):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    subject = email.message_from_bytes(chunk.strip(), policy=email.policy.default)["Subject"] or ""
                    if "anmälningar väntar i" in subject:
                        subjects[subject] += 1
    return subjects


def jobs_ran_once_per_period(cluster, opened, closed, scheduled, figures):
    a, b = cluster.a, cluster.b
    logs = (a.scheduler_log, b.scheduler_log)
    seen = runs(*logs)
    counts = collections.Counter(seen)
    periods = {
        name: int(period)
        for name, period in (
            line.split("\t") for line in a.stack.run("run_scheduler", "--list").splitlines() if "\t" in line
        )
    }
    twice = [run for run, count in counts.items() if count > 1]
    assert twice == []
    slots = 0
    for name, period in periods.items():
        start = scheduling.slot(opened, period) + datetime.timedelta(seconds=period)
        while start + datetime.timedelta(seconds=period) <= closed:
            assert counts[(name, start.isoformat())] == 1, (name, start.isoformat(), sorted(seen))
            slots += 1
            start += datetime.timedelta(seconds=period)
    by_node = {node.name: len(runs(node.scheduler_log)) for node in (a, b)}
    assert all(by_node.values()), f"one scheduler never ran a job: {by_node}"

    # Published by the scheduler (Wagtail logs "wagtail.publish.scheduled"), once, and never by hand.
    published = cluster.sql(
        "SELECT page_id, action, count(*) FROM wagtailcore_pagelogentry "
        "WHERE action IN ('wagtail.publish', 'wagtail.publish.scheduled') AND page_id = ANY(%s) "
        "GROUP BY page_id, action",
        scheduled,
    )
    assert sorted(published) == sorted((pk, "wagtail.publish.scheduled", 1) for pk in scheduled), published
    live = cluster.sql("SELECT count(*) FROM wagtailcore_page WHERE live AND id = ANY(%s)", scheduled)[0][0]
    assert live == len(scheduled)

    # Digests: queued once (the marker) and e-mailed once, by whichever node's worker.
    wait_for(
        lambda: (
            not cluster.sql(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')"
            )[0][0]
        ),
        timeout=120,
        every=1,
        what="the queue emptied",
    )
    digests = digests_sent(cluster)
    claimed = cluster.sql("SELECT count(*) FROM intake_beacon WHERE key LIKE 'digest:%%'")[0][0]
    assert [subject for subject, count in digests.items() if count > 1] == []
    assert sum(digests.values()) == claimed
    figures["scheduler"] = {
        "window_seconds": round((closed - opened).total_seconds()),
        "runs": len(seen),
        "runs_by_node": by_node,
        "whole_periods_checked": slots,
        "runs_twice_in_one_period": 0,
        "scheduled_pages_published_once": len(scheduled),
        "digests_sent": sum(digests.values()),
        "digests_sent_twice": 0,
    }
