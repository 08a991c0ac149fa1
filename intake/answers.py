"""Answers from SuperOffice: the adviser's first contact and the move status.

Two ways in, one handler (`apply`): SuperOffice's own webhooks
(`SUPEROFFICE_ANSWERS=webhook`, the view `superoffice_webhook`), or polling
(`SUPEROFFICE_ANSWERS=poll`, `manage.py crm_poll --every 300`). Either way the
handler reads the appointment or person from the REST API (never trusting
the event's body beyond its ids) and records on the registration:

- the follow-up appointment completed → contacted (first contact at, by the
  adviser whose associate id completed it);
- the person's move-status field (SUPEROFFICE_MOVE_STATUS_FIELD) → the
  contact status through SUPEROFFICE_MOVE_STATUS_MAP (list item id → status).
"""

import base64
import datetime
import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.tasks import task
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from places.models import Adviser

from .choices import ContactStatus, Kind
from .models import CrmEvent, Delivery, Registration
from .outbox.adapters.base import DeliveryError
from .outbox.adapters.superoffice import SuperOfficeAdapter

logger = logging.getLogger(__name__)

EVENTS = ("appointment.changed", "appointment.completed", "person.changed")


def signature(secret, body):
    """X-SuperOffice-Signature: base64 of HMAC-SHA256 over the body, keyed with the secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event_time(value):
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def fits(value, model, field):
    """Whether `value` fits the column (PostgreSQL refuses a longer one with an error, a 500)."""
    return len(value) <= model._meta.get_field(field).max_length


@csrf_exempt
@require_POST
def superoffice_webhook(request):
    """Verify, remember the EventId, answer at once; the work is a task.

    401: unsigned, wrongly signed or stale; 409: an EventId seen before;
    400: not an event, or ids longer than SuperOffice's (at most 40 characters).
    Nothing is changed in any of these cases."""
    secret = settings.SUPEROFFICE_WEBHOOK_SECRET
    if settings.SUPEROFFICE_ANSWERS != "webhook" or not secret:
        return HttpResponse(status=404)
    given = request.headers.get("X-SuperOffice-Signature", "")
    if not given or not hmac.compare_digest(given.encode(), signature(secret, request.body).encode()):
        return HttpResponse("Signature missing or wrong.", status=401, content_type="text/plain")
    try:
        event = json.loads(request.body)
        event_id, name, key = str(event["EventId"]), str(event["Event"]), str(event["PrimaryKey"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse("Not a SuperOffice event.", status=400, content_type="text/plain")
    moment = event_time(event.get("Timestamp"))
    max_age = datetime.timedelta(seconds=settings.SUPEROFFICE_WEBHOOK_MAX_AGE_SECONDS)
    if moment is None or abs(timezone.now() - moment) > max_age:
        return HttpResponse("Event too old.", status=401, content_type="text/plain")
    changed_by = str(event.get("ChangedByAssociateId") or "")
    if not fits(key, CrmEvent, "primary_key") or not fits(changed_by, CrmEvent, "changed_by"):
        # Signed, but no id SuperOffice gives (an id is an int): refused, nothing stored.
        return HttpResponse("Not a SuperOffice event.", status=400, content_type="text/plain")
    if name not in EVENTS or not (key.isascii() and key.isdigit()) or len(event_id) > 100:
        return HttpResponse(status=200)  # not ours to act on; a 4xx would count toward TooManyErrors
    try:
        with transaction.atomic():
            row = CrmEvent.objects.create(event_id=event_id, event=name, primary_key=key, changed_by=changed_by)
    except IntegrityError:
        return HttpResponse("Event already received.", status=409, content_type="text/plain")
    transaction.on_commit(lambda: handle_event.enqueue(row.pk), robust=True)
    return HttpResponse(status=200)


@task()
def handle_event(event_pk):
    row = CrmEvent.objects.filter(pk=event_pk, processed_at__isnull=True).first()
    if row is None:
        return "done before"
    entity = row.event.split(".")[0]
    outcome = f"{entity} {row.primary_key}: {apply(entity, row.primary_key)} registration(s) changed"
    CrmEvent.objects.filter(pk=row.pk).update(processed_at=timezone.now(), outcome=outcome)
    return outcome


def apply(entity, primary_key, adapter=None):
    """Read the appointment or person from SuperOffice and record what it
    says; how many registrations changed."""
    adapter = adapter or SuperOfficeAdapter(deadline=time.monotonic() + settings.CRM_DELIVERY_DEADLINE_SECONDS)
    if entity == "appointment":
        return apply_appointment(adapter, primary_key)
    if entity == "person":
        return apply_person(adapter, primary_key)
    return 0


def registrations_with(**delivery):
    keys = Delivery.objects.filter(channel=Delivery.Channel.CRM, **delivery).values("registration_id")
    return Registration.objects.filter(kind=Kind.GUIDANCE, pk__in=keys)


def apply_appointment(adapter, appointment_id):
    registrations = list(registrations_with(crm_followup_id=str(appointment_id)))
    if not registrations:
        return 0
    appointment = adapter.json_of(adapter.call("GET", f"Appointment/{int(appointment_id)}"))
    if appointment.get("Completed") != "Completed":
        return 0
    associate = (appointment.get("Associate") or {}).get("AssociateId")
    adviser = Adviser.objects.filter(crm_owner_id=associate).first() if associate else None
    user = get_user_model().objects.filter(email__iexact=adviser.email, is_active=True).first() if adviser else None
    done = event_time(appointment.get("Updated") or "") or timezone.now()
    changed = 0
    for registration in registrations:
        if registration.contacted_at is not None:
            continue  # the first contact stands
        registration.contacted_at = min(done, timezone.now())
        registration.contacted_by = user
        if registration.contact_status == ContactStatus.NEW:
            registration.contact_status = ContactStatus.CONTACTED
        registration.save(update_fields=["contacted_at", "contacted_by", "contact_status"])
        changed += 1
    return changed


def apply_person(adapter, person_id):
    field = settings.SUPEROFFICE_MOVE_STATUS_FIELD
    registrations = registrations_with(crm_person_id=str(person_id))
    if not field or not registrations.exists():
        return 0
    person = adapter.json_of(adapter.call("GET", f"Person/{int(person_id)}"))
    value = str((person.get("CustomFields") or {}).get(field) or "")
    status = settings.SUPEROFFICE_MOVE_STATUS_MAP.get(value)
    if status not in ContactStatus.values:
        return 0
    changed = 0
    for registration in registrations.exclude(contact_status=status):
        registration.contact_status = status
        registration.record_contact(None)  # a move status is a contact: its time if none yet
        registration.save(update_fields=["contact_status", "contacted_at", "contacted_by"])
        changed += 1
    return changed


def poll(since_days=60):
    """What the webhooks would say, fetched: every open follow-up and every
    person whose move is not yet settled, of guidance registrations from the
    last `since_days` days. Returns how many registrations changed."""
    adapter = SuperOfficeAdapter(deadline=time.monotonic() + 600)
    recent = Registration.objects.filter(
        kind=Kind.GUIDANCE, created_at__gte=timezone.now() - datetime.timedelta(days=since_days)
    )
    crm = Delivery.objects.filter(channel=Delivery.Channel.CRM, registration__in=recent)
    changed = 0
    for followup in crm.filter(registration__contacted_at__isnull=True).exclude(crm_followup_id=""):
        changed += safe_apply(adapter, "appointment", followup.crm_followup_id)
    if settings.SUPEROFFICE_MOVE_STATUS_FIELD:
        settled = [ContactStatus.MOVED, ContactStatus.NOT_MOVING]
        people = crm.exclude(registration__contact_status__in=settled).exclude(crm_person_id="")
        for person_id in set(people.values_list("crm_person_id", flat=True)):
            changed += safe_apply(adapter, "person", person_id)
    return changed


def safe_apply(adapter, entity, key):
    try:
        return apply(entity, key, adapter)
    except DeliveryError as error:
        logger.warning("crm poll: %s %s not read: %s", entity, key, type(error).__name__)
        return 0
