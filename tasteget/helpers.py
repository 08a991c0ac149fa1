"""Small helpers every app may use: slugs from query strings, absolute
addresses for e-mails, and spreadsheet-safe export values.

This package is the bottom layer (docs/architecture.md): it imports no app of
the project.
"""

import csv
import re

from django.conf import settings

SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def clean_slug(value):
    """A slug from a query string, or "" if it is not one (e.g. holds a NUL)."""
    return value if value and len(value) <= 100 and SLUG.fullmatch(value) else ""


def absolute_url(path):
    """An address for an e-mail, the CRM or a cached page: the configured base
    plus `path`. Never the request's Host header: a page cached for everyone
    must not link to a host one visitor sent (docs/security.md).
    An address that is already absolute is kept."""
    if path.startswith(("https://", "http://")):
        return path
    return public_origin() + path


def public_origin():
    """scheme://host[:port] of the public site (WAGTAILADMIN_BASE_URL)."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A separator a spreadsheet may split a cell on (Swedish Excel splits a CSV
# file on semicolons), then something that starts a formula.
FORMULA_AFTER_SEPARATOR = re.compile(r"([;,|\t\r\n]\s*)(?=[=+\-@])")


def neutralise_formula(value):
    """Spreadsheets run cells starting with = + - @ as formulas; make them text.

    Also a formula after a separator: `Sverige;=1337+1;x` is three cells in a
    spreadsheet that splits on semicolons, so each part that would
    start a cell gets the same `'`."""
    if not isinstance(value, str):
        return value
    value = FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


# CSV as Swedish Excel opens it with a double click: UTF-8 with a byte order
# mark (without it Excel reads Windows-1252: "Ã¥" for "å"), semicolons (the
# list separator of a Swedish Windows; commas would put a whole row in one
# cell) and every field quoted.
EXCEL_BOM = "\ufeff"
EXCEL_CSV = {"delimiter": ";", "quoting": csv.QUOTE_ALL}


def excel_csv_writer(stream):
    """A csv.writer for Swedish Excel; the caller writes EXCEL_BOM first."""
    return csv.writer(stream, **EXCEL_CSV)


class _Line:
    def write(self, value):
        return value


class ExcelCsvExportMixin:
    """For a Wagtail listing with exports (SpreadsheetExportMixin): its CSV as
    the mailing list's, for Swedish Excel, and every cell, headings too,
    through `neutralise_formula`. XLSX is Wagtail's own (typed cells)."""

    def stream_csv(self, queryset):
        writer = excel_csv_writer(_Line())
        yield (
            EXCEL_BOM
            + writer.writerow([neutralise_formula(self.get_heading(queryset, field)) for field in self.list_export])
        ).encode()
        for item in queryset:
            row = self.to_row_dict(item)
            yield writer.writerow(
                [
                    neutralise_formula(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                    for field, value in row.items()
                ]
            ).encode()

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response
