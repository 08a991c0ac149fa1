"""Migrations carry a database of the previous release forward, losing nothing.

The previous release (the last commit before municipalities, advisers and
coworking spaces moved to places/) is unpacked from git, migrated and
loaded with its own demo content; then this checkout migrates the same
database and finds every row, content type and permission where it was.
Runs on SQLite, and on PostgreSQL when DATABASE_URL points there.
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
