"""Expand, then contract: a release's migrations leave the running release working.

During a rolling deploy the migrate Job runs the new release's migrations
while the pods of the release before it keep serving (docs/deployment.md,
"Migrations without downtime"). So a migration may only add: new tables,
nullable columns or columns with a database default, indexes, constraints,
data. What takes something away from the shape the running release reads
and writes (a drop, a rename, a column made NOT NULL, a narrower or other
type) waits for a later "contract" release, and its migration says so:

    CONTRACT = True  # 2027-03 stopped reading Registration.old_field

`contract_operations()` reads one migration file and names each operation
that is a contract without that declaration. The running release's shape is
the migration state at its commit (`state_of_release()`), so operations on
tables that release never knew (created by the new release) are free.
tests/test_migration_safety.py runs it over every migration added since
the running release (it lists them with git).
"""

import importlib.util
import re
from pathlib import Path

from django.db import migrations
from django.db.models import NOT_PROVIDED

MIGRATION_FILE = re.compile(r"^(?P<app>[^/]+)/migrations/(?P<name>\d{4}_\w+)\.py$")
# The declaration, with a comment on its line or the line above naming the
# release that stopped using the old shape.
DECLARED = re.compile(r"^(?:#\s*\S.*\n)?CONTRACT\s*=\s*True\b(?P<rest>.*)$", re.MULTILINE)
DESTRUCTIVE_SQL = re.compile(r"\b(DROP|RENAME)\b|\bSET\s+NOT\s+NULL\b|\bALTER\s+COLUMN\b.*\bTYPE\b", re.IGNORECASE)


def state_of_release(loader, files):
    """The models as the release with these migration files knew them."""
    nodes = []
    for path in files:
        match = MIGRATION_FILE.match(path)
        node = (match["app"], match["name"])
        if node in loader.graph.nodes:
            nodes.append(node)
    return loader.project_state(nodes, at_end=True)


def _load(path):
    spec = importlib.util.spec_from_file_location(f"_migration_safety_{path.parent.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared(path, module):
    """None when the file is a declared contract, else what is missing."""
    if getattr(module, "CONTRACT", False) is not True:
        return "no CONTRACT = True"
    match = DECLARED.search(path.read_text())
    above = match and match.group(0).startswith("#")
    if match and (above or "#" in match["rest"]):
        return None
    return "CONTRACT = True without a comment naming the release that stopped using the old shape"


def _sql_texts(sql):
    if isinstance(sql, str):
        return [sql]
    texts = []
    for each in sql:
        texts.append(each[0] if isinstance(each, (list, tuple)) else each)
    return texts


def _field_problem(model, name, old, new):
    """How `new` breaks code that knows the column as `old`, or None."""
    where = f"{model}.{name}"
    if old.deconstruct()[1] != new.deconstruct()[1]:
        return f"AlterField {where} changes its type ({old.deconstruct()[1]} to {new.deconstruct()[1]})"
    if (old.db_column or name) != (new.db_column or name):
        return f"AlterField {where} renames its column"
    if old.max_length and new.max_length and new.max_length < old.max_length:
        return f"AlterField {where} narrows it ({old.max_length} to {new.max_length})"
    if old.null and not new.null:
        # The running release writes NULL into the column itself: a
        # database default does not help an INSERT that names the column.
        return f"AlterField {where} makes it NOT NULL"
    if old.db_default is not NOT_PROVIDED and new.db_default is NOT_PROVIDED and not new.null:
        return f"AlterField {where} drops its database default, which the running release's INSERTs rely on"
    return None


def _problems(operation, app, running, final, siblings):
    model_name = getattr(operation, "model_name", None) or getattr(operation, "name", "")
    key = (app, model_name.lower())
    known = running.models.get(key)
    name = type(operation).__name__
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        return [p for op in operation.database_operations for p in _problems(op, app, running, final, siblings)]
    if isinstance(operation, migrations.RunSQL):
        return [f"RunSQL {text.strip()[:60]!r}" for text in _sql_texts(operation.sql) if DESTRUCTIVE_SQL.search(text)]
    if isinstance(operation, migrations.RenameModel):
        known = running.models.get((app, operation.old_name_lower))
        return [f"RenameModel {operation.old_name} to {operation.new_name}"] if known else []
    if known is None:
        return []  # a table the running release never knew
    if isinstance(operation, (migrations.DeleteModel, migrations.AlterModelTable)):
        return [f"{name} {model_name}"]
    if isinstance(operation, (migrations.RemoveField, migrations.RenameField)):
        field = getattr(operation, "name", None) or operation.old_name
        return [f"{name} {model_name}.{field}"] if field in known.fields else []
    if isinstance(operation, migrations.RemoveConstraint):
        replaced = any(
            isinstance(op, migrations.AddConstraint)
            and op.model_name_lower == operation.model_name_lower
            and op.constraint.name == operation.name
            for op in siblings
        )
        # A unique constraint may be what refuses the running release's
        # duplicates; one dropped and added again under its name is a
        # replacement (reviewed with the migration), not a removal.
        return [] if replaced else [f"RemoveConstraint {operation.name} on {model_name}"]
    if isinstance(operation, migrations.AddField):
        field = operation.field
        if field.many_to_many or field.null or field.db_default is not NOT_PROVIDED:
            return []
        later = final.models.get(key)
        later = later and later.fields.get(operation.name)
        if later is not None and (later.null or later.db_default is not NOT_PROVIDED):
            # A later migration of the same release gives the column its
            # default; the gap lasts only while the migrate Job runs.
            return []
        return [f"AddField {model_name}.{operation.name} is NOT NULL without a db_default"]
    if isinstance(operation, migrations.AlterField) and operation.name in known.fields:
        problem = _field_problem(model_name, operation.name, known.fields[operation.name], operation.field)
        return [problem] if problem else []
    return []


def contract_operations(path, running, final):
    """The contract operations in the migration file `path` that it does not declare.

    `running` is the migration state of the running release
    (`state_of_release()`), `final` the state after this checkout's
    migrations (`MigrationLoader(None).project_state()`).
    """
    path = Path(path)
    module = _load(path)
    missing = _declared(path, module)
    if missing is None:
        return []
    app = path.parent.parent.name
    operations = module.Migration.operations
    found = [p for op in operations for p in _problems(op, app, running, final, operations)]
    if found and missing != "no CONTRACT = True":
        found.append(missing)
    return [f"{app}/migrations/{path.name}: {problem}" for problem in found]
