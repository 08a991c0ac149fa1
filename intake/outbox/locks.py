"""A lock per person, held across processes and machines while the CRM
adapter looks a person up and creates them, so two workers never both create
one person.

PostgreSQL: a lock row (`intake.PersonLock`: the SHA-256 of the key, who
holds it, until when). Taking it is one statement, an insert that fails if
another worker holds the row and takes over a row whose expiry has passed;
giving it back is one statement, a delete of our own row. Each statement is
its own transaction, so the lock needs nothing from the database session and
works behind PgBouncer in transaction pooling, where a session advisory lock
does not: there one server session serves many clients, so a second worker
handed the same session would get the lock again (advisory locks are
re-entrant per session), and the unlock may run on another session and free
nothing. A transaction-level advisory lock would need a transaction open
across the CRM's HTTP calls (docs/crm-bridge.md, "The per-person lock").
The row expires with the delivery's deadline (plus a margin), which also
bounds every call made under it; a worker killed while holding it blocks
that person only until then. Times are the database's clock, the same for
every node.

SQLite (one host, development): an exclusive `flock` on a file per key in
VAR_DIR (production refuses SQLite).

Both wait at most until the delivery's deadline, then give up with a
temporary error (the delivery is retried; nothing was sent).
"""

import contextlib
import fcntl
import hashlib
import time
import uuid

from django.conf import settings
from django.db import connection

from .adapters.base import TemporaryError

# Held past the deadline by this much: the last call ends at the deadline,
# then the answer is read and the person id saved before the lock is given back.
MARGIN_SECONDS = 30

TAKE = """
INSERT INTO intake_personlock (key, holder, expires_at)
VALUES (%s, %s, clock_timestamp() + make_interval(secs => %s))
ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
WHERE intake_personlock.expires_at < clock_timestamp()
RETURNING holder
"""
# Our own row, and any other whose holder died (a hash of an address is not
# kept longer than needed).
GIVE_BACK = "DELETE FROM intake_personlock WHERE (key = %s AND holder = %s) OR expires_at < clock_timestamp()"


def lock_id(key):
    return int.from_bytes(hashlib.sha256(normal(key).encode()).digest()[:8], "big", signed=True)


def normal(key):
    return key.strip().lower()


def busy():
    return TemporaryError("Another worker is creating this person; try again.")


@contextlib.contextmanager
def person_lock(key, deadline=None, poll=0.05):
    give_up = deadline if deadline is not None else time.monotonic() + 60
    if connection.vendor == "postgresql":
        with row_lock(hashlib.sha256(normal(key).encode()).hexdigest(), give_up, poll):
            yield
        return
    with file_lock(lock_id(key), give_up, poll):
        yield


@contextlib.contextmanager
def row_lock(digest, give_up, poll):
    holder = uuid.uuid4().hex
    hold = max(0.0, give_up - time.monotonic()) + MARGIN_SECONDS
    while True:
        with connection.cursor() as cursor:
            cursor.execute(TAKE, [digest, holder, hold])
            if cursor.fetchone() is not None:
                break
        if time.monotonic() > give_up:
            raise busy()
        time.sleep(poll)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(GIVE_BACK, [digest, holder])


@contextlib.contextmanager
def file_lock(number, give_up, poll):
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"person-{number & 0xFFFFFFFFFFFF:x}.lock", "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > give_up:
                    raise busy() from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
