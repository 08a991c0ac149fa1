"""One scheduler for every periodic job (tasteget/scheduling.py): each job
runs once per period however many schedulers run, a job that raises does not
stop the others and runs again next period, and a database outage makes the
scheduler wait, not exit.
"""

import collections
import datetime
import re
import time

import pytest
from django.db import connection
from django.utils import timezone

from tasteget import scheduling
from tasteget.models import ScheduledJob
from tests.stack import Stack, TcpProxy, clone_test_database, via_proxy, wait_for

RAN = re.compile(r"scheduler: runs (\S+) for slot (\S+)")


def names():
    return {job.name for job in scheduling.registered()}


def test_clearsessions_and_housekeepings_parts_are_registered_from_their_apps():
    assert {
        "clearsessions",
        "sweep_deliveries",
        "publish_scheduled",
        "daily_digests",
        "retry_pending_purges",
        "purge_personal_data",
        "prune_task_results",
        "write_pending_erasures",
        "send_quarterly_reports",
    } <= names()
    periods = {job.name: job.period for job in scheduling.registered()}
    assert periods["clearsessions"] == scheduling.DAY and periods["publish_scheduled"] == scheduling.MINUTE


def test_the_crm_poll_is_registered_only_when_the_answers_are_polled(settings):
    settings.SUPEROFFICE_ANSWERS = "webhook"
    assert "crm_poll" not in names()
    settings.SUPEROFFICE_ANSWERS = "poll"
    assert "crm_poll" in names()
    assert next(job for job in scheduling.registered() if job.name == "crm_poll").period == 5 * scheduling.MINUTE


def test_settings_shorten_periods_and_choose_jobs(settings):
    settings.SCHEDULER_PERIODS = {"clearsessions": 2}
    settings.SCHEDULER_JOBS = ["clearsessions"]
    assert [(job.name, job.period) for job in scheduling.registered()] == [("clearsessions", 2)]


class Clock:
    def __init__(self, monkeypatch):
        self.now = datetime.datetime(2026, 12, 7, 10, 0, 0, tzinfo=datetime.UTC)
        monkeypatch.setattr(scheduling.timezone, "now", lambda: self.now)

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_a_job_that_raises_does_not_stop_the_others_and_runs_again_next_period(monkeypatch, caplog):
    clock = Clock(monkeypatch)
    calls = collections.Counter()

    def broken():
        calls["broken"] += 1
        raise RuntimeError("the outside system said no")

    jobs = [
        scheduling.Job("broken", 60, broken),
        scheduling.Job("fine", 60, lambda: calls.update(["fine"])),
    ]
    scheduler = scheduling.Scheduler(jobs)
    with caplog.at_level("ERROR", logger="tasteget.scheduler"):
        assert scheduler.run_due() == ["broken", "fine"]
    assert "broken failed" in caplog.text
    row = ScheduledJob.objects.get(name="broken")
    assert "the outside system said no" in row.last_error and row.running_until is None
    assert ScheduledJob.objects.get(name="fine").last_error == ""

    clock.advance(30)  # the same period: nothing again
    assert scheduler.run_due() == []
    clock.advance(30)  # the next one: both again
    assert scheduler.run_due() == ["broken", "fine"]
    assert calls == {"broken": 2, "fine": 2}


@pytest.mark.django_db
def test_a_second_scheduler_does_not_run_what_the_first_claimed_nor_what_is_still_running(monkeypatch):
    clock = Clock(monkeypatch)
    calls = []
    jobs = [scheduling.Job("once", 60, lambda: calls.append(1), lease=300)]
    first, second = scheduling.Scheduler(jobs), scheduling.Scheduler(jobs)
    assert first.run_due() == ["once"]
    assert second.run_due() == []
    # A scheduler that died mid-run: the row says running until its lease ends.
    clock.advance(60)
    assert scheduling.claim(jobs[0], clock.now)
    clock.advance(60)
    assert second.run_due() == []  # still "running" (the lease)
    clock.advance(300)
    assert second.run_due() == ["once"]  # the lease ran out: taken over
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_shortened_period_applies_at_once_but_a_clock_a_period_behind_does_not_run_twice(monkeypatch):
    clock = Clock(monkeypatch)
    daily = scheduling.Job("job", scheduling.DAY, lambda: None)
    assert scheduling.Scheduler([daily]).run_due() == ["job"]
    hourly = scheduling.Job("job", scheduling.HOUR, lambda: None)
    assert scheduling.Scheduler([hourly]).run_due() == ["job"]  # not tomorrow
    clock.advance(-scheduling.HOUR)  # another node, its clock an hour behind
    assert scheduling.Scheduler([hourly]).run_due() == []


@pytest.mark.django_db
def test_run_scheduler_once_runs_the_due_jobs(settings):
    from django.core.management import call_command

    settings.SCHEDULER_JOBS = ["clearsessions", "retry_pending_purges"]
    call_command("run_scheduler", once=True)
    assert set(ScheduledJob.objects.values_list("name", flat=True)) == {"clearsessions", "retry_pending_purges"}
    assert all(row.last_finished_at for row in ScheduledJob.objects.all())


# --- Real processes on a copy of the test database ------------------------------------

PERIODS = {"retry_pending_purges": 1, "publish_scheduled": 2, "clearsessions": 3}


@pytest.fixture
def database_url(django_db_setup, django_db_blocker, tmp_path):
    with django_db_blocker.unblock():
        url, drop = clone_test_database(connection, tmp_path)
    yield url
    with django_db_blocker.unblock():
        drop()


@pytest.fixture
def stack(database_url, tmp_path):
    import json

    stack = Stack(
        database_url,
        TASTEGET_VAR_DIR=tmp_path,
        SCHEDULER_PERIODS=json.dumps(PERIODS),
        SCHEDULER_JOBS=",".join(PERIODS),
    )
    yield stack
    stack.stop_all()


def runs(*logs):
    """[(job, slot start)] of every run the schedulers logged."""
    return [match.groups() for path in logs for match in RAN.finditer(path.read_text())]


def test_two_schedulers_run_each_job_exactly_once_per_period(stack, tmp_path):
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    files = [path.open("w") for path in logs]
    try:
        for file in files:
            stack.start("run_scheduler", "--tick", "0.2", log=file)
        # Both up (a Django process takes seconds to start), then several periods.
        wait_for(lambda: all(runs(path) for path in logs), timeout=90, every=0.5, what="both schedulers")
        started = timezone.now()
        time.sleep(8)
        stopped = timezone.now()
    finally:
        stack.stop_all()
        for file in files:
            file.close()
    seen = runs(*logs)
    counts = collections.Counter(seen)
    assert [run for run, count in counts.items() if count > 1] == []  # never twice
    for name, period in PERIODS.items():
        # Every period wholly inside the run ran exactly once.
        first = scheduling.slot(started, period) + datetime.timedelta(seconds=period)
        slots = []
        while first + datetime.timedelta(seconds=period) <= stopped:
            slots.append(first.isoformat())
            first += datetime.timedelta(seconds=period)
        assert slots, name
        for start in slots:
            assert counts[(name, start)] == 1, (name, start, sorted(seen))


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a TCP proxy in front of PostgreSQL")


@postgres_only
def test_a_database_cut_makes_the_scheduler_wait_not_exit(stack, tmp_path):
    proxy = TcpProxy("127.0.0.1", int(stack.database_url.rsplit(":", 1)[1].split("/")[0]))
    log_path = tmp_path / "scheduler.log"
    log = log_path.open("w")
    try:
        scheduler = stack.start(
            "run_scheduler", "--tick", "0.2", database_url=via_proxy(stack.database_url, proxy), log=log
        )
        wait_for(lambda: runs(log_path), timeout=60, what="a first run")
        proxy.cut()
        wait_for(lambda: "database unavailable" in log_path.read_text(), timeout=30, what="the outage logged")
        time.sleep(3)  # backing off, several times
        assert scheduler.poll() is None
        before = len(runs(log_path))
        proxy.restore()
        wait_for(lambda: len(runs(log_path)) > before, timeout=60, what="runs after the outage")
        assert scheduler.poll() is None
    finally:
        stack.stop_all()
        proxy.close()
        log.close()
