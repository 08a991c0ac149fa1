"""Every migration since the running release only expands, or says it contracts.

A rolling deploy migrates while the running release still serves
(docs/deployment.md, "Migrations without downtime"); tests/test_migrations.py
runs that release's code on the migrated database, this file reads the
migrations themselves, which also catches what the demo content never
touches.
"""

import subprocess
import textwrap
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tasteget.migration_safety import MIGRATION_FILE, contract_operations, state_of_release
from tests.test_migrations import ROOT, RUNNING_RELEASE


class NoHistory(Exception):
    """The checkout has no git history reaching the running release."""


def files_of_release(commit, root):
    """The migration files (app/migrations/NNNN_name.py) at `commit`."""
    try:
        listing = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", commit], cwd=root, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise NoHistory(f"git cannot list {commit} in {root}: {error}") from error
    return {path for path in listing.splitlines() if MIGRATION_FILE.match(path)}


def added_since(commit, root):
    """The migration files of this checkout that `commit` did not have."""
    known = files_of_release(commit, root)
    current = sorted(root.glob("*/migrations/[0-9][0-9][0-9][0-9]_*.py"))
    return [path for path in current if path.relative_to(root).as_posix() not in known]


@pytest.fixture(scope="module")
def states():
    try:
        running_files = files_of_release(RUNNING_RELEASE, ROOT)
    except NoHistory as error:
        pytest.skip(f"the running release {RUNNING_RELEASE} is not in this checkout's git history ({error})")
    # wagtail_localize's first migration asks the database at import and
    # takes an OperationalError as "no database yet"; this check reads no
    # database, so it answers that.
    with mock.patch.object(MigrationRecorder.Migration.objects, "filter", side_effect=OperationalError):
        loader = MigrationLoader(None, ignore_no_migrations=True)
        return state_of_release(loader, running_files), loader.project_state()


def test_migrations_since_the_running_release_only_expand(states):
    running, final = states
    added = added_since(RUNNING_RELEASE, ROOT)
    if not added:
        pytest.skip(f"no migration added since the running release {RUNNING_RELEASE}")
    problems = [problem for path in added for problem in contract_operations(path, running, final)]
    assert problems == []


def write(tmp_path, source, name="0999_synthetic"):
    path = tmp_path / "intake" / "migrations" / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


BAD = """
from django.db import migrations, models
{declaration}

class Migration(migrations.Migration):
    dependencies = [("intake", "0015_fill_magazine_address_municipality")]
    operations = [
        migrations.RemoveField("registration", "town"),
        migrations.RenameField("registration", "country", "home_country"),
        migrations.AddField("registration", "shoe_size", models.IntegerField(default=0)),
        migrations.AlterField("registration", "adults", models.PositiveSmallIntegerField(blank=True)),
        migrations.AlterField("registration", "first_name", models.CharField(max_length=5)),
        migrations.RemoveConstraint("delivery", "one_delivery_per_destination_and_action"),
        migrations.DeleteModel("Consent"),
        migrations.RenameModel("Delivery", "Dispatch"),
        migrations.RunSQL("ALTER TABLE intake_registration DROP COLUMN phone"),
    ]
"""


def test_the_check_names_every_contract_operation_of_a_synthetic_migration(states, tmp_path):
    running, final = states
    problems = contract_operations(write(tmp_path, BAD.format(declaration="")), running, final)
    assert [problem.split(": ", 1)[1] for problem in problems] == [
        "RemoveField registration.town",
        "RenameField registration.country",
        "AddField registration.shoe_size is NOT NULL without a db_default",
        "AlterField registration.adults makes it NOT NULL",
        "AlterField registration.first_name narrows it (100 to 5)",
        "RemoveConstraint one_delivery_per_destination_and_action on delivery",
        "DeleteModel Consent",
        "RenameModel Delivery to Dispatch",
        "RunSQL 'ALTER TABLE intake_registration DROP COLUMN phone'",
    ]


def test_a_declared_contract_passes_and_an_undated_one_does_not(states, tmp_path):
    running, final = states
    dated = BAD.format(declaration="CONTRACT = True  # 2027-03 stopped reading town, country and phone")
    assert contract_operations(write(tmp_path, dated), running, final) == []
    undated = contract_operations(write(tmp_path, BAD.format(declaration="CONTRACT = True")), running, final)
    assert undated[-1].endswith("CONTRACT = True without a comment naming the release that stopped using the old shape")


def test_additions_pass(states, tmp_path):
    running, final = states
    additive = """
    from django.db import migrations, models

    def fill(apps, schema_editor):
        pass

    class Migration(migrations.Migration):
        dependencies = [("intake", "0015_fill_magazine_address_municipality")]
        operations = [
            migrations.CreateModel("Tally", [("id", models.BigAutoField(primary_key=True)),
                                             ("count", models.IntegerField())]),
            migrations.AddField("tally", "label", models.CharField(max_length=10)),
            migrations.RemoveField("tally", "label"),
            migrations.AddField("registration", "note", models.TextField(null=True)),
            migrations.AddField("registration", "tries", models.IntegerField(db_default=0)),
            migrations.AlterField("registration", "first_name", models.CharField(max_length=200)),
            migrations.AddIndex("registration", models.Index(fields=["town"], name="registration_town")),
            migrations.AddConstraint("registration", models.CheckConstraint(
                condition=models.Q(adults__gte=0), name="registration_adults")),
            migrations.RunPython(fill, migrations.RunPython.noop),
            migrations.RunSQL("CREATE INDEX IF NOT EXISTS x ON intake_registration (town)", "DROP INDEX x"),
        ]
    """
    assert contract_operations(write(tmp_path, additive), running, final) == []


def test_without_history_the_check_says_why():
    with pytest.raises(NoHistory):
        files_of_release("0" * 40, ROOT)
