"""Background task results as one person's data (privacy/registry.py says
what this module provides).

A task keeps its arguments with its result: an e-mail task its recipients
and reply-to address (a relayed message: the visitor's), the preference-link
task the address it was asked for. They are deleted after
TASK_RESULT_RETENTION_HOURS (`prune_task_results`); an erasure deletes those
holding one of the person's addresses at once. Nothing is found or shown
here: the rows live a day at most and are no record about the person.

A task result holds an address when one of its arguments (or an item of a
list or mapping argument) *is* that address, compared trimmed and
lower-cased: not when the address only occurs inside a longer text, so that
erasing `lind@example.org` never deletes a queued e-mail to
`sara.lind@example.org`. A task that carries an address only inside a text
must also carry it as an argument of its own (send_email's `reply_to`).
"""

from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from .personal_data import Holding

KINDS = {}
RECEIPT_LABELS = {"task results": gettext_lazy("Background task results holding the address: %(count)s deleted")}


def strings(value):
    """Every string in an argument: itself, or the items of a list or mapping."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def holds(args_kwargs, addresses):
    return any(text.strip().lower() in addresses for text in strings(args_kwargs))


def holding_addresses(addresses):
    """The task results (not running now) one of whose arguments is one of `addresses`."""
    addresses = {address.strip().lower() for address in addresses if address}
    if not addresses:
        return DBTaskResult.objects.none()
    rows = DBTaskResult.objects.exclude(status="RUNNING").values_list("pk", "args_kwargs")
    return DBTaskResult.objects.filter(
        pk__in=[pk for pk, args_kwargs in rows.iterator() if holds(args_kwargs, addresses)]
    )


def find_person(email="", phone=""):
    return Holding()


def ledger_candidates(hasher):
    return ()


def holding_for(keys):
    return Holding()


def describe_person(held):
    return []


def erase_person(held, erasure):
    count = holding_addresses(erasure.emails).delete()[0]
    return [{"what": "task results", "count": count, "done": "deleted"}] if count else []
