"""Benchmark: concurrent registrations while the CRM is down.

Starts the site as in production (gunicorn, production settings, DEBUG off)
plus the task worker, with the CRM webhook pointed at a closed port. Then N
submitters each load the guidance form and send it, again and again, for a
fixed time (the forms are loaded first, untimed: each send needs a fresh
signed token). Reports registrations per second, p50/p95/max latency of the
POST, and checks that every accepted submission is stored.

    .venv/bin/python bench/submit_registrations.py \
        --database-url postgres://postgres@127.0.0.1:5432/tasteget_bench --concurrency 20 --seconds 30

The database is created if missing and emptied of registrations first.
"""

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11", help="production requires a shared cache")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each submitter pauses between sends (0: back to back)"
    )
    parser.add_argument("--no-worker", action="store_true", help="diagnosis: leave the task worker off")
    parser.add_argument("--per-submitter", type=int, default=60, help="forms each submitter loads before timing")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Give --database-url postgres://… (the target is measured on PostgreSQL).")

    static_root = tempfile.mkdtemp(prefix="tasteget-bench-static-")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tasteget.settings.production",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "STATIC_ROOT": static_root,
        "SECURE_SSL_REDIRECT": "false",
        "CRM_BACKEND": "webhook",
        "MEDIA_STORAGE": "filesystem",  # no bucket on a bench machine (docs/deployment.md)
        "CRM_WEBHOOK_URL": f"http://127.0.0.1:{free_port()}/down",  # nothing listens: the CRM is down
        "CRM_WEBHOOK_SECRET": "whsec_YmVuY2gtb25seS1zZWNyZXQta2V5LTMyLWJ5dGVzIQ==",
        "INTAKE_MIN_FILL_SECONDS": "0",
        "INTAKE_RATE_LIMIT": "100000000",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(free_port()),  # mail is down too; it waits in the outbox
        "REDIS_URL": args.redis_url,
        "ERASURE_LEDGER_DIR": tempfile.mkdtemp(prefix="tasteget-bench-ledger-"),
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], capture_output=True)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_demo_content"]):
        subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=env, check=True)
    # A fresh start: no registrations, and no tasks a previous run left queued
    # (the worker would spend this run on them).
    clear = (
        "from intake.models import Registration; from django_tasks_db.models import DBTaskResult; "
        "Registration.objects.all().delete(); DBTaskResult.objects.all().delete()"
    )
    clear_warm = (
        "from intake.models import Registration; Registration.objects.filter(email='warm@example.org').delete()"
    )
    subprocess.run([*manage, "shell", "-v", "0", "-c", clear], cwd=ROOT, env=env, check=True)

    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    web = subprocess.Popen(
        [
            gunicorn,
            "tasteget.wsgi:application",
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    worker_command = [*manage, "run_worker", "--queue-name", "*"]  # as in production (docker-compose.yml)
    if args.no_worker:
        worker_command = [sys.executable, "-c", "import time; time.sleep(3600)"]
    worker = subprocess.Popen(worker_command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        latencies, accepted, errors, elapsed = run_load(
            base, args.concurrency, args.seconds, args.per_submitter, args.think
        )
    finally:
        web.terminate()
        worker.terminate()
        web.wait()
        worker.wait()

    subprocess.run([*manage, "shell", "-v", "0", "-c", clear_warm], cwd=ROOT, env=env, check=True)
    count = "from intake.models import Registration; print(Registration.objects.count())"
    stored = int(
        subprocess.run(
            [*manage, "shell", "-v", "0", "-c", count], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    print(
        f"concurrency        {args.concurrency} submitters, think {args.think} s, "
        f"{args.workers} gunicorn workers, worker {'off' if args.no_worker else 'on'}, {elapsed:.1f} s"
    )
    print(f"registrations/s    {accepted / elapsed:.1f}")
    print(f"POST latency ms    p50 {p(0.50):.1f}  p95 {p(0.95):.1f}  max {latencies[-1] * 1000:.1f}")
    print(f"mean latency ms    {statistics.mean(latencies) * 1000:.1f}")
    print(f"accepted           {accepted}")
    print(f"stored             {stored}")
    print(f"errors             {errors}")
    print(f"lost               {accepted - stored}")
    return 0 if accepted == stored and not errors else 1


TOKEN = re.compile(r'name="(form_token|consent_version|csrfmiddlewaretoken)" value="([^"]+)"')


def fetch_forms(base, count):
    """Load the form `count` times (untimed): each send needs its own token."""
    session = requests.Session()
    forms = []
    for _ in range(count):
        page = session.get(base + "/anmal-intresse/", timeout=30)
        hidden = dict(TOKEN.findall(page.text))
        # Production marks the CSRF cookie Secure; this benchmark talks plain
        # HTTP to gunicorn (TLS ends at the proxy), so the cookie is sent by hand.
        forms.append((hidden, {"csrftoken": page.cookies.get("csrftoken") or session.cookies.get("csrftoken")}))
    return forms


def run_load(base, concurrency, seconds, per_submitter, think):
    latencies, lock = [], threading.Lock()
    accepted = errors = 0
    prepared = [fetch_forms(base, per_submitter) for _ in range(concurrency)]
    # Warm-up (untimed): every gunicorn worker runs the POST path a few times,
    # so first-request costs (template loading, lazy imports, connections)
    # are not measured. The sends are concurrent, so that every worker gets some.
    warm = fetch_forms(base, 32)

    def warm_up(forms):
        for hidden, cookies in forms:
            requests.post(
                base + "/anmal-intresse/",
                data={
                    **hidden,
                    "first_name": "Warm",
                    "last_name": "Up",
                    "email": "warm@example.org",
                    "preferred_contact": "email",
                    "municipality": "are",
                    "consent": "on",
                },
                cookies=cookies,
                allow_redirects=False,
                timeout=30,
            )

    warmers = [threading.Thread(target=warm_up, args=(warm[n::8],)) for n in range(8)]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()
    cpu_before = cpu_seconds()
    start_at = time.monotonic()
    stop_at = start_at + seconds

    def submitter(number):
        nonlocal accepted, errors
        session = requests.Session()
        for index, (hidden, cookies) in enumerate(prepared[number]):
            if time.monotonic() >= stop_at:
                break
            data = {
                **hidden,
                "first_name": "Bench",
                "last_name": f"Person {number}",
                "email": f"bench-{number}-{index}@example.org",
                "preferred_contact": "email",
                "municipality": "are",
                "topics": ["jobs", "housing"],
                "consent": "on",
            }
            started = time.perf_counter()
            response = session.post(
                base + "/anmal-intresse/",
                data=data,
                cookies=cookies,
                allow_redirects=False,
                timeout=30,
                headers={"Referer": base + "/anmal-intresse/"},
            )
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status_code == 302:
                    accepted += 1
                else:
                    errors += 1
            if think:
                time.sleep(random.uniform(0.5 * think, 1.5 * think))

    threads = [threading.Thread(target=submitter, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start_at
    cpu_after = cpu_seconds()
    used = {name: cpu_after.get(name, 0) - cpu_before.get(name, 0) for name in cpu_after}
    print(
        "CPU during the run (s of one core):", ", ".join(f"{name} {value:.1f}" for name, value in sorted(used.items()))
    )
    return latencies, accepted, errors, elapsed


def cpu_seconds():
    """CPU time used so far by each kind of process on the machine (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if "gunicorn" in command:
            name = "gunicorn"
        elif "run_worker" in command:
            name = "task worker"
        elif "submit_registrations" in command:
            name = "load generator"
        elif command.startswith("postgres"):
            name = "postgresql"
        elif "redis" in command:
            name = "redis"
        else:
            name = "other"
        totals[name] = totals.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return totals


if __name__ == "__main__":
    sys.exit(main())
