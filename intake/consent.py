"""The consent texts shown with each form, versioned.

A registration stores the exact text the person saw, its version and
language. When a text changes, add a new version and make it current; old
versions stay so that stored consents keep their meaning.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

GUIDANCE = "guidance"
MAGAZINE = "magazine"
NEWSLETTER = "newsletter"

TEXTS = {
    (GUIDANCE, "2026-1"): _(
        "I agree that Region Jämtland Härjedalen and the municipality I chose store my details in the shared "
        "contact register to give me moving guidance. My details are deleted after five years without contact."
    ),
    (MAGAZINE, "2026-1"): _(
        "I agree that Region Jämtland Härjedalen stores my name and address to send me the magazine Ta Steget, "
        "and gives them to the mailing house for that purpose only."
    ),
    (NEWSLETTER, "2026-1"): _(
        "I want the Ta steget newsletter and agree that Region Jämtland Härjedalen stores my e-mail address "
        "and interests until I unsubscribe."
    ),
}
EVENT = "event"
TEXTS[(EVENT, "2026-1")] = _(
    "I agree that Region Jämtland Härjedalen and the organising municipality store my details in the shared "
    "contact register to hold my place at the meet-up, remind me of it and tell me if I get a place from the "
    "waiting list. My details are deleted 12 months after I signed up."
)
AMBASSADOR_CONTACT = "ambassador_contact"
TEXTS[(AMBASSADOR_CONTACT, "2026-1")] = _(
    "I agree that my name, e-mail address and message are passed on to the ambassador so that they can answer me."
)
AMBASSADOR_APPLICATION = "ambassador_application"
TEXTS[(AMBASSADOR_APPLICATION, "2026-1")] = _(
    "I agree that Region Jämtland Härjedalen stores the details in this application to handle it and to contact "
    "me about becoming a place ambassador. If I become one, they are kept for as long as I am an ambassador; "
    "if not, they are deleted 12 months after I applied at the latest."
)
# Optional, given together with an application: a profile needs its own consent.
AMBASSADOR_PROFILE = "ambassador_profile"
TEXTS[(AMBASSADOR_PROFILE, "2026-1")] = _(
    "If I become an ambassador, I agree that my first name, where I live and moved from, my languages, interests "
    "and short text are shown in the public directory on tasteget.nu. My e-mail address and phone number are "
    "never shown, and I can have the profile removed at any time."
)
CURRENT = {
    GUIDANCE: "2026-1",
    MAGAZINE: "2026-1",
    NEWSLETTER: "2026-1",
    EVENT: "2026-1",
    AMBASSADOR_CONTACT: "2026-1",
    AMBASSADOR_APPLICATION: "2026-1",
    AMBASSADOR_PROFILE: "2026-1",
}


def current(purpose):
    version = CURRENT[purpose]
    return version, TEXTS[(purpose, version)]


def is_known(purpose, version):
    return (purpose, version) in TEXTS


def shown_text(purpose, version, language):
    """The text exactly as a person saw it: this version, in their language."""
    with translation.override(language):
        return str(TEXTS[(purpose, version)])
