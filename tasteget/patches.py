"""Every change we make to Wagtail's own code, in one place.

Wagtail has no hook for these, so each replaces a method of Wagtail's. They
were written against the Wagtail pinned in requirements.txt (`WRITTEN_FOR`):
with any other version installed the site refuses to start
(`check_versions`, from `TastegetConfig.ready`) until someone has read the
replaced methods in the new version, adjusted the patches and the pin here.
tests/test_patches.py checks the pin against requirements.txt and that
every patch is in place.

1. `LocaleManager.get_for_language` keeps Locales by language code for the
   process (tasteget/locales.py: three or four identical queries per page
   otherwise).
2. `ModelLogEntryManager.viewable_by_user` hides the log entries of rows a
   user may not see (`scope_log_entries`): Wagtail shows anyone with a
   permission on a model every log entry of that model (Reports → Site
   history); intake scopes registrations to the adviser's municipality.
"""

import importlib.metadata

from django.core.exceptions import ImproperlyConfigured

# The versions the patches below were written for (requirements.txt pins them).
WRITTEN_FOR = {"wagtail": "8.0.1"}

# (class, attribute) of every patch, as installed.
PATCHED = []


def check_versions():
    """Raise unless the installed packages are the ones the patches were written for."""
    for distribution, version in WRITTEN_FOR.items():
        installed = importlib.metadata.version(distribution)
        if installed != version:
            methods = ", ".join(f"{owner.__name__}.{name}" for owner, name in PATCHED) or "see its docstring"
            raise ImproperlyConfigured(
                f"tasteget/patches.py replaces methods of {distribution} {version}, but {distribution} {installed} is "
                f"installed. Read the replaced methods ({methods}) in {installed}, adjust the patches, then set "
                f"WRITTEN_FOR there."
            )


def replace(owner, name, replacement):
    """Put `replacement` in place of `owner.name`, once; the original is `replacement.original`."""
    original = getattr(owner, name)  # an AttributeError here: the method is gone from Wagtail
    if getattr(original, "tasteget_patch", False):
        return original
    replacement.tasteget_patch = True
    replacement.original = original
    setattr(owner, name, replacement)
    PATCHED.append((owner, name))
    return replacement


def install():
    """Check the versions, then apply the patches that need no app (called once at startup)."""
    from wagtail.models.audit_log import ModelLogEntryManager
    from wagtail.models.i18n import LocaleManager

    from . import locales

    check_versions()
    replace(LocaleManager, "get_for_language", locales.get_for_language)
    replace(ModelLogEntryManager, "viewable_by_user", viewable_by_user)


# --- 2. Scoped log entries ---------------------------------------------------

# model → function(user) giving the ids (as text) of its rows the user may
# see, or None when the user sees them all.
LOG_SCOPES = {}


def scope_log_entries(model, visible_ids):
    """Show a user only the log entries of `model` whose rows `visible_ids(user)` names."""
    LOG_SCOPES[model] = visible_ids


def viewable_by_user(self, user):
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    entries = viewable_by_user.original(self, user)
    for model, visible_ids in LOG_SCOPES.items():
        visible = visible_ids(user)
        if visible is None:
            continue
        content_type = ContentType.objects.get_for_model(model)
        entries = entries.exclude(Q(content_type=content_type) & ~Q(object_id__in=visible))
    return entries
