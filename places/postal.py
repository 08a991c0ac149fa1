"""Swedish postal addresses: whether a country means Sweden, and what a
Swedish postal code looks like.

The postal code table (`PostalCodeRange`) knows the county's codes only; a
Swedish address elsewhere is still a good address. What every Swedish code
has in common is PostNord's numbering: five digits, written "831 30", the
first two naming one of the areas 10 (Stockholm) to 98 (Kiruna, Gällivare,
Pajala). A code outside that numbering cannot be delivered to.
"""

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# "Sweden" as people write it in the country field; the field's own
# suggestion in every language of the site is added (`in_sweden`).
SWEDEN = {"sverige", "sweden", "se", "swe", "schweden", "suède", "suede", "suecia", "svezia", "zweden", "ruotsi"}

# PostNord's numbering: the first and last code in use (areas 10 to 98).
FIRST_SWEDISH_POSTAL_CODE = "10000"
LAST_SWEDISH_POSTAL_CODE = "98999"

# "831 30", "83130", "SE-831 30": three digits, an optional space, two digits.
_SWEDISH_SHAPE = re.compile(r"^(?:SE[\s-]?)?(\d{3})\s?(\d{2})$", re.IGNORECASE)

NOT_FIVE_DIGITS = _("Write a Swedish postal code of five digits, such as 831 30.")
NOT_IN_USE = _(
    "There is no Swedish postal code %(code)s. Check the number, or write the country if the address is abroad."
)


def in_sweden(country):
    """Whether a country as written on an address means Sweden (empty: assume so)."""
    name = re.sub(r"[\s.]+", " ", country or "").strip().lower()
    if not name or name in SWEDEN:
        return True
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if name == translation.gettext("Sweden").lower():
                return True
    return False


def swedish_postal_code(value):
    """(the code written "831 30", None) for a Swedish postal code, or
    (None, the reason in words) when `value` cannot be one."""
    shape = _SWEDISH_SHAPE.match((value or "").strip())
    if not shape:
        return None, NOT_FIVE_DIGITS
    digits = shape[1] + shape[2]
    written = f"{shape[1]} {shape[2]}"
    if not FIRST_SWEDISH_POSTAL_CODE <= digits <= LAST_SWEDISH_POSTAL_CODE:
        return None, NOT_IN_USE % {"code": written}
    return written, None
