"""Locales from settings, and the fallback for pages not translated yet.

Every language in TASTEGET_LANGUAGES gets a Wagtail locale. Swedish is the
editors' source and English is kept complete by hand; each extra locale
(German, Arabic …) is synchronised from Swedish by wagtail-localize, so every
page exists there at once as an *alias* of the Swedish page until an editor
translates it. A visitor who reaches a page that is not in their language —
an alias, or a Swedish page Wagtail fell back to — sees it in the language
it is written in, marked as such, with a notice in their own language that
offers the translations there are (see `before_serve_page` in wagtail_hooks).
"""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization
from wagtail_localize.synctree import synchronize_tree

# Kept complete by editors; never filled with aliases.
HAND_TRANSLATED = {"sv", "en"}


@transaction.atomic
def ensure_locales():
    """Create the configured locales and synchronise the extra ones from Swedish.

    Returns the language codes that were synchronised. Safe to run again: only
    pages without a translation or alias get one.
    """
    source, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    synchronised = []
    for code, _name in settings.LANGUAGES:
        locale, _created = Locale.objects.get_or_create(language_code=code)
        if code in HAND_TRANSLATED:
            continue
        # Save without the post_save signal's background sync; sync here, now.
        if not LocaleSynchronization.objects.filter(locale=locale).exists():
            LocaleSynchronization.objects.bulk_create([LocaleSynchronization(locale=locale, sync_from=source)])
        synchronize_tree(source, locale)
        synchronised.append(code)
    return synchronised


def content_language(page):
    """The language a page's text is written in: an alias shows its original's."""
    if page.alias_of_id:
        return Page.objects.filter(pk=page.alias_of_id).values_list("locale__language_code", flat=True).first()
    return page.locale.language_code
