"""Who a newsletter subscriber is, and the signed links that name a subscription.

`person_key` is the one key for a person across registrations (SHA-256 of
the e-mail address): the CRM merges on it, and a subscription reduced by
retention keeps only it. The links confirm, end or change a subscription
without an account (docs/data-protection.md).
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import translation

from tasteget.helpers import absolute_url

from .choices import Kind
from .models.registrations import Registration


def person_key(email):
    """A stable key for one person: SHA-256 of the trimmed, lower-cased e-mail
    (no e-mail, no key). The CRM and the webhook receiver merge on it."""
    normalised = (email or "").strip().lower()
    return hashlib.sha256(normalised.encode()).hexdigest() if normalised else None


NEWSLETTER_SALT = "intake.newsletter"


def newsletter_link(registration, action):
    """The signed address that confirms or ends a newsletter subscription, in
    the subscriber's language whatever the language of the moment (the CRM
    payload is built in none in particular)."""
    token = signing.dumps({"r": registration.pk, "a": action}, salt=NEWSLETTER_SALT)
    return subscriber_reverse(registration, f"intake_newsletter_{action}", token)


def subscriber_reverse(registration, name, token):
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        return reverse(name, args=[token])


PREFERENCES_SALT = "intake.newsletter.preferences"


# Enough of the address's hash to bind a link to the person whose row it names.
PREFERENCES_HASH_LENGTH = 16


def subscription_hash(registration):
    """The hash of the subscriber's address, kept also when the address is not (intake/retention.py)."""
    return person_key(registration.email) or registration.person_hash or ""


def preferences_request_url(language):
    """The page, in the subscriber's language, where a new preference link is asked for."""
    with translation.override(language):
        return absolute_url(reverse("intake_newsletter_preferences_request"))


def preferences_link_days():
    """How long a preference link works, in whole days (for the texts that say so)."""
    return max(1, settings.NEWSLETTER_PREFERENCES_MAX_AGE // (24 * 3600))


def person_token(registration, salt):
    """A signed token naming a registration by id and part of its address's
    hash, never the address: it works for a row reduced to the hash, and dies
    with an anonymised or erased one (whose hash is blank). The preference
    link and the link to a mover's own page (intake/movers.py) both use it."""
    return signing.dumps(
        {"r": registration.pk, "h": subscription_hash(registration)[:PREFERENCES_HASH_LENGTH]}, salt=salt
    )


def registration_from_token(token, *, salt, max_age, rows):
    """The registration among `rows` a valid, unexpired `person_token` names, or None."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not data.get("h"):
        return None
    registration = rows.filter(pk=data["r"], anonymised_at__isnull=True).first()
    if registration is None or not subscription_hash(registration).startswith(str(data["h"])):
        return None
    return registration


def preferences_link(registration):
    """The signed, expiring address of a subscription's preference page."""
    return subscriber_reverse(
        registration, "intake_newsletter_preferences", person_token(registration, PREFERENCES_SALT)
    )


def subscription_from_preferences_token(token):
    """The newsletter subscription a valid, unexpired preference token names, or None."""
    return registration_from_token(
        token,
        salt=PREFERENCES_SALT,
        max_age=settings.NEWSLETTER_PREFERENCES_MAX_AGE,
        rows=Registration.objects.select_related("municipality").filter(kind=Kind.NEWSLETTER),
    )


def subscription_for_address(email):
    """The newest confirmed, still active subscription of this address, matched
    by the hash so a subscription reduced to it is found too."""
    key = person_key(email)
    if not key:
        return None
    return (
        Registration.objects.filter(
            kind=Kind.NEWSLETTER,
            confirmed_at__isnull=False,
            unsubscribed_at__isnull=True,
            anonymised_at__isnull=True,
        )
        .filter(models.Q(email__iexact=email.strip()) | models.Q(person_hash=key))
        .order_by("-created_at")
        .first()
    )
