"""Migrations carry a database of the previous release forward, losing nothing.

The previous release (the last commit before municipalities, advisers and
coworking spaces moved to places/) is unpacked from git, migrated and
loaded with its own demo content; then this checkout migrates the same
database and finds every row, content type and permission where it was.
Runs on SQLite, and on PostgreSQL when DATABASE_URL points there.

The second test is a rolling deploy: the running release's own code serves
and works the queue on a database this checkout has migrated
(docs/deployment.md, "Migrations without downtime").
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS_RELEASE = "3cd8ea5"  # main before the places app

COUNT = """
import json
from django.contrib.contenttypes.models import ContentType
from django.db import connection
tables = ["home_municipality", "home_adviser", "ambassadors_coworkingspace", "ambassadors_coworkingindexpage",
          "intake_registration", "stories_storypage", "home_municipalitypage", "ambassadors_ambassador"]
with connection.cursor() as cursor:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        counts[table] = cursor.fetchone()[0]
types = {f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.filter(
    model__in=["municipality", "adviser", "coworkingspace", "coworkingindexpage"])}
print(json.dumps({"counts": counts, "types": types}))
"""

CHECK = """
import json
from django.test import Client
from wagtail.models import Page
from django.contrib.auth.models import Permission
from places.models import Adviser, CoworkingIndexPage, CoworkingSpace, Municipality
from intake.models import Registration
from magazine.models import MagazineIndexPage
page = Page.objects.get(slug="coworking", locale__language_code="sv")
body = Client().get("/coworking/").content.decode()
print(json.dumps({
    "municipalities": Municipality.objects.count(),
    "advisers": Adviser.objects.count(),
    "spaces": CoworkingSpace.objects.count(),
    "registrations_routed": Registration.objects.filter(municipality__advisers__isnull=False).distinct().count(),
    "page_class": type(page.specific).__name__,
    "cards": body.count('class="card coworking"'),
    "permission": Permission.objects.filter(content_type__app_label="places", codename="change_municipality").count(),
    # The order page named its issue by hand; that issue is now marked current.
    "current_issue": MagazineIndexPage.objects.get(locale__language_code="sv").current_issue.issue_number,
}))
"""


@pytest.fixture
def database_url():
    """A database of its own: a SQLite file, or a new PostgreSQL database beside the test one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        path = ROOT / "var" / f"migrate-{uuid.uuid4().hex[:8]}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        yield f"sqlite:///{path}"
        path.unlink(missing_ok=True)
        return
    name = f"tasteget_migrate_{uuid.uuid4().hex[:8]}"
    server = url.rsplit("/", 1)[0]
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    yield f"{server}/{name}"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)


def manage(cwd, database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tasteget.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def test_a_database_of_the_previous_release_migrates_forward_with_nothing_lost(tmp_path, database_url):
    previous = tmp_path / "previous"
    previous.mkdir()
    archive = subprocess.run(["git", "archive", PREVIOUS_RELEASE], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(previous)], input=archive.stdout, check=True)

    manage(previous, database_url, "migrate", "--noinput", "-v", "0")
    manage(previous, database_url, "load_demo_content", "-v", "0")
    manage(
        previous,
        database_url,
        "shell",
        "-c",
        "from home.models import Municipality; from intake.services import register; "
        "are = Municipality.objects.in_default_locale().get(slug='are'); "
        "register(kind='guidance', cleaned={'first_name': 'Kvar', 'email': 'kvar@example.org'}, municipality=are, "
        "source='tasteget.nu', language='sv', submission_key='before-the-move', consent_version='2026-1')",
    )
    before = json.loads(manage(previous, database_url, "shell", "-c", COUNT))

    manage(ROOT, database_url, "migrate", "--noinput", "-v", "0")
    after = json.loads(manage(ROOT, database_url, "shell", "-c", COUNT))
    assert after["counts"] == before["counts"] and before["counts"]["intake_registration"] == 1
    # The same content type rows, now under places: revisions, logs and permissions follow.
    moved = {
        name.replace("home.", "places.").replace("ambassadors.", "places."): pk for name, pk in before["types"].items()
    }
    assert after["types"] == moved

    check = json.loads(manage(ROOT, database_url, "shell", "-c", CHECK))
    assert check == {
        "municipalities": before["counts"]["home_municipality"],
        "advisers": before["counts"]["home_adviser"],
        "spaces": before["counts"]["ambassadors_coworkingspace"],
        "registrations_routed": 1,
        "page_class": "CoworkingIndexPage",
        "cards": 8,
        "permission": 1,
        "current_issue": "2026:1",
    }


# The release before this one: what still runs while a rolling deploy
# migrates. Move it forward when a release lands (docs/deployment.md,
# "Migrations without downtime"); tests/test_migration_safety.py reads the
# same commit.
RUNNING_RELEASE = "9aaa47f"

# The running release's code, against the database migrated ahead of it:
# what its pods do while the new pods start.
SERVE = """
import json, re
from django.contrib.auth import get_user_model
from django.test import Client
from intake.models import Registration
from stories.models import StoryPage
client = Client()
story = StoryPage.objects.live().filter(locale__language_code="sv").first()
form = client.get("/anmal-intresse/")
values = {name: value for name, value in re.findall(
    r'name="(form_token|consent_version)" value="([^"]+)"', form.content.decode())}
before = Registration.objects.count()
posted = client.post("/anmal-intresse/", {**values, "first_name": "Under", "last_name": "Driftsättning",
    "email": "rullande@example.org", "preferred_contact": "email", "municipality": "are", "adults": "1",
    "children": "0", "move_when": "6_12_months", "topics": ["jobs"], "consent": "on"})
registration = Registration.objects.filter(email="rullande@example.org").first()
admin = Client()
admin.force_login(get_user_model().objects.create_superuser("rullande", "admin@example.org", "x"))
listing = admin.get("/admin/registrations/")
print(json.dumps({
    "home": client.get("/").status_code,
    "story": client.get(story.url).status_code,
    "form": form.status_code,
    "post": posted.status_code,
    "stored": Registration.objects.count() - before,
    "deliveries": registration.deliveries.count() if registration else 0,
    "listing": listing.status_code,
    "listed": f"/admin/registrations/inspect/{registration.pk}/" in listing.content.decode() if registration else False,
}))
"""

DELIVERED = """
import json
from intake.models import Delivery
rows = Delivery.objects.filter(registration__email="rullande@example.org")
print(json.dumps({"delivered": rows.filter(status="delivered").count(), "all": rows.count()}))
"""


def test_the_running_release_keeps_serving_a_database_migrated_for_the_next(tmp_path, database_url):
    """A rolling deploy: the migrate Job runs this checkout's migrations while
    the running release's pods still serve. Their code must find everything
    it reads and writes: pages, the registration form, the admin, the worker."""
    running = tmp_path / "running"
    running.mkdir()
    archive = subprocess.run(["git", "archive", RUNNING_RELEASE], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(running)], input=archive.stdout, check=True)

    manage(running, database_url, "migrate", "--noinput", "-v", "0")
    manage(running, database_url, "load_demo_content", "-v", "0")
    manage(ROOT, database_url, "migrate", "--noinput", "-v", "0")

    served = json.loads(manage(running, database_url, "shell", "-c", SERVE))
    assert served == {
        "home": 200,
        "story": 200,
        "form": 200,
        "post": 302,
        "stored": 1,
        "deliveries": 4,  # the CRM, two advisers in Åre, the confirmation
        "listing": 200,
        "listed": True,
    }
    manage(running, database_url, "run_worker", "--queue-name", "*", "--batch", "--nice", "0")
    assert json.loads(manage(running, database_url, "shell", "-c", DELIVERED)) == {"delivered": 4, "all": 4}
