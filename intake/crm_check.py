"""Is the SuperOffice tenant set up for the bridge? (`manage.py crm_check`,
and the "Check the CRM connection" button for Region staff.)

Each check gives one line in plain words; docs/crm-bridge.md's "connecting a
real tenant" checklist follows them in this order. Read-only: nothing is
written to the CRM.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from places.models import Adviser, Municipality

from .outbox.adapters.base import DeliveryError
from .outbox.adapters.superoffice import SuperOfficeAdapter

CONSENTS = {
    "ConsentPurpose": ("STORE", "EMARKETING"),
    "ConsentSource": ("WEBFORM",),
    "LegalBase": ("61A", "WITHDRAWN"),
}


@dataclass
class Finding:
    ok: bool
    text: str


def check(deadline_seconds=60):
    """The findings, in the checklist's order. Stops after a failed sign-in."""
    adapter = SuperOfficeAdapter(deadline=time.monotonic() + deadline_seconds)
    findings = [configuration()]
    if not findings[0].ok:
        return findings
    try:
        person_default = adapter.json_of(adapter.call("GET", "Person/default"))
    except DeliveryError as error:
        return [*findings, Finding(False, _("Could not sign in to SuperOffice or read Person/default: %s") % error)]
    findings.append(Finding(True, _("Signed in to SuperOffice at %s.") % SuperOfficeAdapter.api_url()))
    if SuperOfficeAdapter.api_url() != settings.SUPEROFFICE_API_URL.rstrip("/"):
        findings.append(
            Finding(False, _("The tenant has moved: set SUPEROFFICE_API_URL to %s.") % SuperOfficeAdapter.api_url())
        )
    for step in (followup_defaults, owners, company, custom_fields, consents):
        try:
            findings.extend(step(adapter, person_default))
        except DeliveryError as error:
            findings.append(Finding(False, _("SuperOffice did not answer a check: %s") % error))
    return findings


def configuration():
    if not settings.SUPEROFFICE_API_URL:
        return Finding(False, _("SUPEROFFICE_API_URL is not set."))
    if not (settings.SUPEROFFICE_USERNAME or settings.SUPEROFFICE_SYSTEM_USER_TOKEN):
        return Finding(
            False, _("No SuperOffice credentials: set SUPEROFFICE_USERNAME or SUPEROFFICE_SYSTEM_USER_TOKEN.")
        )
    if settings.CRM_BACKEND != "superoffice":
        return Finding(True, _("CRM_BACKEND is %s: registrations do not go to SuperOffice yet.") % settings.CRM_BACKEND)
    return Finding(True, _("CRM_BACKEND is superoffice."))


def followup_defaults(adapter, _person_default):
    default = adapter.json_of(adapter.call("GET", "Appointment/default"))
    task = settings.SUPEROFFICE_FOLLOWUP_TASK_ID or (default.get("Task") or {}).get("TaskListItemId")
    if default.get("Type") in (None, 0, "0", "unknown", "Unknown") or not task:
        return [Finding(False, _("Appointment/default gives no type or task: set SUPEROFFICE_FOLLOWUP_TASK_ID."))]
    return [
        Finding(True, _("Follow-ups get type %(type)s and task %(task)s.") % {"type": default["Type"], "task": task})
    ]


def associate_exists(adapter, owner_id):
    try:
        adapter.call("GET", f"Associate/{int(owner_id)}")
    except DeliveryError as error:
        if error.status == 404:
            return False
        raise
    return True


def owners(adapter, _person_default):
    findings = []
    advisers = Adviser.objects.filter(is_active=True).select_related("municipality")
    for adviser in advisers:
        values = {"name": adviser.name, "municipality": adviser.municipality.name, "id": adviser.crm_owner_id}
        if not adviser.crm_owner_id:
            findings.append(Finding(False, _("%(name)s (%(municipality)s) has no CRM owner id.") % values))
        elif not associate_exists(adapter, adviser.crm_owner_id):
            findings.append(
                Finding(
                    False, _("%(name)s (%(municipality)s): owner id %(id)s is no associate in SuperOffice.") % values
                )
            )
        else:
            findings.append(Finding(True, _("%(name)s (%(municipality)s) is associate %(id)s.") % values))
    fallback = settings.SUPEROFFICE_FALLBACK_OWNER_ID
    if fallback and not associate_exists(adapter, fallback):
        findings.append(
            Finding(False, _("SUPEROFFICE_FALLBACK_OWNER_ID %s is no associate in SuperOffice.") % fallback)
        )
    return findings


def company(adapter, _person_default):
    contact_id = settings.SUPEROFFICE_PERSON_CONTACT_ID
    if not contact_id:
        return [
            Finding(
                True,
                _(
                    "New persons join no company (if the tenant has MandatoryContactOnPerson, set "
                    "SUPEROFFICE_PERSON_CONTACT_ID)."
                ),
            )
        ]
    try:
        adapter.call("GET", f"Contact/{int(contact_id)}")
    except DeliveryError as error:
        if error.status != 404:
            raise
        return [Finding(False, _("SUPEROFFICE_PERSON_CONTACT_ID %s is no company in SuperOffice.") % contact_id)]
    return [Finding(True, _("New persons join company %s.") % contact_id)]


def custom_fields(adapter, person_default):
    field = settings.SUPEROFFICE_MUNICIPALITY_FIELD
    known = (person_default.get("CustomFields") or {}).keys()
    findings = []
    if not field:
        findings.append(
            Finding(False, _("SUPEROFFICE_MUNICIPALITY_FIELD is not set: the municipality is not written."))
        )
    elif field not in known:
        findings.append(Finding(False, _("The person has no custom field %s.") % field))
    elif not settings.SUPEROFFICE_MUNICIPALITY_LIST_ID:
        findings.append(Finding(False, _("SUPEROFFICE_MUNICIPALITY_LIST_ID is not set: list items cannot be checked.")))
    else:
        response = adapter.call("GET", f"List/udlist{int(settings.SUPEROFFICE_MUNICIPALITY_LIST_ID)}/Items")
        items = {item.get("Id") for item in adapter.json_of(response)}
        for municipality in Municipality.objects.in_default_locale().municipalities():
            values = {"name": municipality.name, "id": municipality.crm_list_item_id, "field": field}
            if not municipality.crm_list_item_id:
                findings.append(Finding(False, _("%(name)s has no CRM list item id.") % values))
            elif municipality.crm_list_item_id not in items:
                findings.append(Finding(False, _("%(name)s: %(id)s is no list item of %(field)s.") % values))
            else:
                findings.append(Finding(True, _("%(name)s is list item %(id)s.") % values))
    move = settings.SUPEROFFICE_MOVE_STATUS_FIELD
    if move and move not in known:
        findings.append(Finding(False, _("The person has no custom field %s (move status).") % move))
    return findings


def consents(adapter, _person_default):
    findings = []
    for list_name, wanted in CONSENTS.items():
        items = adapter.json_of(adapter.call("GET", f"List/{list_name}/Items"))
        keys = {str(item.get("Key") or item.get("Name") or "").upper() for item in items}
        for key in wanted:
            values = {"list": list_name, "key": key}
            if key in keys:
                findings.append(Finding(True, _("%(list)s %(key)s exists.") % values))
            else:
                findings.append(Finding(False, _("%(list)s %(key)s is missing in SuperOffice.") % values))
    return findings
