"""One person's data across the site: found by e-mail or phone, shown, exported
(Art. 15 and 20) and erased (Art. 17). docs/data-protection.md explains what
each step does; the views in `views.py` only check permissions and log.
"""

import io
import json
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from ambassadors.models import APPLICATION_RETENTION_DAYS, Ambassador, AmbassadorApplication, ApplicationStatus
from intake import retention
from intake.models import Delivery, Registration
from intake.services import FIELDS, enqueue, person_key
from tasteget.helpers import neutralise_formula

from . import ledger
from .models import ErasureReceipt

# What a person gave (the same fields the site stores from the forms), and
# what the site recorded about them.
REGISTRATION_FIELDS = [
    "kind",
    "created_at",
    "source",
    "language",
    *FIELDS,
    "fulfilment",
    "address_area",
    "address_municipality",
    "due_date",
    "contact_status",
    "contacted_at",
    "contacted_by",
    "contact_note",
    "confirmed_at",
    "unsubscribed_at",
    "fulfilled_at",
]
APPLICATION_FIELDS = [
    "created_at",
    "name",
    "email",
    "phone",
    "place",
    "languages",
    "moved_from",
    "interests",
    "text",
    "status",
    "consent_version",
    "consent_language",
    "consent_given_at",
    "public_profile",
]
AMBASSADOR_FIELDS = ["name", "email", "place", "languages", "moved_from", "interests", "text", "consent_given_at"]


def phone_digits(value):
    """Digits in international form: "070-123 45 67" and "+46 70 123 45 67" match."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "46" + digits[1:]
    return digits


@dataclass
class Person:
    query_kind: str = ""
    registrations: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    ambassadors: list = field(default_factory=list)
    emails: set = field(default_factory=set)

    @property
    def found(self):
        return bool(self.registrations or self.applications or self.ambassadors)

    def rows(self):
        """(label, id) of every row, for the access log: no personal data."""
        return (
            [("registration", row.pk) for row in self.registrations]
            + [("ambassador application", row.pk) for row in self.applications]
            + [("ambassador", row.pk) for row in self.ambassadors]
        )

    @property
    def crm_person_ids(self):
        return sorted(
            {
                delivery.crm_person_id
                for registration in self.registrations
                for delivery in registration.deliveries.all()
                if delivery.crm_person_id
            }
        )


def find(query):
    """Everything that belongs to the e-mail address or phone number `query`."""
    query = (query or "").strip()[:254]
    person = Person()
    registrations = Registration.objects.none()
    if "@" in query:
        person.query_kind = "email"
        # An erased person's hash waits on an anonymised row for the CRM: not theirs any more.
        registrations = Registration.objects.filter(
            Q(email__iexact=query) | Q(person_hash=person_key(query), anonymised_at__isnull=True)
        )
        person.applications = list(AmbassadorApplication.objects.filter(email__iexact=query))
        person.ambassadors = list(Ambassador.objects.filter(email__iexact=query))
    elif len(phone_digits(query)) >= 6:
        person.query_kind = "phone"
        wanted = phone_digits(query)
        pks = [
            pk
            for pk, phone in Registration.objects.exclude(phone="").values_list("pk", "phone")
            if phone_digits(phone) == wanted
        ]
        registrations = Registration.objects.filter(pk__in=pks)
        person.applications = [
            row for row in AmbassadorApplication.objects.exclude(phone="") if phone_digits(row.phone) == wanted
        ]
    person.registrations = list(
        registrations.select_related("municipality", "consent").prefetch_related("deliveries").order_by("created_at")
    )
    person.emails = {
        row.email.lower() for row in [*person.registrations, *person.applications, *person.ambassadors] if row.email
    }
    if person.query_kind == "email":
        person.emails.add(query.lower())
    return person


def application_removal(application):
    if application.status == ApplicationStatus.ACCEPTED:
        return None, _("Kept while the person is an ambassador.")
    return application.created_at + timezone.timedelta(days=APPLICATION_RETENTION_DAYS), _(
        "Deleted 12 months after it arrived unless accepted."
    )


def values(row, names):
    data = {}
    for name in names:
        value = getattr(row, name)
        display = getattr(row, f"get_{name}_display", None)
        if display and value:
            value = str(display())
        elif hasattr(value, "get_full_name"):  # the adviser who made the contact
            value = value.get_full_name() or value.get_username()
        elif value is not None and not isinstance(value, str | int | bool | list) and not hasattr(value, "isoformat"):
            value = str(value)  # a chosen page or snippet, by its title
        if value in ("", None, []):
            continue
        data[name] = value
    return data


# Labels for what is not a model field; model fields use their own verbose names.
EXTRA_LABELS = {
    "is_published": lambda: _("published"),
    "origin": lambda: _("came from"),
    "municipality": lambda: _("municipality"),
    "deleted_at": lambda: _("to be deleted"),
    "deleted_how": lambda: _("how it is deleted"),
    "consent.purpose": lambda: _("consent: purpose"),
    "consent.version": lambda: _("consent: version"),
    "consent.language": lambda: _("consent: language"),
    "consent.given_at": lambda: _("consent: given"),
    "consent.text": lambda: _("consent: text shown"),
    "consent.profile_text": lambda: _("consent to a public profile: text shown"),
    "crm.channel": lambda: _("CRM: channel"),
    "crm.action": lambda: _("CRM: action"),
    "crm.status": lambda: _("CRM: status"),
    "crm.crm_person_id": lambda: _("CRM: person number"),
}


def label(model, name):
    """What the data protection officer and the person read for a field: its
    verbose name in the current language, never the column name."""
    if name in EXTRA_LABELS:
        text = str(EXTRA_LABELS[name]())
    else:
        try:
            text = str(model._meta.get_field(name).verbose_name)
        except Exception:  # noqa: BLE001 - an unknown name is shown as it is
            return name
    return text[:1].upper() + text[1:]


def readable(model, section):
    """The section as (label, value) rows, in the order the export shows them."""
    rows = [(label(model, "origin"), section["origin"]), (label(model, "municipality"), section["municipality"])]
    rows += [(label(model, name), value) for name, value in section["data"].items()]
    rows += [(label(model, f"consent.{name}"), value) for name, value in (section["consent"] or {}).items()]
    for number, crm in enumerate(section["crm"], start=1):
        rows += [(f"{label(model, f'crm.{name}')} ({number})", value) for name, value in crm.items()]
    rows += [(label(model, "deleted_at"), section["deleted_at"]), (label(model, "deleted_how"), section["deleted_how"])]
    return [
        (name, (_("Yes") if value else _("No")) if isinstance(value, bool) else cell(value)) for name, value in rows
    ]


def describe(person):
    """The person's data as plain values: the page, the JSON and the XLSX show this."""
    sections = []
    for registration in person.registrations:
        when, why = retention.planned_removal(registration)
        consent = getattr(registration, "consent", None)
        sections.append(
            {
                "kind": "registration",
                "source": _("Registration #%(id)s (%(kind)s)")
                % {"id": registration.pk, "kind": registration.get_kind_display()},
                "origin": registration.source,
                "municipality": registration.municipality.name,
                "data": values(registration, REGISTRATION_FIELDS),
                "consent": {
                    "purpose": consent.purpose,
                    "version": consent.version,
                    "language": consent.language,
                    "given_at": consent.given_at,
                    "text": consent.text,
                }
                if consent
                else None,
                "crm": [
                    {
                        "channel": delivery.get_channel_display(),
                        "action": delivery.get_action_display(),
                        "status": delivery.get_status_display(),
                        "crm_person_id": delivery.crm_person_id,
                    }
                    for delivery in registration.deliveries.all()
                    if delivery.channel == Delivery.Channel.CRM
                ],
                "deleted_at": when,
                "deleted_how": why,
            }
        )
    for application in person.applications:
        when, why = application_removal(application)
        sections.append(
            {
                "kind": "application",
                "source": _("Ambassador application #%(id)s") % {"id": application.pk},
                "origin": application.source,
                "municipality": application.municipality.name,
                "data": values(application, APPLICATION_FIELDS),
                "consent": {"text": application.consent_text, "profile_text": application.profile_consent_text},
                "crm": [],
                "deleted_at": when,
                "deleted_how": why,
            }
        )
    for ambassador in person.ambassadors:
        sections.append(
            {
                "kind": "ambassador",
                "source": _("Ambassador profile #%(id)s") % {"id": ambassador.pk},
                "origin": _("Entered by the Region's editors"),
                "municipality": ambassador.municipality.name,
                "data": {**values(ambassador, AMBASSADOR_FIELDS), "is_published": ambassador.is_published},
                "consent": None,
                "crm": [],
                "deleted_at": None,
                "deleted_how": _("Kept while the person is an ambassador; removed on request."),
            }
        )
    return sections


def described_rows(person):
    """describe(), each section with its `rows` of labels and readable values (the page and the XLSX)."""
    models_by_kind = {"registration": Registration, "application": AmbassadorApplication, "ambassador": Ambassador}
    sections = describe(person)
    for section in sections:
        section["rows"] = readable(models_by_kind[section["kind"]], section)
    return sections


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


def cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if hasattr(value, "tzinfo") else value.isoformat()
    return str(value) if not isinstance(value, bool | int) else value


def erase(person, user, query="", reapplied=""):
    """Remove the person from the site and tell the CRM; return the receipt.

    Registrations are anonymised (the rows stay, so report figures do not
    change: intake/retention.py), ambassador applications and profiles are
    deleted with their history entries (whose labels name the person), task
    results that carry one of the addresses are deleted, open deliveries are
    closed unsent. The CRM gets one erasure delivery per person it holds,
    through the outbox: the address's hash stays on that registration only
    until the CRM has been told (the daily purge clears it then).

    The erasure is also written to the erasure ledger (`ledger.py`), outside
    the database, after it commits. `reapplied` names the ledger entry when
    `reapply_erasures` erases the person again after a restore: that entry
    is in the ledger already.
    """
    now = timezone.now()
    items = []
    crm_deliveries = []
    with transaction.atomic():
        carriers = {}  # CRM person id (or "" when only the hash is known) -> registration
        for registration in person.registrations:
            for delivery in registration.deliveries.all():
                if delivery.channel == Delivery.Channel.CRM and delivery.status == Delivery.Status.DELIVERED:
                    carriers.setdefault(delivery.crm_person_id, registration)
        if "" in carriers and len(carriers) > 1:
            carriers.pop("")  # the ids reach the person; the hash would name them again
        hashes = {
            registration.pk: registration.person_hash or person_key(registration.email)
            for registration in person.registrations
        }
        pks = [registration.pk for registration in person.registrations]
        retention.anonymise(Registration.objects.filter(pk__in=pks), now)
        # After anonymising, which blanks every error text: the reason stays.
        Delivery.objects.filter(registration__in=pks, status__in=Delivery.OPEN).update(
            status=Delivery.Status.CANCELLED,
            last_error="Not sent: the person asked to be erased.",
            delivered_at=None,
            # A worker sending one now loses its claim: its outcome is not saved over this.
            claimed_until=None,
        )
        # Already anonymised by the purge: still no contact data left.
        for registration in person.registrations:
            items.append({"what": "registration", "id": registration.pk, "done": "anonymised"})
        for crm_person_id, registration in carriers.items():
            Registration.objects.filter(pk=registration.pk).update(person_hash=hashes[registration.pk] or "")
            delivery, _created = Delivery.objects.get_or_create(
                registration=registration,
                channel=Delivery.Channel.CRM,
                recipient="",
                action=Delivery.Action.ERASE,
                defaults={"crm_person_id": crm_person_id},
            )
            crm_deliveries.append(delivery.pk)
            transaction.on_commit(lambda pk=delivery.pk: enqueue(pk), robust=True)
        for model, rows, label in (
            (AmbassadorApplication, person.applications, "ambassador application"),
            (Ambassador, person.ambassadors, "ambassador"),
        ):
            ids = [row.pk for row in rows]
            if not ids:
                continue
            ModelLogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
            ).delete()
            model.objects.filter(pk__in=ids).delete()
            items.extend({"what": label, "id": pk, "done": "deleted"} for pk in ids)
        tasks = 0
        for email in person.emails:
            tasks += DBTaskResult.objects.filter(args_kwargs__icontains=email).exclude(status="RUNNING").delete()[0]
        if tasks:
            items.append({"what": "task results", "count": tasks, "done": "deleted"})
        if reapplied:
            items.append({"what": "ledger entry", "id": reapplied, "done": "reapplied"})
            return ErasureReceipt.objects.create(
                erased_by=user, erased_at=now, items=items, crm_deliveries=crm_deliveries
            )
        name, entry = ledger.new_entry(person, now, query)
        receipt = ErasureReceipt.objects.create(
            erased_by=user,
            erased_at=now,
            items=items,
            crm_deliveries=crm_deliveries,
            ledger_name=name,
            ledger_entry=entry,
        )
        transaction.on_commit(lambda: ledger.write(receipt.pk), robust=True)
        return receipt
