"""Benchmark: public pages, cached and uncached, against a static file.

Starts the site as in production (gunicorn, production settings, DEBUG off,
PostgreSQL, Redis), fills it with many stories and ambassadors, and measures
with `wrk` (`make bench-tools` installs it and Varnish; without it, a slower
Python client whose rates compare within one run only): home, a municipality page, a story,
the stories index with a filter, search, an Arabic guide, and a static file
through whitenoise in the same run; first with the page cache on (warm), then
with PAGE_CACHE_ENABLED=false (every request rendered). Each page's rate is
printed as a ratio of the static file's. Last, a burst: 200 connections on the
home page (p99, errors).

    .venv/bin/python bench/pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/tasteget_pages --redis-url redis://127.0.0.1:6379/9

The database is created if missing; stories are added up to --stories.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("home", "/"),
    ("municipality", "/are/"),
    ("story", "/berattelser/fjallen-och-familjen/"),
    ("stories, filtered", "/berattelser/?kommun=are&amne=familj"),
    ("search", "/sok/?q=fjall"),
    ("guide in Arabic", "/ar/international-house/first-weeks/"),
]
FILL = """
import datetime
from django.utils import timezone
from ambassadors.models import Ambassador
from places.models import Municipality
from stories.models import StoryIndexPage, StoryPage
wanted, ambassadors = {stories}, {ambassadors}
index = StoryIndexPage.objects.get(locale__language_code="sv")
places = list(Municipality.objects.in_default_locale().exclude(kind="region"))
have = StoryPage.objects.filter(locale__language_code="sv").count()
for n in range(have, wanted):
    index.add_child(instance=StoryPage(
        title=f"Berättelse {{n}}", slug=f"bench-{{n}}", intro="En till som tog steget till fjällen.",
        people=f"Person {{n}}", municipality=places[n % len(places)],
        date=datetime.date(2020, 1, 1) + datetime.timedelta(days=n % 2000)))
    index.refresh_from_db()
have = Ambassador.objects.count()
Ambassador.objects.bulk_create(
    Ambassador(name=f"Ambassadör {{n}}", municipality=places[n % len(places)], text="Hej!",
               email=f"a{{n}}@example.org", consent_given_at=timezone.now(), is_published=True)
    for n in range(have, ambassadors))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(url, connections, seconds, threads=2):
    """(requests/s, p99 ms, errors) from wrk's output; without wrk, from
    `python_load` (a slower client: compare rates of the same run only)."""
    if not shutil.which("wrk"):
        return python_load(url, connections, seconds, processes=threads)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99_ms, errors + (int(non2xx.group(1)) if non2xx else 0)


def _load_worker(url, connections, seconds, queue):
    """One process of `python_load`: `connections` threads, each on one kept-alive connection."""
    import http.client
    import threading
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    stop = time.monotonic() + seconds
    latencies, errors, lock = [], [0], threading.Lock()

    def run():
        connection, own, failed = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10), [], 0
        while time.monotonic() < stop:
            began = time.monotonic()
            try:
                connection.request("GET", target, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                own.append(time.monotonic() - began)
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        with lock:
            latencies.extend(own)
            errors[0] += failed

    threads = [threading.Thread(target=run) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((latencies, errors[0]))


def python_load(url, connections, seconds, processes=2):
    """(requests/s, p99 ms, errors) like `wrk`, from Python processes with threads."""
    import multiprocessing

    queue = multiprocessing.Queue()
    share = max(1, connections // processes)
    workers = [
        multiprocessing.Process(target=_load_worker, args=(url, share, seconds, queue)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    latencies, errors = [], 0
    for _ in workers:
        own, failed = queue.get()
        latencies.extend(own)
        errors += failed
    for worker in workers:
        worker.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0
    return len(latencies) / seconds, p99, errors


def start(env, port, workers, wait_seconds=20):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tasteget.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--preload",
            "--access-logfile",
            "-" if env.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    return answering(server, port, wait_seconds)


def answering(server, port, seconds=20):
    """`server` once /healthz answers on `port`; exits when it never does."""
    for _ in range(int(seconds / 0.2)):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still loading
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def start_varnish(backend_port, token=""):
    """Varnish with the compose VCL, pointed at this gunicorn (None without varnishd);
    it takes purges with X-Purge-Token `token` (none: nobody may purge)."""
    if not shutil.which("varnishd"):
        return None, None
    work = Path(tempfile.mkdtemp(prefix="tasteget-bench-varnish-"))
    work.chmod(0o755)  # varnishd drops to its own user
    vcl = (ROOT / "deploy" / "varnish" / "default.vcl").read_text()
    vcl = vcl.replace('.host = "web";', '.host = "127.0.0.1";').replace('.port = "8000";', f'.port = "{backend_port}";')
    (work / "default.vcl").write_text(vcl)
    port = free_port()
    varnish = subprocess.Popen(
        ["varnishd", "-F", "-a", f"127.0.0.1:{port}", "-f", str(work / "default.vcl"), "-s", "malloc,64m"]
        + ["-n", str(work / "instance")],
        env={**os.environ, "FRONTEND_CACHE_PURGE_TOKEN": token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return varnish, port
        except requests.ConnectionError:
            time.sleep(0.2)
    varnish.terminate()
    print("varnishd did not start: no front-cache figures")
    return None, None


def production_env(database_url, redis_url, static_prefix):
    """The environment of the site as in production (no TLS, the CRM down), and its STATIC_ROOT."""
    static_root = tempfile.mkdtemp(prefix=static_prefix)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": static_root,
        "SECURE_SSL_REDIRECT": "false",
        "CRM_BACKEND": "webhook",
        "MEDIA_STORAGE": "filesystem",  # no bucket on a bench machine (docs/deployment.md)
        "CRM_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/down",
        "CRM_WEBHOOK_SECRET": "whsec_YmVuY2gtb25seS1zZWNyZXQta2V5LTMyLWJ5dGVzIQ==",
        "LOG_LEVEL": "WARNING",
        "EMAIL_HOST": "localhost",  # production requires one; no mail is sent here
        "ERASURE_LEDGER_DIR": tempfile.mkdtemp(prefix="tasteget-bench-ledger-"),
    }
    env.pop("TASTEGET_DEVELOPMENT", None)
    return env, static_root


def set_up(env, database_url, measure_only):
    """Create the database if missing; collect static files; unless `measure_only`, migrate and load the demo."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    name = database_url.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    setup = [["collectstatic", "--noinput"]]
    if not measure_only:
        setup = [["migrate", "--noinput"], *setup, ["load_demo_content"]]
    for command in setup:
        subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--stories", type=int, default=10000)
    parser.add_argument("--ambassadors", type=int, default=220)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--burst-seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="the database is filled already (load_demo_content would alias every story)",
    )
    parser.add_argument("--modes", default="cached,uncached", help="which halves to run")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Give --database-url postgres://… (the target is measured on PostgreSQL).")

    env, static_root = production_env(args.database_url, args.redis_url, "tasteget-bench-static-")
    manage = [sys.executable, str(ROOT / "manage.py")]
    name = args.database_url.rsplit("/", 1)[1]
    set_up(env, args.database_url, args.measure_only)
    if not args.measure_only:
        fill = FILL.format(stories=args.stories, ambassadors=args.ambassadors)
        subprocess.run([*manage, "shell", "-c", fill], cwd=ROOT, env={**env, "PAGE_CACHE_ENABLED": "false"}, check=True)
        subprocess.run([*manage, "update_index", "-v", "0"], cwd=ROOT, env=env, check=True)
    # Planner statistics for the rows just added (autovacuum would, later): without
    # them PostgreSQL loops over every page for a search (~200 ms instead of ~20 ms).
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "ANALYZE", name], check=True)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], capture_output=True)
    manifest = json.loads((Path(static_root) / "staticfiles.json").read_text())
    static = "/static/" + manifest["paths"]["css/site.css"]

    results = {}
    modes = [
        (label, flag) for label, flag in (("cached", "true"), ("uncached", "false")) if label in args.modes.split(",")
    ]
    for label, cache_flag in modes:
        port = free_port()
        server = start({**env, "PAGE_CACHE_ENABLED": cache_flag}, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            for _title, path in [*PAGES, ("static", static)]:
                for _ in range(4):  # every worker has rendered it; the cache holds it
                    requests.get(base + path, timeout=30)
            static_rate = wrk(base + static, args.connections, args.seconds)[0]
            results[(label, "static")] = static_rate
            for title, path in PAGES:
                results[(label, title)] = wrk(base + path, args.connections, args.seconds)[0]
                rate = results[(label, title)]
                print(f"{label:9} {title:18} {rate:9.1f}/s  {rate / static_rate:6.1%} of static {static_rate:.0f}/s")
            if label == "cached":
                burst = wrk(base + "/", 200, args.burst_seconds)
                print(f"burst: 200 connections on /: {burst[0]:.0f}/s, p99 {burst[1]:.1f} ms, errors {burst[2]}")
                varnish, varnish_port = start_varnish(port)
                if varnish:
                    front = f"http://127.0.0.1:{varnish_port}"
                    try:
                        for _title, path in PAGES:
                            requests.get(front + path, timeout=30)
                        front_static = wrk(front + static, args.connections, args.seconds)[0]
                        for title, path in PAGES:
                            rate = wrk(front + path, args.connections, args.seconds)[0]
                            print(f"varnish   {title:18} {rate:9.1f}/s  {rate / front_static:6.1%} of static")
                        burst = wrk(front + "/", 200, args.burst_seconds)
                        print(f"burst through Varnish: {burst[0]:.0f}/s, p99 {burst[1]:.1f} ms, errors {burst[2]}")
                    finally:
                        varnish.terminate()
                        varnish.wait()
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
