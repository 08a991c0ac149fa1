"""The patches of Wagtail's own code (tasteget/patches.py) are in place and
fail loudly when Wagtail is not the version they were written for."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from wagtail.models.audit_log import ModelLogEntryManager
from wagtail.models.i18n import LocaleManager

from intake.apps import registration_ids_visible_to
from intake.models import Registration
from tasteget import locales, patches
from tests.test_architecture import ROOT


def pinned(requirements, distribution):
    for line in (ROOT / requirements).read_text().splitlines():
        found = re.fullmatch(rf"{re.escape(distribution)}==([\w.]+)", line.strip(), flags=re.IGNORECASE)
        if found:
            return found[1]
    return None


def test_the_patches_are_written_for_the_versions_requirements_pin():
    assert {name: pinned("requirements.txt", name) for name in patches.WRITTEN_FOR} == patches.WRITTEN_FOR
    patches.check_versions()  # the installed ones too


def test_another_wagtail_stops_the_site_naming_the_replaced_methods(monkeypatch):
    monkeypatch.setattr(patches.importlib.metadata, "version", lambda distribution: "99.0")
    with pytest.raises(ImproperlyConfigured) as stopped:
        patches.check_versions()
    message = str(stopped.value)
    assert "wagtail 99.0 is installed" in message
    assert "LocaleManager.get_for_language" in message and "ModelLogEntryManager.viewable_by_user" in message


def test_every_patch_is_in_place_once():
    assert LocaleManager.get_for_language is locales.get_for_language
    assert ModelLogEntryManager.viewable_by_user is patches.viewable_by_user
    assert patches.LOG_SCOPES[Registration] is registration_ids_visible_to
    assert len(patches.PATCHED) == len(set(patches.PATCHED)) == 2
    patches.install()  # again: nothing is wrapped twice
    assert len(patches.PATCHED) == 2
    assert patches.viewable_by_user.original.__module__ == "wagtail.models.audit_log"


def test_a_method_gone_from_wagtail_is_an_error_not_a_silent_new_attribute():
    class Upgraded:
        pass

    with pytest.raises(AttributeError):
        patches.replace(Upgraded, "viewable_by_user", lambda self, user: None)
    assert not hasattr(Upgraded, "viewable_by_user")
