"""The steps an ambassador application goes through. The view validates, then
calls `submit_application`."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from intake import consent, markers, ratelimit
from intake.pipeline import Refused, reused_token_message
from tasteget.helpers import absolute_url
from tasteget.tasks import send_email

from .models.records import AmbassadorApplication, RelayDay

logger = logging.getLogger(__name__)

SOURCE = "tasteget.nu"
# The group of the Region's ambassador coordinators (migration 0004).
COORDINATORS_GROUP = "Ambassadörssamordnare"


def submit_application(cleaned, submission_key, *, language, source=SOURCE):
    """Store an application with its consent record; tell the coordinators after commit.

    Idempotent: the same form submission (same signed token) stores one
    application, and one notification, however often it arrives.
    """
    existing = AmbassadorApplication.objects.filter(submission_key=submission_key).first()
    if existing:
        if existing.email.lower() != cleaned["email"].lower() or existing.name != cleaned["name"]:
            raise Refused(reused_token_message())  # never someone else's thank-you page
        return existing, False
    public_profile = cleaned["public_profile"]
    application = AmbassadorApplication(
        name=cleaned["name"],
        email=cleaned["email"],
        phone=cleaned["phone"],
        municipality=cleaned["municipality"].canonical,
        place=cleaned["place"],
        languages=cleaned["languages"],
        moved_from=cleaned["moved_from"],
        interests=cleaned["interests"],
        text=cleaned["text"],
        consent_text=consent.shown_text(consent.AMBASSADOR_APPLICATION, cleaned["consent_version"], language),
        consent_version=cleaned["consent_version"],
        consent_language=language,
        public_profile=public_profile,
        profile_consent_text=consent.shown_text(
            consent.AMBASSADOR_PROFILE, cleaned["profile_consent_version"], language
        )
        if public_profile
        else "",
        profile_consent_version=cleaned["profile_consent_version"] if public_profile else "",
        source=source,
        submission_key=submission_key,
    )
    try:
        with transaction.atomic():
            application.save()
            # robust: the application is stored whatever happens when queueing.
            transaction.on_commit(lambda: notify_coordinators(application), robust=True)
    except IntegrityError:
        # A concurrent double submit won the race: it stored (and notified).
        again = AmbassadorApplication.objects.filter(submission_key=submission_key).first()
        if again:
            return again, False
        raise
    return application, True


def notify_coordinators(application):
    """One e-mail to the coordinators, through the worker.

    Like the advisers' e-mails it carries no personal data beyond the first
    name: the municipality and a link into the admin (login required).
    """
    recipients = coordinator_addresses()
    if not recipients:
        logger.warning("Ambassador application %s: no coordinator has an e-mail address; no one told", application.pk)
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "first_name": application.first_name,
            "municipality": application.municipality.name,
            "admin_url": absolute_url(reverse("ambassador_application:inspect", args=[application.pk])),
        }
        subject = render_to_string("ambassadors/email/application_notification_subject.txt", context).strip()
        body = render_to_string("ambassadors/email/application_notification.txt", context)
    send_email.enqueue(list(recipients), subject, body)


def coordinator_addresses():
    """Whoever coordinates the ambassadors: the active members of the
    coordinators' group (docs/roles.md) with an address, and any extra
    addresses in AMBASSADOR_COORDINATOR_EMAILS (a shared mailbox), once each."""
    members = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=COORDINATORS_GROUP)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
    addresses = {}
    for address in [*settings.AMBASSADOR_COORDINATOR_EMAILS, *members]:
        addresses.setdefault(address.strip().lower(), address.strip())
    return list(addresses.values())


def relay_message(ambassador, cleaned, submission_key):
    """E-mail the visitor's message to the ambassador, once, through the worker.

    At most INTAKE_AMBASSADOR_DAILY_LIMIT messages a day reach one
    ambassador, however many addresses send them.
    """
    fingerprint = hashlib.sha256(
        "\x1f".join([cleaned["name"], cleaned["email"], cleaned["message"], str(ambassador.pk)]).encode()
    ).hexdigest()
    # Once per form, in the database (intake/markers.py): not lost with the cache.
    key = f"relayed:{submission_key}"
    if not markers.claim(key, {"fingerprint": fingerprint}):
        if (markers.detail(key) or {}).get("fingerprint") == fingerprint:
            return  # a double submit of the same form
        raise Refused(reused_token_message())
    if not ratelimit.allow_target("ambassador", ambassador.pk, settings.INTAKE_AMBASSADOR_DAILY_LIMIT):
        markers.release(key)
        raise Refused(
            _("%(name)s has received many messages today. Your message is kept: please send it again tomorrow.")
            % {"name": ambassador.name},
            status=429,
        )
    body = render_to_string(
        "ambassadors/email/relayed_message.txt",
        {"ambassador": ambassador, "name": cleaned["name"], "message": cleaned["message"], "email": cleaned["email"]},
    )
    # One line, whatever the form let through: a header cannot hold a line break.
    subject = _("Ta steget: a message from %(name)s") % {"name": " ".join(cleaned["name"].split())[:60]}
    transaction.on_commit(
        lambda: send_email.enqueue([ambassador.email], str(subject), body, reply_to=[cleaned["email"]]), robust=True
    )
    RelayDay.count(ambassador.municipality_id)  # for the quarterly report: a number, no person
