"""A lock per person, held across processes while the CRM adapter looks a
person up and creates them, so two workers never both create one person.

PostgreSQL: a session advisory lock on a 64-bit hash of the key. SQLite (one
host, development): an exclusive `flock` on a file per key in VAR_DIR. Both
wait at most until the delivery's deadline, then give up with a temporary
error (the delivery is retried; nothing was sent).
"""

import contextlib
import fcntl
import hashlib
import time

from django.conf import settings
from django.db import connection

from .adapters.base import TemporaryError


def lock_id(key):
    return int.from_bytes(hashlib.sha256(key.strip().lower().encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def person_lock(key, deadline=None, poll=0.05):
    give_up = deadline if deadline is not None else time.monotonic() + 60
    number = lock_id(key)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [number])
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() > give_up:
                    raise TemporaryError("Another worker is creating this person; try again.")
                time.sleep(poll)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [number])
        return
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"person-{number & 0xFFFFFFFFFFFF:x}.lock", "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > give_up:
                    raise TemporaryError("Another worker is creating this person; try again.") from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
