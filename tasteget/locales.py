"""Locales by language code, read once per process.

Wagtail looks up the active Locale by its language code every time a page
asks for its translation (`Page.localized`, `Locale.get_active()`): three or
four identical queries per page. Locales are created by `sync_locales` from
LANGUAGES and change only with a deployment (which restarts the processes),
so each process keeps what it has read. A Locale saved or deleted in this
process clears it at once.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Locale
from wagtail.models.i18n import LocaleManager

_by_code = {}
_wagtail_get_for_language = LocaleManager.get_for_language


def get_for_language(manager, language_code):
    """Wagtail's `LocaleManager.get_for_language`, read once per process."""
    locale = _by_code.get(language_code)
    if locale is None:
        locale = _by_code[language_code] = _wagtail_get_for_language(manager, language_code)
    return locale


_codes = {}


def language_code_of(locale_id):
    """The language code of a Locale id, read once per process ("" for none)."""
    if locale_id not in _codes:
        found = Locale.all_objects.filter(pk=locale_id).values_list("language_code", flat=True).first()
        _codes[locale_id] = found or ""
    return _codes[locale_id]


def forget(**_kwargs):
    _by_code.clear()
    _codes.clear()


def install():
    """Forget what was read when a Locale changes; `get_for_language` is put in
    Wagtail's place by tasteget/patches.py."""
    post_save.connect(forget, sender=Locale, dispatch_uid="tasteget-locales-saved")
    post_delete.connect(forget, sender=Locale, dispatch_uid="tasteget-locales-deleted")
