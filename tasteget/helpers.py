"""Small helpers every app may use: slugs from query strings, absolute
addresses for e-mails, and spreadsheet-safe export values.

This package is the bottom layer (docs/architecture.md): it imports no app of
the project.
"""

import re

from django.conf import settings

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def clean_slug(value):
    """A slug from a query string, or "" if it is not one (e.g. holds a NUL)."""
    return value if value and len(value) <= 100 and SLUG.fullmatch(value) else ""


def absolute_url(path):
    """An address for an e-mail or the CRM: the configured base plus `path`."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Spreadsheets run cells starting with = + - @ as formulas; make them text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
