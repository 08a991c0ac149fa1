"""One scheduler for every periodic job of the site (`manage.py run_scheduler`).

Apps register their jobs through the Wagtail hook `register_periodic_jobs`
in their own wagtail_hooks.py: the hook returns a list of `Job` (a name, a
period in seconds, a callable). Any number of schedulers may run, on any
number of machines: each job has a row (tasteget.ScheduledJob) and a
scheduler runs a job only after moving the row's `next_run_at` to the next
period in one atomic UPDATE whose WHERE says "due, and nobody running it".
PostgreSQL re-checks the WHERE of a concurrent UPDATE on the row it waited
for and SQLite takes one writer at a time, so exactly one scheduler wins each
period. The UPDATE is a single autocommitted statement: no session lock, so
it works behind PgBouncer in transaction pooling.

Periods are slots of wall-clock time counted from the Unix epoch (a daily
job's day starts at 00:00 UTC): a job runs once in each slot in which a
scheduler is up, and a scheduler that was down does not catch up missed slots
(each job covers what it missed on its next run).

One outage policy for all: a database that fails makes the scheduler log,
back off (1 s doubling up to SCHEDULER_MAX_BACKOFF_SECONDS) and try again,
never exit; a job that raises is logged, its row keeps the error
(`last_error`) and it runs again next period; the other jobs run as usual.
"""

import contextlib
import dataclasses
import datetime
import logging
import threading
import traceback
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, close_old_connections, connections
from django.db.models import Q
from django.utils import timezone
from wagtail import hooks

from .models import ScheduledJob

logger = logging.getLogger("tasteget.scheduler")

HOOK = "register_periodic_jobs"
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# How long a run may take before another scheduler may take the job over (the first one died).
DEFAULT_LEASE = 15 * MINUTE
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    period: int  # seconds
    run: Callable[[], object]
    lease: int = DEFAULT_LEASE


def command(name, period, **options):
    """A job that runs the management command `name` (quietly)."""

    def run():
        call_command(name, verbosity=0, **options)

    return Job(name, period, run)


def registered():
    """Every app's jobs (INSTALLED_APPS order), with the periods of
    SCHEDULER_PERIODS ({name: seconds}) and, when SCHEDULER_JOBS is set,
    only the jobs it names."""
    jobs = [job for hook in hooks.get_hooks(HOOK) for job in hook()]
    names = [job.name for job in jobs]
    if len(names) != len(set(names)):
        raise ImproperlyConfigured(f"Two periodic jobs share a name: {sorted(names)}")
    periods = getattr(settings, "SCHEDULER_PERIODS", {})
    jobs = [dataclasses.replace(job, period=periods[job.name]) if job.name in periods else job for job in jobs]
    only = getattr(settings, "SCHEDULER_JOBS", None)
    return [job for job in jobs if only is None or job.name in only]


def slot(moment, period):
    """The start of the period `moment` falls in."""
    elapsed = (moment - EPOCH).total_seconds()
    return EPOCH + datetime.timedelta(seconds=elapsed - elapsed % period)


def claim(job, now):
    """True when this scheduler won `job`'s current period (one UPDATE).

    A row whose next run lies more than two periods ahead (the period was
    shortened) is due too; a scheduler whose clock is up to a period behind
    another's still sees the other's claim."""
    start = slot(now, job.period)
    following = start + datetime.timedelta(seconds=job.period)
    too_far = following + datetime.timedelta(seconds=job.period)
    return bool(
        ScheduledJob.objects.filter(name=job.name)
        .filter(Q(next_run_at__lte=now) | Q(next_run_at__gt=too_far))
        .filter(Q(running_until__isnull=True) | Q(running_until__lte=now))
        .update(
            next_run_at=following,
            last_started_at=now,
            running_until=now + datetime.timedelta(seconds=job.lease),
        )
    )


class Scheduler:
    def __init__(self, jobs=None):
        self.jobs = registered() if jobs is None else jobs
        # Runs whose end could not be written (the database went away): written on its return.
        self.unfinished = {}
        self.stopping = threading.Event()

    def ensure_rows(self, now):
        names = [job.name for job in self.jobs]
        existing = set(ScheduledJob.objects.filter(name__in=names).values_list("name", flat=True))
        missing = [
            ScheduledJob(name=j.name, next_run_at=slot(now, j.period)) for j in self.jobs if j.name not in existing
        ]
        if missing:
            ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)

    def finish(self, name, finished_at, error):
        row = ScheduledJob.objects.filter(name=name)
        row.update(last_finished_at=finished_at, last_error=error, running_until=None)

    def run_due(self):
        """One round: every job whose period this scheduler wins runs once. Returns their names."""
        for name, (finished_at, error) in list(self.unfinished.items()):
            self.finish(name, finished_at, error)
            del self.unfinished[name]
        self.ensure_rows(timezone.now())
        ran = []
        for job in self.jobs:
            if self.stopping.is_set():
                break
            now = timezone.now()
            if not claim(job, now):
                continue
            logger.info("scheduler: runs %s for slot %s", job.name, slot(now, job.period).isoformat())
            error = ""
            try:
                job.run()
            except Exception:
                error = traceback.format_exc()[-4000:]
                logger.exception("scheduler: %s failed; it runs again next period", job.name)
            self.unfinished[job.name] = (timezone.now(), error)
            self.finish(job.name, *self.unfinished[job.name])
            del self.unfinished[job.name]
            ran.append(job.name)
        return ran

    def serve(self, tick=5.0):
        """Run rounds every `tick` seconds until stop(); a database outage backs off, never ends it."""
        delay = 1.0
        ceiling = getattr(settings, "SCHEDULER_MAX_BACKOFF_SECONDS", 60)
        while not self.stopping.is_set():
            try:
                # As between requests: a connection the database broke or that outlived CONN_MAX_AGE goes.
                close_old_connections()
                self.run_due()
            except DatabaseError as error:
                logger.warning("scheduler: database unavailable (%s); next try in %.0f s", type(error).__name__, delay)
                for connection in connections.all(initialized_only=True):
                    with contextlib.suppress(DatabaseError):
                        connection.close()
                self.stopping.wait(delay)
                delay = min(delay * 2, ceiling)
                continue
            delay = 1.0
            self.stopping.wait(tick)

    def stop(self, *args):
        self.stopping.set()
