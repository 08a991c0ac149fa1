"""The signed links of a sign-up and where its e-mails go."""

import base64

from django.core import signing
from wagtail.models import Locale

from places.models import Adviser
from tasteget.helpers import absolute_url

from .models.signups import Signup

CANCEL_SALT = "events.cancel"


def cancel_token(signup):
    """Signed, and encoded once more so it is one path segment Wagtail routes
    (letters, digits, `-` and `_`: a signature's colons are not)."""
    signed = signing.dumps({"s": signup.pk, "k": signup.cancel_key}, salt=CANCEL_SALT)
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def read_cancel_token(token):
    """The sign-up a cancel link names, or None when forged."""
    if len(token) > 400 or not token.isascii():
        return None
    try:
        signed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        data = signing.loads(signed, salt=CANCEL_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    signup = Signup.objects.select_related("event").filter(pk=data["s"]).first()
    if signup is None or signup.cancel_key != data.get("k"):
        return None
    return signup


def page_in_language(event, language):
    """The meet-up's page in `language` (a translation or alias), else the Swedish one."""
    locale = Locale.objects.filter(language_code=language).first()
    found = event.get_translation_or_none(locale) if locale else None
    return (found or event).specific


def cancel_link(signup, page=None):
    """The address that cancels a sign-up, on the meet-up's page in the person's language."""
    page = page or page_in_language(signup.event, signup.language)
    return page.url + page.reverse_subpage(page.cancel_route(), args=[cancel_token(signup)])


def organiser_emails(event):
    if event.organiser_id and event.organiser and event.organiser.is_active:
        return [event.organiser.email]
    return sorted({adviser.email.lower() for adviser in Adviser.objects.serving(event.municipality.canonical)})


def absolute_cancel_link(signup):
    return absolute_url(cancel_link(signup))
