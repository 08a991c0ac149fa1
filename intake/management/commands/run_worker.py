"""The task worker, made to survive: `manage.py run_worker --queue-name '*'`.

django-tasks-db's `db_worker` exits on the first database error. This runs
the same worker loop, but a lost database (OperationalError/InterfaceError)
is logged, the connections are dropped, and it tries again with back-off
(1 s doubling to `--max-backoff`). It also writes a heartbeat (`Beacon`
"worker:<id>") that /healthz and the alerts read. A task interrupted by the
outage stays RUNNING; the sweep marks it failed and re-sends its delivery
once the lease has run out (see intake/outbox/worker.py).

One process, two lanes: `--queue-name '*'` runs the `crm` queue in a thread
of its own beside a thread for every other queue, so a CRM call that hangs
until its deadline holds up only CRM deliveries, never an e-mail
(intake/tasks.py). The lanes share the process, its heartbeat and its
signals; Ctrl+C / SIGTERM stops both after their current task. `--batch`
(a one-off run) empties every queue in one lane.

It runs below the web processes' CPU priority (`--nice`, 10 by default):
a delivery can wait a few milliseconds, a visitor sending a form should
not. On a small server the worker then takes what the web leaves over,
and all of it when visitors are quiet (docs/performance.md).
"""

import contextlib
import logging
import os
import signal
import sys
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from intake.heartbeat import beat
from intake.tasks import CRM_QUEUE

logger = logging.getLogger("intake.worker")

HEARTBEAT_SECONDS = 10


class ResilientWorker(Worker):
    last_beat = 0.0

    def beat(self):
        if time.monotonic() - self.last_beat >= HEARTBEAT_SECONDS:
            beat(f"worker:{self.worker_id}")
            self.last_beat = time.monotonic()

    def next_task(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
                return task_result, True
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None, False
                raise

    def run(self):
        while self.running:
            close_old_connections()
            self.beat()
            task_result, retrieved = self.next_task()
            if task_result is not None:
                self.run_task(task_result)
            elif self.batch and retrieved:
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)


def lanes(queue_names):
    """The lanes of one worker process, as (queue names, excluded queue names).

    The CRM queue gets a lane of its own whenever the worker also runs other
    queues: a hanging CRM then blocks only its own lane."""
    everything = "*" in queue_names
    if everything:
        return [(["*"], [CRM_QUEUE]), ([CRM_QUEUE], [])]
    others = [name for name in queue_names if name != CRM_QUEUE]
    if CRM_QUEUE in queue_names and others:
        return [(others, []), ([CRM_QUEUE], [])]
    return [(list(queue_names), [])]


def keep_running(worker, batch, max_backoff):
    """Run the worker's loop; survive database outages (back-off, reconnect)."""
    delay = 1.0
    failures = 0
    while worker.running:
        started = time.monotonic()
        try:
            worker.run()
            return
        except (OperationalError, InterfaceError) as error:
            failures += 1
            if batch and failures > 5:
                raise  # a one-off run does not wait for ever
            if time.monotonic() - started > 60:
                delay = 1.0  # it had been working: a new outage starts the back-off again
            logger.warning(
                "worker=%s database unavailable (%s); reconnecting in %.0f s",
                worker.worker_id,
                type(error).__name__,
                delay,
            )
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
                with contextlib.suppress(OperationalError, InterfaceError):
                    connection.close()
            time.sleep(delay)
            delay = min(delay * 2, max_backoff)
            worker.last_beat = 0.0


def run_lane(worker, batch, max_backoff, errors):
    """A lane in its own thread (with its own database connection)."""
    try:
        keep_running(worker, batch, max_backoff)
    except BaseException as error:
        logger.exception("worker=%s lane stopped", worker.worker_id)
        errors.append(error)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Run the database task worker; survive database outages; write a heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="Queues, comma-separated, or '*' (all).")
        parser.add_argument("--interval", type=float, default=0.2, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run until the queue is empty, then exit.")
        parser.add_argument("--max-backoff", type=float, default=30.0)
        parser.add_argument("--worker-id", default="")
        parser.add_argument(
            "--nice", type=int, default=10, help="How much lower the worker's CPU priority is than the web's (0: same)."
        )

    def handle(self, *args, queue_name, interval, batch, max_backoff, worker_id, nice, **options):
        if nice > 0:
            os.nice(nice)
        base_id = worker_id or get_random_string(32)
        workers = [
            ResilientWorker(
                queue_names=names,
                interval=interval,
                batch=batch,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=base_id if number == 0 else f"{base_id}-{CRM_QUEUE}",
                excluded_queue_names=excluded,
            )
            # A one-off run (--batch: tests, scripts) empties every queue in one lane.
            for number, (names, excluded) in enumerate(
                [(queue_name.split(","), [])] if batch else lanes(queue_name.split(","))
            )
        ]
        main, others = workers[0], workers[1:]

        def shutdown(signum, frame):
            # The first signal stops every lane after its current task; a
            # second one ends the process at once.
            if not main.running:
                main.reset_signals()
                sys.exit(1)
            logger.warning("Received %s - shutting down gracefully", signal.strsignal(signum))
            for worker in workers:
                worker.running = False
            if not main.running_task:
                sys.exit(0)  # the other lanes finish their task: their threads are waited for

        if threading.current_thread() is threading.main_thread():
            for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), shutdown)
        for worker in workers:
            logger.info("worker=%s started: queues=%s", worker.worker_id, ",".join(worker.queue_names))
        if batch:
            keep_running(main, batch, max_backoff)
            return
        errors = []
        threads = [
            threading.Thread(target=run_lane, args=(worker, batch, max_backoff, errors), name=worker.worker_id)
            for worker in others
        ]
        for thread in threads:
            thread.start()
        try:
            keep_running(main, batch, max_backoff)
        finally:
            for worker in others:
                worker.running = False
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]
