"""Which apps hold personal data, and what each provides for it.

An app that holds personal data names, in its AppConfig, the module that
finds, shows and erases one person's data there:

    class IntakeConfig(AppConfig):
        personal_data = "intake.personal_data"

The app owns its part; privacy/ (people.py, ledger.py) only asks every app
in turn, logs, and writes the receipt. The apps sit below privacy/ and must
not import it (tests/test_architecture.py), so they do not call a
`register()` here: they declare the module, and this registry reads the
declarations of the installed apps, in INSTALLED_APPS order.
`tests/test_personal_data_registry.py` fails when an app has a model with
personal data and declares no module.

Such a module provides (the holding and the erasure are
`tasteget.personal_data.Holding` and `Erasure`):

- `KINDS`: {kind: plural name} of the rows it finds (the ledger's counts);
- `RECEIPT_LABELS`: {what: text} for the receipt items its erasure returns
  (`%(id)s` and `%(count)s` are filled from the item);
- `find_person(email="", phone="") -> Holding`: its rows of the address
  (trimmed, lower-cased) or of the phone number (international digits);
- `describe_person(holding) -> sections`: each a dict of plain values (the
  JSON export) with `rows`, its (label, value) pairs for the page and XLSX
  (`tasteget.personal_data.section`);
- `erase_person(holding, erasure) -> receipt items`: erases, inside the
  erasure's transaction, and returns [{"what": …, "id" or "count": …}];
- `ledger_candidates(hasher)`: (kind, id, since, keyed hashes) of every row
  an erasure could have named, for `reapply_erasures` after a restore;
- `holding_for({kind: ids}) -> Holding`: the rows the ledger matched;
- optionally `erasure_requests(ids)`: the state of requests it sent to
  outside systems ((number, status, manual step or "")), for the receipt.
"""

from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

REQUIRED = (
    "KINDS",
    "RECEIPT_LABELS",
    "find_person",
    "describe_person",
    "erase_person",
    "ledger_candidates",
    "holding_for",
)


def declared():
    """{app label: module path} of every installed app that declares one."""
    return {
        config.label: config.personal_data for config in apps.get_app_configs() if getattr(config, "personal_data", "")
    }


def holders():
    """[(app label, module)] of every app holding personal data, in INSTALLED_APPS order."""
    found = []
    for label, path in declared().items():
        try:
            module = import_module(path)
        except ImportError as error:
            raise ImproperlyConfigured(f"{label}: personal_data module {path!r} cannot be imported: {error}") from error
        missing = [attribute for attribute in REQUIRED if not hasattr(module, attribute)]
        if missing:
            raise ImproperlyConfigured(f"{label}: {path} does not provide {', '.join(missing)}")
        found.append((label, module))
    return found


def kinds():
    """[(app label, kind, plural name)] of every kind of row, in order."""
    return [(label, kind, plural) for label, module in holders() for kind, plural in module.KINDS.items()]


def receipt_labels():
    labels = {}
    for _label, module in holders():
        labels.update(module.RECEIPT_LABELS)
    return labels
