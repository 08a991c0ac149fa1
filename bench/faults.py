"""Reliability bench: faults against the production-like stack on PostgreSQL.

Starts gunicorn (production settings), two task workers and the sweep, each
under scripts/supervise, all talking to PostgreSQL through a TCP proxy (so
the database can be cut), with the CRM webhook pointed at a local fake
receiver (tests/fake_crm.py) that can be down, fail, throttle, hang or drip.
For each fault it submits registrations through the real form and reports

    accepted   POSTs that ended in the thank-you redirect (a 503 during a
               database cut is sent again, as the 503 page's button does)
    stored     registrations in the database
    delivered  CRM deliveries delivered
    duplicated registrations that reached the receiver under more than one
               webhook id (the receiver drops repeats of one id)
    repeated   extra arrivals of a webhook id already received: delivery is
               at-least-once (a cut between the CRM's 200 and saving it sends
               the same id again), so this may be > 0; receivers drop them
    lost       accepted - stored
    stuck      CRM deliveries not delivered when the bench gave up waiting

and, for the drain, the time to empty a backlog into a receiver that takes
5 requests/s against the ideal (backlog / 5 s).

    .venv/bin/python bench/faults.py --database-url postgres://postgres@127.0.0.1:5432/tasteget_faults

The database is dropped and created again. Timings are shortened for the
bench (deadline 5 s, lease margin 3 s, sweep every 3 s, back-off base 1 s,
breaker 1-4 s); production keeps its defaults.
"""

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import fake_crm  # noqa: E402
from tests.stack import TcpProxy, free_port  # noqa: E402

TOKEN = re.compile(r'name="(form_token|consent_version|csrfmiddlewaretoken)" value="([^"]+)"')
SECRET = "whsec_YmVuY2gtb25seS1zZWNyZXQta2V5LTMyLWJ5dGVzIQ=="  # noqa: S105 - bench only


class Bench:
    def __init__(self, args):
        self.args = args
        self.url = args.database_url
        self.name = self.url.rsplit("/", 1)[1]
        self.receiver = fake_crm.start()
        self.proxy = None
        self.processes = []
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def env(self, database_url):
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.faults_settings",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "STATIC_ROOT": str(Path(tempfile.gettempdir()) / "tasteget-faults-static"),
            "SECURE_SSL_REDIRECT": "false",
            "CRM_BACKEND": "webhook",
            "MEDIA_STORAGE": "filesystem",  # no bucket on a bench machine (docs/deployment.md)
            "CRM_WEBHOOK_URL": self.receiver.url + "/hook",
            "CRM_WEBHOOK_SECRET": SECRET,
            "EMAIL_HOST": "localhost",  # required by production; faults_settings keeps mail in memory
            "REDIS_URL": self.args.redis_url,
            "ERASURE_LEDGER_DIR": str(Path(tempfile.gettempdir()) / "tasteget-faults-ledger"),
            "CRM_RATE_PER_SECOND": str(self.args.rate),
            "INTAKE_MIN_FILL_SECONDS": "0",
            "INTAKE_RATE_LIMIT": "100000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    def prepare(self):
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", self.name])
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", self.name], check=True)
        subprocess.run(["redis-cli", "-u", self.args.redis_url, "flushdb"], capture_output=True)
        manage = [sys.executable, str(ROOT / "manage.py")]
        # The demo content queues hundreds of index tasks: run them first.
        for command in (
            ["migrate", "--noinput"],
            ["collectstatic", "--noinput"],
            ["load_demo_content"],
            ["run_worker", "--batch"],
        ):
            subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=self.env(self.url), check=True)

    def clear(self):
        """Registrations of earlier runs out of the way (with --skip-prepare)."""
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("TRUNCATE intake_registration CASCADE")
            connection.execute("DELETE FROM intake_crmgate")

    def start(self):
        host, port = self.url.rsplit("@", 1)[1].split("/")[0].split(":")
        self.proxy = TcpProxy(host, int(port))
        head, tail = self.url.rsplit("@", 1)
        proxied = f"{head}@127.0.0.1:{self.proxy.port}/{tail.split('/', 1)[1]}"
        env = self.env(proxied)
        supervise = [sys.executable, str(ROOT / "scripts" / "supervise"), "--max-delay", "2", "--"]
        manage = [sys.executable, str(ROOT / "manage.py")]
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        commands = [
            [gunicorn, "tasteget.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            [*supervise, *manage, "run_worker", "--queue-name", "*"],
            [*supervise, *manage, "run_worker", "--queue-name", "*"],
            [*supervise, *manage, "sweep_deliveries", "--every", "3", "--verbosity", "0"],
        ]
        log = open(self.args.log, "w")  # noqa: SIM115 - open for the bench's life
        for command in commands:
            self.processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        for _ in range(150):
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit("the web server did not start")

    def stop(self):
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.proxy.close()
        self.receiver.shutdown()

    def worker_children(self):
        pids = []
        for supervisor in self.processes[1:3]:
            path = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children")
            pids += [int(pid) for pid in path.read_text().split()] if path.exists() else []
        return pids

    def sql(self, query, *params):
        with psycopg.connect(self.url, autocommit=True) as connection:
            return connection.execute(query, params).fetchone()[0]

    # --- load -------------------------------------------------------------

    def submit_one(self, email):
        session = requests.Session()
        for _ in range(60):
            try:
                page = session.get(self.base + "/anmal-intresse/", timeout=30)
                if page.status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(1)
        hidden = dict(TOKEN.findall(page.text))
        cookies = {"csrftoken": page.cookies.get("csrftoken") or session.cookies.get("csrftoken")}
        data = {
            **hidden,
            "first_name": "Bench",
            "last_name": "Person",
            "email": email,
            "preferred_contact": "email",
            "municipality": "are",
            "topics": ["jobs"],
            "consent": "on",
        }
        refused = 0
        for _ in range(60):  # the 503 page's "send again", once a second
            try:
                response = requests.post(
                    self.base + "/anmal-intresse/", data=data, cookies=cookies, allow_redirects=False, timeout=30
                )
            except requests.RequestException:
                refused += 1
                time.sleep(1)
                continue
            if response.status_code == 302:
                return True, refused
            refused += 1
            time.sleep(1)
        return False, refused

    def submit(self, emails, concurrency=8):
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(self.submit_one, emails))
        return sum(ok for ok, _ in results), sum(refused for _, refused in results)

    def open_crm(self, tag):
        return self.sql(
            "SELECT count(*) FROM intake_delivery d JOIN intake_registration r ON r.id = d.registration_id "
            "WHERE r.email LIKE %s AND d.channel = 'crm' AND d.status <> 'delivered'",
            tag + "%",
        )

    def wait_delivered(self, tag, timeout):
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.open_crm(tag) == 0:
                return True
            time.sleep(0.5)
        return False

    def report(self, name, tag, accepted, refused, seconds, extra=""):
        stored = self.sql("SELECT count(*) FROM intake_registration WHERE email LIKE %s", tag + "%")
        delivered = self.sql(
            "SELECT count(*) FROM intake_delivery d JOIN intake_registration r ON r.id = d.registration_id "
            "WHERE r.email LIKE %s AND d.channel = 'crm' AND d.status = 'delivered'",
            tag + "%",
        )
        ids = {}
        arrivals = {}
        for webhook_id, registration_id, _ in list(self.receiver.received):
            ids.setdefault(registration_id, set()).add(webhook_id)
            arrivals.setdefault(registration_id, []).append(webhook_id)
        registrations = set(
            psycopg.connect(self.url, autocommit=True)
            .execute("SELECT id FROM intake_registration WHERE email LIKE %s", (tag + "%",))
            .fetchall()
        )
        duplicated = sum(1 for (pk,) in registrations if len(ids.get(pk, ())) > 1)
        repeated = sum(len(arrivals.get(pk, ())) - len(ids.get(pk, ())) for (pk,) in registrations)
        stuck = self.open_crm(tag)
        lost = accepted - stored
        row = (name, accepted, refused, stored, delivered, duplicated, repeated, lost, stuck, f"{seconds:.1f}", extra)
        print("| " + " | ".join(str(value) for value in row) + " |", flush=True)
        return row

    def scenario(self, name, count=30, during=None, heal=None, emails=None, timeout=240):
        tag = f"{name}-"
        emails = emails or [f"{tag}{number}@bench.example" for number in range(count)]
        started = time.monotonic()
        fault = threading.Thread(target=during, daemon=True) if during else None
        if fault:
            fault.start()
        accepted, refused = self.submit(emails)
        if fault:
            fault.join()
        if heal:
            heal()
        self.wait_delivered(tag, timeout)
        return self.report(name, tag, accepted, refused, time.monotonic() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10", help="production requires a shared cache")
    parser.add_argument("--rate", type=float, default=5.0, help="CRM_RATE_PER_SECOND for the stack")
    parser.add_argument("--drain", type=int, default=150, help="backlog size for the drain")
    parser.add_argument("--log", default=str(Path(tempfile.gettempdir()) / "tasteget-faults.log"))
    parser.add_argument("--skip-prepare", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("Give --database-url postgres://…")
    bench = Bench(args)
    if not args.skip_prepare:
        bench.prepare()
    bench.clear()
    bench.start()
    receiver = bench.receiver
    only = set(filter(None, args.only.split(",")))

    def want(name):
        return not only or name in only

    print(
        "| fault | accepted | 503/retried | stored | delivered | duplicated | repeated (same id) | lost | stuck "
        "| seconds | note |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    try:
        if want("baseline"):
            bench.scenario("baseline")

        if want("crm-down"):

            def down():
                receiver.down = True
                time.sleep(10)
                receiver.down = False

            bench.scenario("crm-down", during=down)

        if want("crm-500"):
            receiver.plan = [(500, {}, b"Internal error")] * 20
            bench.scenario("crm-500")
            receiver.plan = []

        if want("crm-429"):
            receiver.rate, receiver.burst = 2, 2  # below our pace: Retry-After: 1 answers
            bench.scenario("crm-429", heal=lambda: setattr(receiver, "rate", None))

        if want("hang"):
            receiver.plan = [("sleep", 8)] * 4  # longer than the 5 s deadline
            bench.scenario("hang")
            receiver.plan = []

        if want("slow-drip"):
            receiver.plan = [("drip", 100, 0.1)] * 4  # 10 s of body, a byte per 0.1 s
            bench.scenario("slow-drip")
            receiver.plan = []

        if want("worker-killed"):

            def kill_workers():
                time.sleep(3)
                for pid in bench.worker_children():
                    os.kill(pid, signal.SIGKILL)

            receiver.plan = [("sleep", 2)] * 6  # sends in flight when they die
            bench.scenario("worker-killed", during=kill_workers)
            receiver.plan = []

        if want("db-cut"):

            def cut():
                time.sleep(2)
                bench.proxy.cut()
                time.sleep(8)
                bench.proxy.restore()

            bench.scenario("db-cut", during=cut)

        if want("two-workers-same-person"):
            # The same person twice within half a second, ten times over.
            emails = [f"two-workers-same-person-{number}@bench.example" for number in range(10) for _ in range(2)]
            row = bench.scenario("two-workers-same-person", emails=emails)
            keys = {}
            for _, registration_id, person_key in receiver.received:
                keys.setdefault(person_key, set()).add(registration_id)
            people = sum(1 for key, ids in keys.items() if len(ids) == 2)
            print(f"  same person twice: {people} person keys each carried by both registrations", flush=True)
            del row

        if want("drain"):
            receiver.down = True
            tag = "drain-"
            accepted, refused = bench.submit([f"{tag}{number}@bench.example" for number in range(args.drain)])
            # Every delivery has been tried at least once (or is held by the breaker).
            time.sleep(10)
            receiver.down = False
            receiver.rate, receiver.burst = 5, 5
            throttled_before = sum(1 for r in receiver.requests if r["path"] == "/hook")
            started = time.monotonic()
            bench.wait_delivered(tag, 600)
            drain = time.monotonic() - started
            ideal = args.drain / 5
            bench.report(
                "drain into 5 req/s",
                tag,
                accepted,
                refused,
                drain,
                f"drain {drain:.1f} s vs ideal {ideal:.1f} s = {drain / ideal:.2f}x; "
                f"requests during drain {sum(1 for r in receiver.requests if r['path'] == '/hook') - throttled_before}",
            )
            receiver.rate = None
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
