"""One migrated demo database per test run, copied wherever the suite needs one.

Migrating and loading the demo content costs about a minute of CPU. Each
pytest-xdist process, the browser tests' site server and the drills that
start a whole site used to pay it. Now the first process that needs a test
database builds the template under a file lock (`migrate`, the demo content,
the search index, the queued index tasks run once), and every process takes
a copy:

- PostgreSQL: `CREATE DATABASE … TEMPLATE`, as Django's own test runner
  clones test databases for parallel runs;
- SQLite: the backup API, into the process's in-memory test database, or
  into a file for a subprocess.

The template lives as long as the run: the run's controlling process (the
only process without xdist) removes it at the end (`drop_templates`).
"""

import contextlib
import fcntl
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = "TASTEGET_TEST_RUN"  # environment: the run's id, shared with the xdist processes
TEMPLATES = ROOT / "var" / "test-templates"
IN_MEMORY = "file:memorydb_default?mode=memory&cache=shared"  # Django's name for it
current = None  # this process's Template, while its test database is set up (tests/conftest.py)


def start_run():
    """In the controlling process: one id for the whole run (workers inherit it)."""
    os.environ.setdefault(RUN, uuid.uuid4().hex[:12])


def run_id():
    start_run()  # a process started without the plugin (a single test file run by hand)
    return os.environ[RUN]


def server(settings_dict):
    """psycopg connection arguments of a PostgreSQL settings dict, without a database name."""
    arguments = {
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
    }
    if settings_dict["PASSWORD"]:
        arguments["password"] = settings_dict["PASSWORD"]
    return arguments


def database_url(settings_dict, name):
    arguments = server(settings_dict)
    auth = arguments["user"] + (f":{arguments['password']}" if "password" in arguments else "")
    return f"postgres://{auth}@{arguments['host']}:{arguments['port']}/{name}"


def admin(settings_dict):
    import psycopg

    return psycopg.connect(dbname="postgres", autocommit=True, **server(settings_dict))


class Template:
    def __init__(self, connection):
        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        run = run_id()
        TEMPLATES.mkdir(parents=True, exist_ok=True)
        self.lock_path = TEMPLATES / f"{run}.lock"
        self.ready = TEMPLATES / f"{run}.ready"
        self.media = TEMPLATES / f"{run}-media"
        if self.sqlite:
            self.name = str(TEMPLATES / f"{run}.sqlite3")
        else:
            # Named after the configured database, so that CI's cleanup of
            # test_<database>% finds it too.
            self.name = f"test_{connection.settings_dict['NAME']}_template_{run}"[:63]

    @contextlib.contextmanager
    def lock(self):
        with self.lock_path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ensure(self):
        """Build the template once per run; every later caller waits for it, then goes on."""
        with self.lock():
            if not self.ready.exists():
                self.build()
                self.ready.touch()

    def build(self):
        from django.conf import settings
        from django.core.management import call_command

        from tests.conftest import run_worker

        connection = self.connection
        old_name = connection.settings_dict["NAME"]
        test_settings = connection.settings_dict["TEST"]
        old_test_name = test_settings.get("NAME")
        test_settings["NAME"] = self.name
        try:
            connection.creation.create_test_db(verbosity=0, autoclobber=True)
            call_command("load_demo_content", verbosity=0)
            call_command("update_index", verbosity=0)
            # The worker catches up once with what loading queued (about a
            # thousand search- and reference-index tasks), as on a running
            # site; left queued, every test that runs the worker ran them all
            # again.
            run_worker()
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.all().delete()
            # The demo images' files, for every copy of the database.
            if Path(settings.MEDIA_ROOT).is_dir():
                shutil.copytree(settings.MEDIA_ROOT, self.media, dirs_exist_ok=True)
            connection.close()
        finally:
            test_settings["NAME"] = old_test_name
            settings.DATABASES[connection.alias]["NAME"] = old_name
            connection.settings_dict["NAME"] = old_name

    def copy_media(self, media_root):
        if self.media.is_dir():
            shutil.copytree(self.media, media_root, dirs_exist_ok=True)

    def install_as_test_database(self, suffix):
        """Point the connection at a fresh copy of the template, as
        `create_test_db` would have made it; returns the name to restore
        (for `destroy_test_db`)."""
        from django.conf import settings

        connection = self.connection
        old_name = connection.settings_dict["NAME"]
        connection.close()
        if self.sqlite:
            name = IN_MEMORY
        else:
            name = f"test_{old_name}_{suffix}"[:63]
            with admin(connection.settings_dict) as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        settings.DATABASES[connection.alias]["NAME"] = name
        connection.settings_dict["NAME"] = name
        connection.ensure_connection()
        if self.sqlite:
            source = sqlite3.connect(self.name)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
        self.copy_media(settings.MEDIA_ROOT)
        return old_name

    def copy_for_process(self, workdir):
        """A copy a subprocess can open: (database_url, drop)."""
        settings_dict = self.connection.settings_dict
        if self.sqlite:
            path = Path(workdir) / f"site-{uuid.uuid4().hex[:8]}.sqlite3"
            source, target = sqlite3.connect(self.name), sqlite3.connect(path)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
            return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
        name = f"stack_{uuid.uuid4().hex[:10]}"
        with admin(settings_dict) as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')

        def drop():
            with admin(settings_dict) as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return database_url(settings_dict, name), drop


def drop_templates(settings_dict):
    """At the end of the run, in the controlling process: remove this run's template."""
    run = os.environ.get(RUN)
    if not run:
        return
    if settings_dict["ENGINE"].endswith("postgresql"):
        name = f"test_{settings_dict['NAME']}_template_{run}"[:63]
        with contextlib.suppress(Exception), admin(settings_dict) as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for path in TEMPLATES.glob(f"{run}*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
