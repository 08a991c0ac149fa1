"""Bar charts drawn on the server as SVG geometry (the template writes the
elements): no script, no chart library, nothing from another host.

Bars are drawn in `currentColor`: solid for the period, outlined for the
year earlier, so the two differ by shape, not only colour, and follow the
text colour in Windows high-contrast (forced colours) and in print. Every
chart sits next to the table it was drawn from (WCAG 1.1.1).
"""

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 18, 30


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    earlier: bool


def scale_top(largest):
    """A round top for the axis, at least 1."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if largest <= step * 4:
            return max(step * ((largest + step - 1) // step), 1)
    return largest


def month_chart(table, column, title):
    """The bars of one municipality's column (`column`) of a per-month table."""
    rows = [row for row in table.rows if isinstance(row.label, datetime.date)]
    top = scale_top(max([value for row in rows for value in row.cells[column]] or [0]))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_width / max(len(rows), 1)
    bar_width = min(group * 0.38, 28)
    bars, labels, described = [], [], []
    for index, row in enumerate(rows):
        current, earlier = row.cells[column]
        start = LEFT + index * group + (group - 2 * bar_width) / 2
        for offset, value, is_earlier in ((0, current, False), (bar_width, earlier, True)):
            height = plot_height * value / top
            bars.append(Bar(start + offset, TOP + plot_height - height, bar_width, height, value, is_earlier))
        month = formats.date_format(row.label, "M")
        labels.append({"x": LEFT + index * group + group / 2, "text": month})
        described.append(
            _("%(month)s: %(value)s (a year earlier %(earlier)s)")
            % {"month": month, "value": current, "earlier": earlier}
        )
    return {
        "title": title,
        "description": "; ".join(described),
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "labels": labels,
        "label_y": HEIGHT - BOTTOM + 16,
        "top": top,
        "top_y": TOP,
        "base_y": TOP + plot_height,
        "left": LEFT,
        "right": WIDTH - RIGHT,
    }
