"""What a CRM adapter receives: the payload of a delivery (docs/crm-bridge.md)."""

from wagtail import hooks

from places.models import Adviser
from tasteget.helpers import absolute_url

from ..choices import Kind
from ..models.outbox import Delivery
from ..subscribers import newsletter_link, person_key, preferences_request_url


def build_payload(delivery):
    """The JSON a CRM adapter receives (documented in docs/crm-bridge.md)."""
    registration = delivery.registration
    consent = registration.consent
    advisers = list(Adviser.objects.serving(registration.municipality)) if registration.kind == Kind.GUIDANCE else []
    owner = next((adviser.crm_owner_id for adviser in advisers if adviser.crm_owner_id), None)
    payload = {
        "id": str(delivery.external_id),
        "kind": registration.kind,
        "action": delivery.action,
        "registration_id": registration.pk,
        # The same for every registration of one person, however they arrive.
        # A reduced newsletter subscription keeps only the hash (intake/retention.py).
        "person_key": person_key(registration.email) or registration.person_hash or None,
        "created_at": registration.created_at.isoformat(),
        "source": registration.source,
        "language": registration.language,
        "person": {
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "email": registration.email,
            "phone": registration.phone,
        },
        "preferred_contact": registration.preferred_contact,
        "municipality": {
            "slug": registration.municipality.slug,
            "name": registration.municipality.name,
            "kind": registration.municipality.kind,
            "crm_list_item_id": registration.municipality.crm_list_item_id,
        },
        "owner_crm_id": owner,
        "due_date": registration.due_date.isoformat() if registration.due_date else None,
        "household": {"adults": registration.adults, "children": registration.children},
        "lives_in": {"country": registration.country, "town": registration.town},
        "move_when": registration.move_when,
        "topics": registration.topics,
        "message": registration.message,
        "newsletter_opt_in": registration.newsletter_opt_in,
        "postal_address": {
            "street_address": registration.street_address,
            "postal_code": registration.postal_code,
            "town": registration.town,
            "country": registration.country,
        }
        if registration.kind == Kind.MAGAZINE
        else None,
        "magazine_issue": registration.magazine_issue or None,
        "unsubscribe_url": absolute_url(newsletter_link(registration, "unsubscribe"))
        if registration.kind == Kind.NEWSLETTER
        else None,
        # Where a subscriber asks for their (expiring) preference link: for the
        # footer of every newsletter the CRM sends, beside the unsubscribe link.
        "preferences_url": preferences_request_url(registration.language)
        if registration.kind == Kind.NEWSLETTER
        else None,
        # A repeat registration on an open case (`action: update`): which
        # answers it changed and when; the rest of the payload is the case as it is now.
        "update": update_of(delivery),
        "consent": {
            "purpose": consent.purpose,
            "version": consent.version,
            "language": consent.language,
            "text": consent.text,
            "given_at": consent.given_at.isoformat(),
        },
    }
    # Apps above intake add what only they know (events/: the meet-up of a
    # sign-up, `payload["event"]`), built when sent like the rest.
    for hook in hooks.get_hooks("extend_crm_payload"):
        hook(registration, payload)
    return payload


def update_of(delivery):
    update = delivery.update if delivery.update_id else None
    if update is None:
        return None
    # `again`: a repeat registration; `changed`: the mover changed answers on their own page.
    return {
        "kind": update.kind,
        "registered_again_at": update.created_at.isoformat(),
        "at": update.created_at.isoformat(),
        "changed": update.changed,
    }


def erasure_payload(delivery):
    """What a CRM adapter's `erase` receives: identifiers only, never the erased data."""
    registration = delivery.registration
    return {
        "id": str(delivery.external_id),
        "event": "person.erased",
        "action": Delivery.Action.ERASE,
        "registration_id": registration.pk,
        "person_key": registration.person_hash or None,
        "crm_person_id": delivery.crm_person_id or None,
        "requested_at": delivery.created_at.isoformat(),
    }
