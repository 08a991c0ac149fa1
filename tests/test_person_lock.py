"""The per-person lock holds behind a transaction-pooling proxy (PgBouncer's
`pool_mode = transaction`, the usual managed-PostgreSQL set-up).

Such a proxy hands each transaction of a client to whichever server session
is free: between two statements a worker may move to another session, and
the session it left may serve another worker. PgBouncer is not installed
here, so `Pooler` plays it: two real PostgreSQL sessions, and the test says
which one serves the next statement. The old session advisory lock is run
through the same steps and fails them (strict xfail), the lock row passes.
"""

import contextlib
import hashlib
import time

import pytest
from django.db import connection, connections

from intake.models import PersonLock
from intake.outbox import locks
from intake.outbox.adapters.base import TemporaryError

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="transaction pooling is a PostgreSQL set-up (SQLite takes a file lock on its one host)",
    ),
]

KEY = "Ida@Example.org"


class Pooler:
    """Stands in for PgBouncer in transaction pooling: every statement (each
    its own transaction) runs on the server session `serve` chose last."""

    vendor = "postgresql"

    def __init__(self):
        self.sessions = [connections.create_connection("default") for _ in range(2)]
        self.serving = self.sessions[0]

    def serve(self, index):
        self.serving = self.sessions[index]

    def cursor(self):
        return self.serving.cursor()

    def close(self):
        for session in self.sessions:
            with session.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock_all()")
            session.close()


@contextlib.contextmanager
def session_advisory_lock(key, deadline=None, poll=0.05):
    """The lock as it was: a session advisory lock (kept here to show why it was replaced)."""
    number = locks.lock_id(key)
    with pooler_in_use().cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [number])
            if cursor.fetchone()[0]:
                break
            if time.monotonic() > deadline:
                raise TemporaryError("Another worker is creating this person; try again.")
            time.sleep(poll)
    try:
        yield
    finally:
        with pooler_in_use().cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [number])


POOLER = []
HELD = []


def pooler_in_use():
    return POOLER[-1]


LOCKS = [
    pytest.param(locks.person_lock, id="lock-row"),
    pytest.param(
        session_advisory_lock,
        id="session-advisory-lock",
        marks=pytest.mark.xfail(strict=True, reason="a session lock does not survive transaction pooling"),
    ),
]


@pytest.fixture
def pooler(monkeypatch):
    pooler = Pooler()
    monkeypatch.setattr(locks, "connection", pooler)
    POOLER.append(pooler)
    yield pooler
    for held in HELD:  # a failed test (the xfail) leaves its lock entered
        with contextlib.suppress(Exception):
            held.__exit__(None, None, None)
    HELD.clear()
    POOLER.remove(pooler)
    # The sessions commit outside the test's transaction: clean up through one of them.
    with pooler.sessions[0].cursor() as cursor:
        cursor.execute("DELETE FROM intake_personlock WHERE key = %s", [digest()])
    pooler.close()


def digest():
    return hashlib.sha256(locks.normal(KEY).encode()).hexdigest()


def soon(seconds=0.3):
    return time.monotonic() + seconds


def take(lock, deadline):
    """Enter the lock and keep it: the caller gives it back (maybe from another session)."""
    held = lock(KEY, deadline)
    held.__enter__()
    HELD.append(held)
    return held


def can_take(lock, wait=0.3):
    try:
        held = take(lock, soon(wait))
    except TemporaryError:
        return False
    give_back(held)
    return True


def give_back(held):
    HELD.remove(held)
    held.__exit__(None, None, None)


@pytest.mark.parametrize("lock", LOCKS)
def test_a_session_handed_to_another_worker_does_not_carry_the_lock(pooler, lock):
    pooler.serve(0)
    first = take(lock, soon(30))  # worker 1 on session 0
    # Between transactions the proxy gives session 0 to worker 2, worker 1 moves to session 1.
    assert not can_take(lock), "worker 2 got the lock worker 1 holds"
    pooler.serve(1)
    give_back(first)


@pytest.mark.parametrize("lock", LOCKS)
def test_the_lock_is_given_back_from_whichever_session_the_release_runs_on(pooler, lock):
    pooler.serve(0)
    first = take(lock, soon(30))
    pooler.serve(1)  # worker 1's release lands on session 1
    give_back(first)
    pooler.serve(1)
    assert can_take(lock), "the lock stayed held after worker 1 gave it back"
    pooler.serve(0)
    assert can_take(lock)


def test_a_row_whose_worker_died_is_taken_over_after_its_deadline(pooler, monkeypatch):
    monkeypatch.setattr(locks, "MARGIN_SECONDS", 0)
    dead = take(locks.person_lock, soon(0.6))  # a worker killed while holding it: never gives it back
    assert not can_take(locks.person_lock, wait=0.05)
    time.sleep(0.7)
    pooler.serve(1)
    second = take(locks.person_lock, soon(30))
    give_back(dead)  # a late release of the dead holder frees nothing of the new one
    assert not can_take(locks.person_lock)
    give_back(second)
    assert can_take(locks.person_lock)
    # Every statement committed on its own: the main connection sees the row gone.
    assert not PersonLock.objects.filter(key=digest()).exists()
