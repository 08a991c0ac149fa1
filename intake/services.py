"""The steps a registration goes through. Views validate, then call `register`."""

import datetime
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks_db import DatabaseBackend

from places.models import Adviser, Municipality, PostalCodeRange, municipality_of_postal_code, postal_code_digits
from places.postal import in_sweden
from tasteget import pagecache

from . import cases, movers, ratelimit
from . import consent as consent_texts
from .choices import AddressArea, Kind
from .models.access import AccessLogEntry
from .models.outbox import Delivery
from .models.registrations import Consent, Registration, RegistrationUpdate
from .pipeline import Refused, reused_token_message
from .tasks import deliver_registration, enqueue_delivery, enqueue_registration, send_mover_link, send_preference_link
from .working_days import add_working_days

logger = logging.getLogger(__name__)

FIRST_CONTACT_WORKING_DAYS = 5


@dataclass
class Outcome:
    registration: Registration
    created: bool
    duplicate_order: bool = False
    # The date the thank-you page promises: the same for a first registration
    # and a repeat on the same day (nothing to learn about who is registered).
    due_date: datetime.date | None = None


def address_key(cleaned):
    """Normalised postal address, so 'Storgatan 1' and 'storgatan  1 ' match."""
    parts = [cleaned.get("street_address", ""), cleaned.get("postal_code", ""), cleaned.get("country", "")]
    return "|".join(re.sub(r"[\s\-.,]+", "", part).lower() for part in parts)


def magazine_address_area(postal_code, country, ranges=None):
    """(AddressArea, municipality id or None) of a postal address.

    In the county when the postal code lies in a range of the postal code
    table; outside when the country is not Sweden, or the table has no range
    for the code; not known when the code is not a Swedish one or the table
    is still empty (a later run of the daily purge tries again while the
    address is kept). `ranges` from `PostalCodeRange.objects.as_tuples()`.
    """
    if not in_sweden(country):
        return AddressArea.OUTSIDE, None
    digits = postal_code_digits(postal_code)
    ranges = PostalCodeRange.objects.as_tuples() if ranges is None else ranges
    if not digits or not ranges:
        return AddressArea.UNKNOWN, None
    found = municipality_of_postal_code(digits, ranges)
    return (AddressArea.COUNTY, found) if found else (AddressArea.OUTSIDE, None)


def record_address_areas(registrations):
    """Record where the address lies on the magazine orders among
    `registrations` that have an address but no area yet; return how many."""
    rows = registrations.filter(kind=Kind.MAGAZINE, address_area=AddressArea.UNKNOWN).exclude(postal_code="")
    rows = list(rows.values_list("pk", "postal_code", "country"))
    if not rows:
        return 0
    ranges = PostalCodeRange.objects.as_tuples()
    recorded = 0
    for pk, postal_code, country in rows:
        area, municipality_id = magazine_address_area(postal_code, country, ranges)
        if area != AddressArea.UNKNOWN:
            recorded += Registration.objects.filter(pk=pk).update(
                address_area=area, address_municipality_id=municipality_id
            )
    return recorded


FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "preferred_contact",
    "country",
    "town",
    "adults",
    "children",
    "move_when",
    "topics",
    "message",
    "newsletter_opt_in",
    "street_address",
    "postal_code",
    "magazine_issue",
]


def register_form(form, *, source):
    """Store what a valid registration form holds (the public-form pipeline's `save`).

    The consent is recorded in the language of the text the person read (the
    page's); a newsletter subscriber's chosen newsletter language is the
    registration's language, used for what we send them.
    """
    cleaned = form.cleaned_data
    page_language = translation.get_language()
    return register(
        kind=form.kind,
        cleaned=cleaned,
        municipality=cleaned.get("municipality") or Municipality.objects.region(),
        source=source,
        language=cleaned.get("language") or page_language,
        consent_language=page_language,
        submission_key=form.submission_key,
        consent_version=cleaned["consent_version"],
    )


def register(*, kind, cleaned, municipality, source, language, submission_key, consent_version, consent_language=None):
    """Store a registration, its consent and its outbox rows in one transaction.

    Idempotent: the same form submission (same signed token) stores one
    registration however often it arrives; a repeated magazine order for the
    same address and issue stores nothing new. One case per person
    (intake/cases.py): a registration for guidance with the e-mail of an open
    case in the same municipality adds its answers to that case, and a
    newsletter signup with a subscribing address adds no second row. The
    outcome looks the same to the visitor either way.
    """
    municipality = municipality.canonical
    values = {name: cleaned[name] for name in FIELDS if cleaned.get(name) not in (None, "")}
    registration = Registration(
        kind=kind,
        municipality=municipality,
        source=source,
        language=language,
        submission_key=submission_key,
        case_key=cases.case_key(kind, cleaned.get("email"), municipality.pk),
        **values,
    )
    due_date = None
    if kind == Kind.GUIDANCE:
        due_date = registration.due_date = add_working_days(timezone.localdate(), FIRST_CONTACT_WORKING_DAYS)
    if kind == Kind.MAGAZINE:
        registration.address_key = address_key(cleaned)
        registration.address_area, registration.address_municipality_id = magazine_address_area(
            registration.postal_code, registration.country
        )
        registration.fulfilment = "new"
        duplicate = Registration.objects.filter(
            kind=Kind.MAGAZINE, magazine_issue=registration.magazine_issue, address_key=registration.address_key
        ).first()
        if duplicate:
            return Outcome(duplicate, created=False, duplicate_order=True)
    consent_language = consent_language or language
    # A second try only when another registration of the same person opened
    # the case between our look-up and our insert: the try then adds to it.
    for attempt in range(2):
        try:
            with transaction.atomic():
                case, elsewhere = cases_of_person(registration)
                if case is not None and case.submission_key == submission_key:
                    return same_submission(case, cleaned)
                if case is not None and cases.is_open(case):
                    add_to_case(
                        case,
                        cleaned,
                        source=source,
                        language=language,
                        submission_key=submission_key,
                        consent_version=consent_version,
                        due_date=due_date,
                    )
                    return Outcome(case, created=False, due_date=due_date)
                if case is not None:
                    cases.release(case)
                registration.save()
                Consent.objects.create(
                    registration=registration,
                    purpose=kind,
                    text=consent_texts.shown_text(kind, consent_version, consent_language),
                    version=consent_version,
                    language=consent_language,
                )
                store_deliveries(registration, new_deliveries(registration))
                tell_other_cases(registration, elsewhere)
        except IntegrityError:
            # The same form sent again (a double click, a retry, a concurrent
            # double submit): return what the first send stored.
            stored = stored_submission(submission_key)
            if stored:
                return same_submission(stored, cleaned)
            duplicate = Registration.objects.filter(
                kind=Kind.MAGAZINE, magazine_issue=registration.magazine_issue, address_key=registration.address_key
            ).first()
            if duplicate:
                return Outcome(duplicate, created=False, duplicate_order=True)
            if attempt or not registration.case_key:
                raise
            registration.pk = None
            registration._state.adding = True
            continue
        return Outcome(registration, created=True, due_date=due_date)
    raise AssertionError("unreachable")  # pragma: no cover


def cases_of_person(registration):
    """(the registration holding the new one's case key or None, the person's
    other cases for guidance), locked: one query while the visitor waits."""
    if not registration.case_key:
        return None, []
    person = registration.case_key.split(":", 1)[0]
    rows = list(
        Registration.objects.select_for_update(of=("self",)).filter(case_key__startswith=f"{person}:").order_by("pk")
    )
    case = next((row for row in rows if row.case_key == registration.case_key), None)
    if registration.kind != Kind.GUIDANCE:
        return case, []
    elsewhere = [row for row in rows if row.kind == Kind.GUIDANCE and row is not case and cases.is_open(row)]
    return case, elsewhere


def stored_submission(submission_key):
    """The registration a form token already stored or added to, or None."""
    stored = Registration.objects.filter(submission_key=submission_key).first()
    if stored is None:
        update = RegistrationUpdate.objects.filter(submission_key=submission_key).select_related("registration")
        stored = update.first().registration if update.exists() else None
    return stored


def same_submission(registration, cleaned):
    """The outcome of a token sent again: the first send's, to the same person only."""
    if not same_sender(registration, cleaned):
        # One token, one registration: a second person posting the same
        # form gets it back, never the first person's thank-you page.
        raise Refused(reused_token_message()) from None
    due_date = None
    if registration.kind == Kind.GUIDANCE:
        due_date = add_working_days(timezone.localdate(), FIRST_CONTACT_WORKING_DAYS)
    return Outcome(registration, created=False, due_date=due_date)


def add_to_case(case, cleaned, *, source, language, submission_key, consent_version, due_date):
    """A repeat registration on an open case: the answers go on the case and
    its history; the CRM, the advisers and the person hear of it as of a new one."""
    if case.kind == Kind.NEWSLETTER:
        # Confirmed: nothing to do (the answer to the visitor is the same).
        # Not yet: the confirmation link again, within the daily cap per address.
        email = case.email or cleaned["email"]
        if case.confirmed_at is None and confirmation_allowed(email):
            store_deliveries(
                case,
                [
                    Delivery(
                        registration=case,
                        channel=Delivery.Channel.CONFIRMATION_EMAIL,
                        recipient=email,
                        action=Delivery.Action.UPDATE,
                    )
                ],
            )
        return None
    update = cases.add_answers(
        case,
        cleaned,
        source=source,
        language=language,
        submission_key=submission_key,
        consent_version=consent_version,
        due_date=due_date,
    )
    rows = [Delivery(registration=case, channel=Delivery.Channel.CRM, action=Delivery.Action.UPDATE, update=update)]
    for email in adviser_emails(case):
        rows.append(
            Delivery(
                registration=case,
                channel=Delivery.Channel.ADVISER_EMAIL,
                recipient=email,
                action=Delivery.Action.UPDATE,
                update=update,
            )
        )
    email = cleaned["email"].strip()
    if confirmation_allowed(email):
        rows.append(
            Delivery(
                registration=case,
                channel=Delivery.Channel.CONFIRMATION_EMAIL,
                recipient=email,
                action=Delivery.Action.UPDATE,
                update=update,
            )
        )
    store_deliveries(case, rows)
    return update


def tell_other_cases(registration, elsewhere):
    """The person opened a case here and has open cases in other
    municipalities: each of those cases notes it, and its advisers are told."""
    for case in elsewhere:
        update = cases.note_elsewhere(case, registration)
        for email in adviser_emails(case):
            delivery = Delivery.objects.create(
                registration=case,
                channel=Delivery.Channel.ADVISER_EMAIL,
                recipient=email,
                action=Delivery.Action.ELSEWHERE,
                update=update,
            )
            transaction.on_commit(lambda pk=delivery.pk: enqueue_delivery(pk), robust=True)


def same_sender(registration, cleaned):
    """Whether a repeated submission of one token carries the same person's answers."""
    fields = ["first_name", "last_name", "email", "street_address", "postal_code"]
    return all((getattr(registration, name) or "").lower() == (cleaned.get(name) or "").lower() for name in fields)


def confirmation_allowed(email):
    """At most INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY confirmations a day to one address.

    The address is not verified: without a cap, anyone could make us send
    confirmations (with a name they chose) to someone else.
    """
    return ratelimit.allow_target("confirmation", email, settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY)


def new_deliveries(registration):
    """The outbox rows of a new registration (not yet stored)."""
    if registration.kind == Kind.NEWSLETTER:
        # Double opt-in: only the confirmation link now; the CRM hears of the
        # subscriber once they confirm.
        if not confirmation_allowed(registration.email):
            return []
        return [
            Delivery(
                registration=registration, channel=Delivery.Channel.CONFIRMATION_EMAIL, recipient=registration.email
            )
        ]
    rows = [Delivery(registration=registration, channel=Delivery.Channel.CRM)]
    if registration.kind == Kind.EVENT:
        # The meet-up's own confirmation (with its calendar file and cancel
        # link) and the organiser's e-mail are sent by events/.
        return rows
    if registration.kind == Kind.GUIDANCE:
        for email in adviser_emails(registration):
            rows.append(Delivery(registration=registration, channel=Delivery.Channel.ADVISER_EMAIL, recipient=email))
    if registration.email and confirmation_allowed(registration.email):
        rows.append(
            Delivery(
                registration=registration, channel=Delivery.Channel.CONFIRMATION_EMAIL, recipient=registration.email
            )
        )
    return rows


def confirm_newsletter(registration):
    """The subscriber clicked the link: record it and tell the CRM.

    Not after an unsubscribe: the last word the person said stands.
    """
    if Registration.objects.filter(pk=registration.pk, unsubscribed_at__isnull=False).exists():
        return
    record_newsletter_event(registration, "confirmed_at", action=Delivery.Action.REGISTER)


def unsubscribe_newsletter(registration):
    """Unsubscribe at once; the CRM is told through the outbox (consent withdrawn)."""
    record_newsletter_event(registration, "unsubscribed_at", action=Delivery.Action.UNSUBSCRIBE)


def record_newsletter_event(registration, timestamp_field, action):
    """Set the timestamp once and queue the CRM delivery that reports it."""
    with transaction.atomic():
        # An anonymised row (intake/retention.py) is a statistic, no longer a subscription.
        updated = Registration.objects.filter(
            pk=registration.pk, anonymised_at__isnull=True, **{f"{timestamp_field}__isnull": True}
        ).update(**{timestamp_field: timezone.now()})
        if not updated:
            return
        delivery, _ = Delivery.objects.get_or_create(
            registration=registration, channel=Delivery.Channel.CRM, recipient="", action=action
        )
        transaction.on_commit(lambda: enqueue_delivery(delivery.pk), robust=True)


def store_deliveries(registration, rows):
    """Store a new registration's outbox rows and queue the task that sends them.

    With the database task backend the task row is written first, in the
    registration's own transaction, and the rows carry its id: the
    registration, its outbox rows and the task that sends them are stored
    together or not at all, in one commit (the worker cannot see the task
    before the rows). Any other backend is asked after the commit. Either
    way a failure to queue loses nothing: the registration is stored and
    the sweep enqueues its deliveries later.
    """
    if not rows:
        return
    if not isinstance(deliver_registration.get_backend(), DatabaseBackend):
        Delivery.objects.bulk_create(rows)
        transaction.on_commit(lambda: enqueue_registration(registration.pk), robust=True)
        return
    try:
        task_id = str(deliver_registration.enqueue(registration.pk).id)
    except DatabaseError:
        raise  # the transaction is broken: nothing is stored, and the visitor is asked to send again (503)
    except Exception:
        logger.exception("registration=%s not queued; the sweep will send it", registration.pk)
        task_id = ""
    for row in rows:
        row.task_id = task_id
    Delivery.objects.bulk_create(rows)


def adviser_emails(registration):
    """Where a new registration's e-mails go: one per address, even if two
    adviser records share one. Kept in the cache until an adviser or a
    municipality is saved (home/purge.py): no query per registration."""
    return pagecache.site_wide(
        f"adviser-emails:{registration.municipality_id}",
        lambda: sorted({adviser.email.lower() for adviser in Adviser.objects.serving(registration.municipality)}),
        topic="advisers",
    )


# --- The subscriber's preference page (docs/data-protection.md) -------------

# The access log's "who" when a subscriber changes their own choices by their link.
SUBSCRIBER = "(subscriber, by preference link)"


def update_newsletter_preferences(registration, *, topics, municipality, language):
    """Store the subscriber's new choices; the CRM hears of them through the outbox.

    One CRM delivery (`action: preferences`) per change of a confirmed
    subscription; its payload is built when it is sent, so it carries the
    choices as they are then. Before confirmation the CRM knows nothing yet:
    the delivery made on confirming carries the new choices. Returns whether
    anything changed.
    """
    municipality = municipality.canonical
    if (
        sorted(registration.topics or []) == sorted(topics)
        and registration.municipality_id == municipality.pk
        and registration.language == language
    ):
        return False
    with transaction.atomic():
        updated = Registration.objects.filter(
            pk=registration.pk, anonymised_at__isnull=True, unsubscribed_at__isnull=True
        ).update(topics=list(topics), municipality=municipality, language=language)
        if not updated:
            return False
        # Ids only (intake/models/access.py): the subscriber changed their own row.
        AccessLogEntry.objects.create(
            username=SUBSCRIBER,
            action=AccessLogEntry.Action.CHANGE,
            subject="newsletter preferences",
            objects_touched=f"registration {registration.pk}",
        )
        if Registration.objects.filter(pk=registration.pk, confirmed_at__isnull=False).exists():
            delivery = Delivery.objects.create(
                registration=registration, channel=Delivery.Channel.CRM, action=Delivery.Action.PREFERENCES
            )
            transaction.on_commit(lambda: enqueue_delivery(delivery.pk), robust=True)
    return True


def request_preference_link(email):
    """Queue the look-up and the e-mail of a new preference link (`request_link`)."""
    request_link("preference-link", email, send_preference_link)


def request_link(scope, email, send):
    """Queue the look-up and the e-mail; the same work whatever the address.

    The answer to the visitor must not tell whether the address is known,
    so nothing is looked up in the request: the task `send` does it. At most
    INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY links a day go to one address.
    """
    if not ratelimit.allow_target(scope, email, settings.INTAKE_CONFIRMATIONS_PER_ADDRESS_DAILY):
        return
    transaction.on_commit(lambda: send.enqueue(email.strip()), robust=True)


# --- The mover's own page (home/my_page.py, docs/crm-bridge.md) --------------


def request_mover_link(email):
    """A new link to the mover's page, if the address has a case (`request_link`)."""
    request_link("mover-link", email, send_mover_link)


def change_case(registration, cleaned):
    """Store what the mover changed on their page; the advisers and the CRM
    hear of it through the outbox, as of a repeat registration (`action:
    update`, the update's kind `changed`). Returns the update, or None when
    nothing changed."""
    new = {name: cleaned[name] for name in movers.CHANGEABLE if name in cleaned}
    changed = [name for name in movers.CHANGEABLE if name in new and new[name] != getattr(registration, name)]
    if not changed:
        return None
    with transaction.atomic():
        update = on_mover_page(
            registration,
            RegistrationUpdate.Kind.CHANGED,
            changed=changed,
            earlier={name: getattr(registration, name) for name in changed},
        )
        fields = {name: new[name] for name in changed}
        Registration.objects.filter(pk=registration.pk).update(**fields)
        for name, value in fields.items():
            setattr(registration, name, value)
        rows = [
            Delivery(
                registration=registration, channel=Delivery.Channel.CRM, action=Delivery.Action.UPDATE, update=update
            )
        ]
        rows += adviser_deliveries(registration, update)
        store_deliveries(registration, rows)
    return update


def on_mover_page(registration, kind, **values):
    """An update the mover made on their page, in the case's history and the access log."""
    movers.record_view(registration, AccessLogEntry.Action.CHANGE)
    return RegistrationUpdate.objects.create(
        registration=registration, kind=kind, source="mover page", language=registration.language, **values
    )


def adviser_deliveries(registration, update):
    return [
        Delivery(
            registration=registration,
            channel=Delivery.Channel.ADVISER_EMAIL,
            recipient=email,
            action=Delivery.Action.UPDATE,
            update=update,
        )
        for email in adviser_emails(registration)
    ]


def ask_adviser(registration, text):
    """Relay the mover's question to their advisers (reply goes to the mover),
    through the outbox. At most INTAKE_AMBASSADOR_DAILY_LIMIT a day per case,
    like the messages to one ambassador. Raises Refused over the limit."""
    if not ratelimit.allow_target("adviser-question", registration.pk, settings.INTAKE_AMBASSADOR_DAILY_LIMIT):
        raise Refused(
            _("You have sent many questions today. Your question is kept: please send it again tomorrow."), status=429
        )
    with transaction.atomic():
        update = on_mover_page(registration, RegistrationUpdate.Kind.QUESTION, text=text)
        store_deliveries(registration, adviser_deliveries(registration, update))
    return update


def request_erasure(registration):
    """The mover asks to be erased: the request waits in the data protection
    officer's person view (privacy/), which carries it out (the erasure also
    deletes the request). Once per case."""
    with transaction.atomic():
        update, created = RegistrationUpdate.objects.get_or_create(
            registration=registration,
            kind=RegistrationUpdate.Kind.ERASURE,
            defaults={"source": "mover page", "language": registration.language},
        )
        if created:
            movers.record_view(registration, AccessLogEntry.Action.CHANGE)
    return update


def tick_checklist(registration, keys):
    """Keep the checklist items the mover ticked (their keys) on the case."""
    keys = sorted(set(keys))
    if keys == sorted(registration.checklist_ticks or []):
        return False
    Registration.objects.filter(pk=registration.pk).update(checklist_ticks=keys)
    registration.checklist_ticks = keys
    return True
