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


@pytest.mark.parametrize("language", ["sv", "en"])
def test_compiled_catalogue_matches_its_source(language):
    po = polib.pofile(LOCALE_DIR / f"{language}/LC_MESSAGES/django.po")
    mo = polib.mofile(LOCALE_DIR / f"{language}/LC_MESSAGES/django.mo")
    compiled = {entry.msgid: entry.msgstr for entry in mo}
    expected = {entry.msgid: entry.msgstr for entry in po.translated_entries() if not entry.obsolete}
    assert {key: compiled.get(key) for key in expected} == expected
