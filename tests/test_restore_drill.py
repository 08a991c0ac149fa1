"""The restore drill of docs/backups.md: a backup restored after an erasure
brings the person back, and `manage.py reapply_erasures` erases them again.

A database of its own (a new PostgreSQL database beside the test one when
DATABASE_URL points to PostgreSQL, a SQLite file otherwise), a copy of the
migrated demo site, is driven by `manage.py` processes, as an operator would: a person registers
(guidance, newsletter, magazine order, ambassador application, ambassador
profile) and reaches a CRM (a local fake webhook receiver); the database is
dumped (`pg_dump`; on SQLite the file is copied); the data protection officer
erases the person in the admin; the dump is restored (`pg_restore` into a
re-created database; the copy put back) and the person is back; then
`reapply_erasures` finds them through the erasure ledger (a directory of the
test's own), erases them again, the CRM is told again, and neither the
database nor the registration exports hold anything of them.
"""

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests import fake_crm

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "Saga.Berg@example.org"
PHONE = "070-555 12 34"
OTHER = "olle.kvar@example.org"

# Every script below runs in its own `manage.py shell` process against the
# drill database; the CRM is the test's fake webhook receiver.
CRM = """
import os
from django.conf import settings
from django.core.management import call_command
settings.CRM_BACKEND = "webhook"
settings.CRM_WEBHOOK_URL = os.environ["DRILL_CRM_URL"] + "/hook"
settings.CRM_WEBHOOK_SECRET = "a-drill-secret"

def run_worker():
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)
"""

REGISTER = (
    CRM
    + """
from django.contrib.auth.models import Group, User
from django.utils import timezone
from ambassadors.models import Ambassador, AmbassadorApplication
from intake.services import confirm_newsletter, register
from tests.factories import MunicipalityFactory

EMAIL, PHONE, OTHER = os.environ["DRILL_EMAIL"], os.environ["DRILL_PHONE"], os.environ["DRILL_OTHER"]
are = MunicipalityFactory(name="Drillkommun", slug="drill")
common = dict(municipality=are, source="tasteget.nu", language="sv", consent_version="2026-1")
register(kind="guidance", submission_key="g1", cleaned={
    "first_name": "Saga", "last_name": "Berg", "email": EMAIL, "phone": PHONE, "town": "Oslo",
    "message": "Vi vill flytta till fjällen."}, **common)
newsletter = register(kind="newsletter", submission_key="n1", cleaned={"email": EMAIL}, **common)
confirm_newsletter(newsletter.registration)
register(kind="magazine", submission_key="m1", cleaned={
    "first_name": "Saga", "last_name": "Berg", "email": EMAIL, "street_address": "Fjällvägen 3",
    "postal_code": "837 52", "town": "Åre", "country": "Sverige", "magazine_issue": "2026:1"}, **common)
register(kind="guidance", submission_key="o1", cleaned={"first_name": "Olle", "email": OTHER}, **common)
AmbassadorApplication.objects.create(
    name="Saga Berg", email=EMAIL, phone="+46 70 555 12 34", municipality=are, languages="sv", text="Hej",
    consent_text="…", consent_version="2026-1", consent_language="sv", submission_key="a1")
Ambassador.objects.create(name="Saga", municipality=are, languages="sv", text="Hej", email=EMAIL.lower(),
    consent_given_at=timezone.now())
dpo = User.objects.create_user("dpo", "dpo@example.org", "a-long-drill-password")
dpo.groups.add(Group.objects.get(name="Dataskyddsombud"))
User.objects.create_superuser("region", "region@example.org", "a-long-drill-password")
run_worker()
"""
)

ERASE = (
    CRM
    + """
from django.contrib.auth.models import User
from django.test import Client
client = Client()
client.force_login(User.objects.get(username="dpo"))
response = client.post("/admin/personal-data/erase/", {"q": os.environ["DRILL_EMAIL"], "confirm": "on"})
assert response.status_code == 302, response.status_code
run_worker()
"""
)

DELIVER = CRM + "run_worker()\n"

LOOK = """
import io, json, os
from django.contrib.auth.models import User
from django.test import Client
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook
from ambassadors.models import Ambassador, AmbassadorApplication
from intake.models import AccessLogEntry, Delivery, Registration
from intake.subscribers import person_key
from privacy import people
from privacy.models import ErasureReceipt

EMAIL, PHONE, OTHER = os.environ["DRILL_EMAIL"], os.environ["DRILL_PHONE"], os.environ["DRILL_OTHER"]
client = Client()
client.force_login(User.objects.get(username="region"))
def body(url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content
csv = body("/admin/registrations/?export=csv").decode()
sheet = load_workbook(io.BytesIO(body("/admin/registrations/?export=xlsx"))).active
xlsx = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
mailing = body("/admin/mailing-list/?format=csv").decode()
def holds_person(text):
    return any(word in text.lower() for word in (EMAIL.lower(), "saga", "fjällvägen", "555 12 34"))
print(json.dumps({
    "registrations": Registration.objects.filter(email__iexact=EMAIL).count(),
    "named": Registration.objects.filter(first_name="Saga").count(),
    "by_phone": sum(people.phone_digits(p) == people.phone_digits(PHONE)
                    for p in Registration.objects.values_list("phone", flat=True)),
    "by_hash": Registration.objects.filter(person_hash=person_key(EMAIL), anonymised_at__isnull=True).count(),
    "applications": AmbassadorApplication.objects.filter(email__iexact=EMAIL).count(),
    "ambassadors": Ambassador.objects.filter(email__iexact=EMAIL).count(),
    "found": people.find(EMAIL).found or people.find(PHONE).found,
    "recipients": Delivery.objects.filter(recipient__iexact=EMAIL).count(),
    "task_results": DBTaskResult.objects.filter(args_kwargs__icontains=EMAIL.lower()).count(),
    "access_log": sum(EMAIL.lower() in str(vars(entry)).lower() for entry in AccessLogEntry.objects.all()),
    "csv": holds_person(csv), "xlsx": holds_person(xlsx), "mailing_list": holds_person(mailing),
    "csv_rows": csv.count("\\n"),
    "other": Registration.objects.filter(email=OTHER).count(),
    "receipts": list(ErasureReceipt.objects.order_by("pk").values_list("items", flat=True)),
}))
"""

GONE = {
    "registrations": 0,
    "named": 0,
    "by_phone": 0,
    "by_hash": 0,
    "applications": 0,
    "ambassadors": 0,
    "found": False,
    "recipients": 0,
    "task_results": 0,
    "access_log": 0,
    "csv": False,
    "xlsx": False,
    "mailing_list": False,
}


class Drill:
    """The drill database, its dump, and `manage.py` against it."""

    def __init__(self, tmp_path, crm_url):
        self.tmp = tmp_path
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith("postgres")
        if self.postgres:
            self.server = url.rsplit("/", 1)[0]
            self.name = f"tasteget_drill_{uuid.uuid4().hex[:8]}"
            self.url = f"{self.server}/{self.name}"
        else:
            self.path = ROOT / "var" / f"drill-{uuid.uuid4().hex[:8]}.sqlite3"
            self.path.parent.mkdir(exist_ok=True)
            self.url = f"sqlite:///{self.path}"
        self.dump = tmp_path / "drill.dump"
        self.env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "tasteget.settings.test",
            "ERASURE_LEDGER_DIR": str(tmp_path / "erasure-ledger"),
            "DRILL_CRM_URL": crm_url,
            "DRILL_EMAIL": EMAIL,
            "DRILL_PHONE": PHONE,
            "DRILL_OTHER": OTHER,
        }

    def psql(self, command, check=True):
        subprocess.run(["psql", f"{self.server}/postgres", "-qc", command], check=check, capture_output=True)

    def create(self, template=None):
        """An empty database, or (`template`) a copy of the run's migrated demo database."""
        if self.postgres:
            self.psql(
                f'CREATE DATABASE {self.name} TEMPLATE "{template.name}"'
                if template
                else f"CREATE DATABASE {self.name}"
            )
        elif template:
            source, target = sqlite3.connect(template.name), sqlite3.connect(self.path)
            with contextlib.closing(source), contextlib.closing(target):
                source.backup(target)

    def drop(self):
        if self.postgres:
            self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)", check=False)
        else:
            self.path.unlink(missing_ok=True)

    def back_up(self):
        if self.postgres:
            subprocess.run(["pg_dump", "-Fc", "-f", str(self.dump), self.url], check=True)
        else:
            shutil.copyfile(self.path, self.dump)

    def restore(self):
        """The database as the dump has it: dropped, created empty and restored."""
        if self.postgres:
            self.drop()
            self.create()
            subprocess.run(["pg_restore", "--no-owner", "-d", self.url, str(self.dump)], check=True)
        else:
            self.path.unlink()
            shutil.copyfile(self.dump, self.path)

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        return result.stdout

    def run(self, script):
        return self.manage("shell", "-c", script)

    def look(self):
        return json.loads(self.run(LOOK).strip().splitlines()[-1])


@pytest.fixture
def crm():
    server = fake_crm.start()
    yield server
    server.shutdown()


@pytest.fixture
def drill(tmp_path, crm, django_db_setup):
    from tests import template_database

    drill = Drill(tmp_path, crm.url)
    # The site as it runs: migrated, with the demo content (a copy of the
    # run's template instead of migrating again, tests/template_database.py).
    drill.create(template=template_database.current)
    yield drill
    drill.drop()


def erasures(crm):
    return [payload for kind, payload in crm.erasures if kind == "webhook"]


def test_a_restored_backup_does_not_bring_an_erased_person_back(drill, crm):
    drill.manage("migrate", "--noinput", "-v", "0")
    drill.run(REGISTER)
    drill.manage("purge_personal_data")  # the confirmed subscription keeps only the address's hash
    before = drill.look()
    assert before["registrations"] == 2 and before["by_hash"] == 1 and before["by_phone"] == 1
    assert before["applications"] == 1 and before["ambassadors"] == 1 and before["csv"] and before["xlsx"]
    assert set(crm.people) == {EMAIL, OTHER}, crm.people
    person_id = crm.people[EMAIL]

    drill.back_up()
    drill.run(ERASE)
    erased = drill.look()
    assert {name: erased[name] for name in GONE} == GONE
    assert [payload["crm_person_id"] for payload in erasures(crm)] == [str(person_id)]
    ledger = list((drill.tmp / "erasure-ledger").rglob("*.json"))
    assert len(ledger) == 1
    assert "saga" not in ledger[0].read_text().lower() and "5551234" not in ledger[0].read_text()

    drill.restore()
    restored = drill.look()
    assert {name: restored[name] for name in GONE} == {name: before[name] for name in GONE}
    assert restored["found"] and restored["csv"] and restored["xlsx"] and restored["receipts"] == []

    dry = drill.manage("reapply_erasures", "--dry-run")
    assert "people would be erased: 1" in dry
    assert drill.look()["found"]

    output = drill.manage("reapply_erasures")
    assert "people erased again: 1" in output and "CRM erasure deliveries queued: 1" in output
    drill.run(DELIVER)
    after = drill.look()
    assert {name: after[name] for name in GONE} == GONE
    assert after["other"] == 1 and after["csv_rows"] == restored["csv_rows"]  # rows stay, anonymised
    assert after["receipts"][-1][-1]["what"] == "ledger entry"
    # The CRM is told again: the restored database had forgotten the first time.
    assert [payload["crm_person_id"] for payload in erasures(crm)] == [str(person_id)] * 2
    assert all("email" not in json.dumps(payload) for payload in erasures(crm))

    again = drill.manage("reapply_erasures")
    assert "people erased again: 0" in again and "CRM erasure deliveries queued: 0" in again
    assert len(list((drill.tmp / "erasure-ledger").rglob("*.json"))) == 1  # reapplying writes no new entry
