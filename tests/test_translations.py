"""Every user-facing string has a Swedish translation, and the compiled
catalogues match their sources."""

from pathlib import Path

import polib
import pytest

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def test_swedish_catalogue_is_complete():
    po = polib.pofile(LOCALE_DIR / "sv/LC_MESSAGES/django.po")
    untranslated = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries()]
    assert untranslated == []
    assert len(po.translated_entries()) > 50


@pytest.mark.parametrize("language", ["sv", "en", "de", "ar"])
def test_compiled_catalogue_matches_its_source(language):
    po = polib.pofile(LOCALE_DIR / f"{language}/LC_MESSAGES/django.po")
    mo = polib.mofile(LOCALE_DIR / f"{language}/LC_MESSAGES/django.mo")
    compiled = {entry.msgid: entry.msgstr for entry in mo}
    expected = {entry.msgid: entry.msgstr for entry in po.translated_entries() if not entry.obsolete}
    assert {key: compiled.get(key) for key in expected} == expected


# What a visitor to an extra locale reads even before editors translate any
# page: the site's frame, the international house, search and error pages.
# (Pages not yet translated are rendered wholly in their own language.)
PUBLIC_FRAME = ("site/templates/", "home/templates/", "search/templates/")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_extra_locales_translate_the_public_frame(language):
    po = polib.pofile(LOCALE_DIR / f"{language}/LC_MESSAGES/django.po")
    frame = [
        entry
        for entry in po
        if not entry.obsolete and any(path.startswith(PUBLIC_FRAME) for path, _line in entry.occurrences)
    ]
    missing = [entry.msgid for entry in frame if not entry.translated() or "fuzzy" in entry.flags]
    assert missing == []
    assert len(frame) > 40


def test_the_translation_editor_says_publish_in_with_a_space(admin_client):
    """wagtail-localize's Swedish JavaScript catalogue reads "Publicera påEnglish";
    locale/sv/LC_MESSAGES/djangojs.po corrects it for the translation editor."""
    import json
    import re

    from django.urls import reverse

    script = admin_client.get(reverse("wagtail_localize:javascript_catalog")).content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", script, re.S).group(1))
    assert catalog["Publish in "] == "Publicera på "
