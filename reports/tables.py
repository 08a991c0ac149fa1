"""The report as tables: one shape for the admin page, its charts and the
XLSX file, so the three always show the same numbers.

A section has tables; a table has rows; a row has a label (text or the
first day of a month) and, per municipality, the figure for the period and
for the same days a year earlier.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from intake.choices import ContactStatus, Topic

from .figures import ADDRESS_UNKNOWN, OUTSIDE_COUNTY, shift_year

NUMBER, SHARE, DECIMAL = "number", "share", "decimal"


@dataclass
class Row:
    label: object
    cells: list  # [(period, year earlier)] per municipality
    format: str = NUMBER


@dataclass
class Table:
    caption: str
    row_heading: str
    rows: list = field(default_factory=list)
    # "months": each municipality's column drawn as bars per month;
    # "columns": one chart of the last row (the total), a pair of bars per column.
    chart: str = ""
    columns: list = None  # the column headings; the report's municipalities when None


@dataclass
class Section:
    slug: str
    title: str
    tables: list
    note: str = ""


def pairs(report, section, pick):
    """[(period, year earlier)] per municipality for one figure."""
    current, previous = report["current"][section], report["previous"][section]
    return [(pick(current[m.pk]), pick(previous[m.pk])) for m in report["municipalities"]]


def row(report, section, label, key, format=NUMBER):
    return Row(label, pairs(report, section, lambda figures: figures[key]), format)


def counter_rows(report, section, key, labels):
    """One row per label (value → text) with the counts of figures[key] (a Counter)."""
    return [
        Row(text, pairs(report, section, lambda figures, value=value: figures[key].get(value, 0)))
        for value, text in labels
    ]


def month_rows(report, section, key):
    """One row per month of the period; beside it, the same month a year earlier."""
    current, previous = report["current"][section], report["previous"][section]
    return [
        Row(
            month,
            [
                (current[m.pk][key].get(month, 0), previous[m.pk][key].get(shift_year(month), 0))
                for m in report["municipalities"]
            ],
        )
        for month in report["period"].months()
    ]


def used(report, section, key):
    """The values of figures[key] (Counters) that occur for any municipality in either period."""
    found = set()
    for part in ("current", "previous"):
        for figures in report[part][section].values():
            found.update(figures[key])
    return sorted(found)


def magazine_columns(report):
    """[(key, heading)]: the municipalities of the addresses. Whoever sees the
    Region sees, in its place, the orders from outside the county (and those
    whose address could not be placed, when there are any)."""
    municipalities = report["municipalities"]
    columns = [(m.pk, m.name) for m in municipalities if not m.is_region]
    if any(m.is_region for m in municipalities):
        columns.append((OUTSIDE_COUNTY, _("Outside the county")))
        if any(report[part]["magazine"][ADDRESS_UNKNOWN]["total"] for part in ("current", "previous")):
            columns.append((ADDRESS_UNKNOWN, _("Address not known")))
    return columns


def magazine_table(report):
    """Orders per issue (rows) and municipality of the address (columns)."""
    columns = magazine_columns(report)
    current, previous = report["current"]["magazine"], report["previous"]["magazine"]

    def cells(pick):
        return [(pick(current[key]), pick(previous[key])) for key, _heading in columns]

    issues = sorted(
        {issue for key, _heading in columns for part in (current, previous) for issue in part[key]["issues"]}
    )
    rows = [Row(issue, cells(lambda figures, issue=issue: figures["issues"].get(issue, 0))) for issue in issues]
    rows.append(Row(_("Total"), cells(lambda figures: figures["total"])))
    return Table(
        _("Orders of the printed magazine by the municipality of the address"),
        _("Issue"),
        rows,
        chart="columns",
        columns=[heading for _key, heading in columns],
    )


def sections(report):
    found = build_sections(report)
    names = [m.name for m in report["municipalities"]]
    for section in found:
        for table in section.tables:
            if table.columns is None:
                table.columns = names
    return found


def build_sections(report):
    month = _("Month")
    topics = dict(Topic.choices)
    return [
        Section(
            "guidance",
            _("Registrations for moving guidance"),
            [
                Table(
                    _("Registrations per month"),
                    month,
                    [*month_rows(report, "guidance", "months"), row(report, "guidance", _("Total"), "total")],
                    chart="months",
                ),
                Table(
                    _("Registrations by source"),
                    _("Source"),
                    counter_rows(report, "guidance", "sources", [(s, s) for s in used(report, "guidance", "sources")]),
                ),
                Table(
                    _("What people want help with"),
                    _("Wants help with"),
                    counter_rows(
                        report,
                        "guidance",
                        "topics",
                        [(value, topics.get(value, value)) for value in [*Topic.values, *extra_topics(report)]],
                    ),
                ),
            ],
            note=_("One person may want help with several things."),
        ),
        Section(
            "service_level",
            _("Service level"),
            [
                Table(
                    _("First contact within five working days"),
                    _("Figure"),
                    [
                        row(
                            report,
                            "service_level",
                            _("Share contacted within five working days"),
                            "share_in_time",
                            SHARE,
                        ),
                        row(report, "service_level", _("Median working days to first contact"), "median_days", DECIMAL),
                        row(report, "service_level", _("Registrations whose five working days are over"), "due"),
                        row(report, "service_level", _("Contacted within five working days"), "in_time"),
                        row(report, "service_level", _("Not contacted yet"), "uncontacted"),
                        row(report, "service_level", _("Overdue now"), "overdue"),
                    ],
                )
            ],
            note=_(
                "Registrations made in the period. Working days leave out weekends, public holidays, Midsummer Eve, "
                "Christmas Eve and New Year's Eve."
            ),
        ),
        Section(
            "outcomes",
            _("Outcomes"),
            [
                Table(
                    _("Where the dialogue stands now"),
                    _("Contact status"),
                    [row(report, "outcomes", label, value) for value, label in ContactStatus.choices],
                )
            ],
            note=_("People who registered in the period, by the contact status their adviser recorded."),
        ),
        Section(
            "magazine",
            _("Magazine orders"),
            [magazine_table(report)],
            note=_(
                "Orders made in the period, by where the postal address lies (the postal code table under "
                "Municipalities → Postal code areas); addresses abroad or elsewhere in Sweden count as outside "
                "the county."
            ),
        ),
        Section(
            "newsletter",
            _("Newsletter"),
            [
                Table(
                    _("Subscriptions"),
                    _("Figure"),
                    [
                        row(report, "newsletter", _("Confirmed"), "confirmed"),
                        row(report, "newsletter", _("Unsubscribed"), "unsubscribed"),
                        row(report, "newsletter", _("Net growth"), "net"),
                        row(report, "newsletter", _("Not confirmed after seven days"), "unconfirmed"),
                    ],
                )
            ],
            note=_("By the municipality the subscriber is most interested in; the Region when none was chosen."),
        ),
        Section(
            "ambassadors",
            _("Place ambassadors"),
            [
                Table(
                    _("Contacts and applications"),
                    _("Figure"),
                    [
                        row(report, "ambassadors", _("Messages relayed to ambassadors"), "relayed"),
                        row(report, "ambassadors", _("Applications to become an ambassador"), "applications"),
                    ],
                )
            ],
        ),
        Section(
            "meetups",
            _("Newcomer meet-ups"),
            [
                Table(
                    _("Sign-ups and attendance"),
                    _("Figure"),
                    [
                        row(report, "meetups", _("Sign-ups made"), "signups"),
                        row(report, "meetups", _("Of them on the waiting list"), "waiting"),
                        row(report, "meetups", _("Of them cancelled"), "cancelled"),
                        row(report, "meetups", _("Meet-ups held"), "held"),
                        row(report, "meetups", _("People who came"), "attended"),
                    ],
                )
            ],
            note=_(
                "Sign-ups made in the period; meet-ups held in the period and the people their organiser marked "
                "as attended. The Region's figures are the meet-ups for the whole county."
            ),
        ),
        Section(
            "traffic",
            _("Traffic"),
            [
                Table(
                    _("Views of the municipality's pages per month"),
                    month,
                    month_rows(report, "traffic", "pages"),
                    chart="months",
                ),
                Table(
                    _("Views of stories about the municipality per month"),
                    month,
                    [*month_rows(report, "traffic", "stories"), row(report, "traffic", _("Total views"), "total")],
                ),
            ],
            note=_("Counted without cookies or any identifier; visitors who ask not to be tracked are not counted."),
        ),
    ]


def extra_topics(report):
    """Topics stored that the form no longer offers (kept, not hidden)."""
    return [value for value in used(report, "guidance", "topics") if value not in Topic.values]
