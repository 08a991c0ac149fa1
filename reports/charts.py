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


@dataclass
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str  # "axis" or "grid"


@dataclass
class Text:
    x: float
    y: float
    text: object
    anchor: str  # SVG text-anchor


def scale_top(largest):
    """A round top for the axis, at least 1."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if largest <= step * 4:
            return max(step * ((largest + step - 1) // step), 1)
    return largest


def month_rows(table):
    return [row for row in table.rows if isinstance(row.label, datetime.date)]


def month_scale(table, columns):
    """One top for the month charts of these columns, so that charts shown
    side by side compare at a glance (a bar twice as high is twice as many)."""
    rows = month_rows(table)
    return scale_top(max([value for row in rows for column in columns for value in row.cells[column]] or [0]))


def month_chart(table, column, title, top=None):
    """The bars of one municipality's column (`column`) of a per-month table,
    on the scale `top` (by default the column's own)."""
    rows = month_rows(table)
    top = top or month_scale(table, [column])
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
    base_y = TOP + plot_height
    return {
        "title": title,
        "description": "; ".join(described),
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "top": top,
        "lines": [
            Line(LEFT, base_y, WIDTH - RIGHT, base_y, "axis"),
            Line(LEFT, TOP, WIDTH - RIGHT, TOP, "grid"),
        ],
        "texts": [
            Text(LEFT - 4, TOP, top, "end"),
            Text(LEFT - 4, base_y, 0, "end"),
            *(Text(label["x"], HEIGHT - BOTTOM + 16, label["text"], "middle") for label in labels),
        ],
    }


# A chart across the columns of a table: one pair of horizontal bars per
# column, its heading on the left (the names are too long to stand under
# vertical bars).
COLUMN_WIDTH, LABEL_WIDTH, BAR, GROUP = 460, 150, 9, 26


def column_chart(table, row, title):
    """The bars of one row (`row`, such as the total) across the columns of a table."""
    values = list(zip(table.columns, row.cells, strict=True))
    top = scale_top(max([value for _heading, pair in values for value in pair] or [0]))
    height = TOP + GROUP * len(values) + BOTTOM
    plot_width = COLUMN_WIDTH - LABEL_WIDTH - RIGHT - 12
    base_y = TOP + GROUP * len(values)
    bars, texts, described = [], [], []
    for index, (heading, (current, earlier)) in enumerate(values):
        y = TOP + index * GROUP + (GROUP - 2 * BAR) / 2
        for offset, value, is_earlier in ((0, current, False), (BAR, earlier, True)):
            bars.append(Bar(LABEL_WIDTH, y + offset, plot_width * value / top, BAR, value, is_earlier))
        texts.append(Text(LABEL_WIDTH - 6, y + BAR, heading, "end"))
        described.append(
            _("%(column)s: %(value)s (a year earlier %(earlier)s)")
            % {"column": heading, "value": current, "earlier": earlier}
        )
    texts += [Text(LABEL_WIDTH, base_y + 14, 0, "middle"), Text(LABEL_WIDTH + plot_width, base_y + 14, top, "middle")]
    return {
        "title": title,
        "description": "; ".join(described),
        "width": COLUMN_WIDTH,
        "height": height,
        "bars": bars,
        "top": top,
        "lines": [
            Line(LABEL_WIDTH, TOP, LABEL_WIDTH, base_y, "axis"),
            Line(LABEL_WIDTH + plot_width, TOP, LABEL_WIDTH + plot_width, base_y, "grid"),
        ],
        "texts": texts,
    }
