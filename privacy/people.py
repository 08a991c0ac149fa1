"""One person's data across the site: found by e-mail or phone, shown, exported
(Art. 15 and 20) and erased (Art. 17). docs/data-protection.md explains what
each step does; the views in `views.py` only check permissions and log.

Each app owns its part (privacy/registry.py): this module asks every app in
turn, puts the answers together, and writes the receipt and the ledger entry.
"""

import io
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tasteget.helpers import neutralise_formula
from tasteget.personal_data import Erasure, Holding, phone_digits

from . import ledger, registry
from .models import ErasureReceipt

__all__ = ["Person", "as_json", "as_xlsx", "describe", "described_rows", "erase", "find", "phone_digits"]


@dataclass
class Person:
    """What every app holds about one person: {app label: Holding}."""

    query_kind: str = ""
    holdings: dict = field(default_factory=dict)
    emails: set = field(default_factory=set)

    @property
    def found(self):
        return any(self.holdings.values())

    def rows(self):
        """(label, id) of every row, for the access log: no personal data."""
        return [row for holding in self.holdings.values() for row in holding.log_rows]

    @property
    def summary(self):
        return [line for holding in self.holdings.values() for line in holding.summary]

    @property
    def email_keys(self):
        return {key for holding in self.holdings.values() for key in holding.email_keys}

    @property
    def phones(self):
        return {phone for holding in self.holdings.values() for phone in holding.phones}


def person_of(holdings, query_kind, query_email=""):
    person = Person(query_kind=query_kind, holdings=holdings)
    person.emails = {email for holding in holdings.values() for email in holding.emails}
    if query_email:
        person.emails.add(query_email)
    return person


def find(query):
    """Everything that belongs to the e-mail address or phone number `query`."""
    query = (query or "").strip()[:254]
    if "@" in query:
        email = query.lower()
        holdings = {label: module.find_person(email=email) for label, module in registry.holders()}
        return person_of(holdings, "email", email)
    if len(phone_digits(query)) >= 6:
        phone = phone_digits(query)
        holdings = {label: module.find_person(phone=phone) for label, module in registry.holders()}
        return person_of(holdings, "phone")
    return Person()


def for_ledger(keys):
    """The person the erasure ledger matched: {app label: {kind: ids}}."""
    holdings = {label: module.holding_for(keys.get(label, {})) for label, module in registry.holders()}
    return person_of(holdings, "ledger")


def described_rows(person):
    """Every app's sections of the person's data, each with its `rows` of labels and readable values
    (the page and the XLSX)."""
    return [
        section
        for label, module in registry.holders()
        for section in module.describe_person(person.holdings.get(label, Holding()))
    ]


def describe(person):
    """The person's data as plain values: the JSON export."""
    return [{key: value for key, value in section.items() if key != "rows"} for section in described_rows(person)]


def as_json(person):
    document = {"exported_at": timezone.now(), "controller": "Region Jämtland Härjedalen", "data": describe(person)}
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, default=str)


def as_xlsx(person):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Personuppgifter"
    sheet.append([_("Source"), _("Field"), _("Value")])
    for section in described_rows(person):
        for name, value in section["rows"]:
            sheet.append([section["source"], name, neutralise_formula(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def erase(person, user, query="", reapplied=""):
    """Remove the person from the site and tell the CRM; return the receipt.

    Every app erases its own part (privacy/registry.py) in one transaction:
    registrations are anonymised and the CRM is told through the outbox
    (intake), ambassador applications and profiles deleted with their
    history (ambassadors), task results holding one of the addresses deleted
    (tasteget). The receipt lists what each did, by type and id.

    The erasure is also written to the erasure ledger (`ledger.py`), outside
    the database, after it commits. `reapplied` names the ledger entry when
    `reapply_erasures` erases the person again after a restore: that entry
    is in the ledger already.
    """
    now = timezone.now()
    erasure = Erasure(now=now, emails=set(person.emails))
    items = []
    with transaction.atomic():
        for label, module in registry.holders():
            items.extend(module.erase_person(person.holdings.get(label, Holding()), erasure))
        if reapplied:
            items.append({"what": "ledger entry", "id": reapplied, "done": "reapplied"})
            return ErasureReceipt.objects.create(
                erased_by=user, erased_at=now, items=items, crm_deliveries=erasure.crm_deliveries
            )
        name, entry = ledger.new_entry(person, now, query)
        receipt = ErasureReceipt.objects.create(
            erased_by=user,
            erased_at=now,
            items=items,
            crm_deliveries=erasure.crm_deliveries,
            ledger_name=name,
            ledger_entry=entry,
        )
        transaction.on_commit(lambda: ledger.write(receipt.pk), robust=True)
        return receipt
