"""Erasing again, after a backup is restored, everyone the erasure ledger
(ledger.py) holds: the ledger is read, each app's candidate rows are
matched against it (registry.py), and each matched person is erased as
the officer's erasure does (people.py). Its own module, because it uses
both: the ledger does not depend on the erasure, nor the erasure on this.
"""

from dataclasses import dataclass, field

from . import ledger, people, registry


@dataclass
class Reapplied:
    """What `reapply` read and did (or, on a dry run, would do)."""

    entries: int = 0
    unreadable: int = 0
    other_key: int = 0
    people: int = 0
    rows: dict = field(default_factory=dict)  # (app label, kind) -> how many rows
    crm_deliveries: int = 0
    receipts: list = field(default_factory=list)


def reapply(dry_run=False):
    """Erase again everyone the ledger holds who is in the database (after a restore).

    Every candidate row of every app (privacy/registry.py) is hashed once
    (not once per entry): the ledger's hashes go into one dictionary, the
    rows are looked up in it. Rows already anonymised or deleted are not
    candidates, so a second run finds nothing. Each matched person goes
    through `people.erase`, as the officer's erasure does: the CRM is told
    again through the outbox.
    """
    counts = Reapplied(rows={(label, kind): 0 for label, kind, _plural in registry.kinds()})
    current = ledger.key_id()
    wanted = {}  # keyed hash -> the entries that hold it
    erased_at = {}  # entry -> when
    order = []
    for name, entry in ledger.entries():
        counts.entries += 1
        moment = ledger.entry_time(entry)
        if entry is None or moment is None:
            counts.unreadable += 1
            continue
        if entry.get("key_id") != current:
            counts.other_key += 1
            continue
        order.append(name)
        erased_at[name] = moment
        for digest in [*entry.get("email_hashes", []), *entry.get("phone_hashes", [])]:
            wanted.setdefault(digest, []).append(name)

    found = {}  # entry name -> {(app label, kind): {id, …}}
    if wanted:
        hasher = ledger.Hasher()
        for label, module in registry.holders():
            for kind, pk, since, digests in module.ledger_candidates(hasher):
                for digest in digests:
                    for name in wanted.get(digest, ()):
                        # Rows made after the erasure are a new registration with new consent: not erased.
                        if since is None or since < erased_at[name]:
                            found.setdefault(name, {}).setdefault((label, kind), set()).add(pk)

    done = {}  # (app label, kind) -> ids an earlier entry took
    for name in order:
        if name not in found:
            continue
        rows = {key: ids - done.get(key, set()) for key, ids in found[name].items()}
        if not any(rows.values()):
            continue  # an earlier entry (the same person, erased twice) took these rows
        counts.people += 1
        keys = {}
        for (label, kind), ids in rows.items():
            done.setdefault((label, kind), set()).update(ids)
            counts.rows[(label, kind)] = counts.rows.get((label, kind), 0) + len(ids)
            keys.setdefault(label, {})[kind] = ids
        if dry_run:
            continue
        receipt = people.erase(people.for_ledger(keys), None, reapplied=name)
        counts.crm_deliveries += len(receipt.crm_deliveries)
        counts.receipts.append(receipt.pk)
    return counts
