import datetime

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from ..tables import DECIMAL, SHARE

register = template.Library()


@register.simple_tag
def figure(value, kind):
    """A figure as people read it: 72,7 %, 5,5, or a dash when there is none.
    Shares are rounded to one decimal, as in the XLSX (number_format alone
    would cut 72,7 to 72)."""
    if value is None:
        return "–"
    if kind == SHARE:
        return _("%(percent)s %%") % {"percent": formats.number_format(round(value * 100, 1), 1)}
    if kind == DECIMAL:
        return formats.number_format(value, 1)
    return formats.number_format(value, 0, force_grouping=True)


@register.filter
def row_label(label):
    if isinstance(label, datetime.date):
        return formats.date_format(label, "YEAR_MONTH_FORMAT")
    return label
