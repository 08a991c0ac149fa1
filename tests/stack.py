"""Real processes for fault tests and the reliability bench: a copy of the
test database, manage.py commands as subprocesses, and a TCP proxy that can
cut the database connection.

Used by tests/test_reliability_stack.py and bench/faults.py.
"""

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=30.0, every=0.1, what="condition"):
    """Poll until `condition()` is truthy; its value, or AssertionError."""
    give_up = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


class TcpProxy:
    """127.0.0.1:<port> → target. `cut()` drops every connection and refuses
    new ones (the database is gone); `restore()` accepts again."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.pairs = []
        self.lock = threading.Lock()
        self.listener = None
        self.restore()

    def restore(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()

    def pump(self, client, upstream):
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self):
        # shutdown() first: close() alone leaves a socket blocked in accept()
        # listening on Linux.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass

    def close(self):
        self.cut()


def clone_test_database(connection, workdir):
    """A copy of the demo-loaded test database that subprocesses can open:
    (database_url, drop). A copy of the run's template
    (tests/template_database.py), so it holds the demo content whatever the
    tests before it in this process did (a transactional test's flush)."""
    from tests import template_database

    return template_database.current.copy_for_process(workdir)


def via_proxy(database_url, proxy):
    """The same PostgreSQL URL, through the proxy's port."""
    head, tail = database_url.rsplit("@", 1)
    hostport, name = tail.split("/", 1)
    return f"{head}@127.0.0.1:{proxy.port}/{name}"


class Stack:
    """manage.py commands against one database, with settings from the environment."""

    def __init__(self, database_url, settings_module="tests.stack_settings", **env):
        self.database_url = database_url
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
            **{key: str(value) for key, value in env.items()},
        }
        self.processes = []

    def command(self, *args):
        return [PYTHON, str(ROOT / "manage.py"), *args]

    def run(self, *args, **env):
        result = subprocess.run(
            self.command(*args), cwd=ROOT, env={**self.env, **env}, capture_output=True, text=True, timeout=120
        )
        if result.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, *args, supervise=False, database_url=None, log=None, **env):
        command = self.command(*args)
        if supervise:
            command = [PYTHON, str(ROOT / "scripts" / "supervise"), "--max-delay", "2", "--", *command]
        environment = {**self.env, **env}
        if database_url:
            environment["DATABASE_URL"] = database_url
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = []

    def python(self, code):
        """Run `code` in a Django shell; it may print one JSON line: returned."""
        out = self.run("shell", "-v", "0", "-c", code).strip().splitlines()
        return json.loads(out[-1]) if out else None

    def register(self, count=1, email="ida@example.org", kind="guidance", same=False):
        return self.python(
            f"from tests.stack import register_here; register_here({count}, {email!r}, {kind!r}, {same!r})"
        )

    def deliveries(self):
        return self.python(
            "import json; from intake.models import Delivery; "
            "print(json.dumps(list(Delivery.objects.order_by('pk').values("
            "'pk', 'channel', 'status', 'attempts', 'claimed_until', 'task_id', 'crm_person_id')), default=str))"
        )

    def task_status(self, task_id):
        return self.python(
            "import json; from django_tasks_db.models import DBTaskResult; "
            f"print(json.dumps(DBTaskResult.objects.get(id={task_id!r}).status))"
        )


def register_here(count, email, kind="guidance", same=False):
    """In a stack process: `count` registrations through intake.services.register."""
    from intake.models import Registration
    from intake.services import register

    municipality_model = Registration._meta.get_field("municipality").related_model
    municipality = municipality_model.objects.get(slug="are", locale__language_code="sv")
    pks = []
    for number in range(count):
        address = email if same or count == 1 else email.replace("@", f"+{number}@")
        outcome = register(
            kind=kind,
            cleaned={
                "first_name": "Ida",
                "last_name": "Ström",
                "email": address,
                "phone": "+46701234567",
                "preferred_contact": "email",
                "country": "Norge",
                "town": "Trondheim",
                "adults": 2,
                "children": 0,
                "move_when": "6_12_months",
                "topics": ["jobs"],
                "street_address": f"Storgatan {number + 1}",
                "postal_code": "83130",
                "magazine_issue": "2026:1",
            },
            municipality=municipality,
            source="stack",
            language="sv",
            submission_key=uuid.uuid4().hex,
            consent_version="2026-1",
        )
        pks.append(outcome.registration.pk)
    print(json.dumps(pks))
