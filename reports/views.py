"""The quarterly report in the admin: for Region staff every municipality
side by side, for an adviser or a municipality's web editor their own.
The scope is the registrations listing's (intake.admin_views)."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from intake.admin_views import municipalities_in_scope
from places.models import Municipality

from . import charts, figures, tables, xlsx
from .forms import ReportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_municipalities(user):
    return list(
        municipalities_in_scope(user, "intake.view_registration", "intake.manage_embed").order_by("sort_order", "name")
    )


def can_see_reports(user):
    return bool(report_municipalities(user))


def quarterly_report(request):
    allowed = report_municipalities(request.user)
    if not allowed:
        raise PermissionDenied
    form = ReportForm(request.GET or None, municipalities=allowed)
    period = form.period()
    slug = form.chosen_slug()
    municipalities = [m for m in allowed if m.slug == slug] or allowed
    report = figures.report(period, municipalities)
    sections = tables.sections(report)
    if request.GET.get("format") == "xlsx":
        return spreadsheet(report, sections, municipalities, period)
    for section in sections:
        for table in section.tables:
            if table.chart == "months":
                top = charts.month_scale(table, range(len(municipalities)))
                table.charts = [
                    charts.month_chart(table, index, f"{municipality.name}: {table.caption}", top)
                    for index, municipality in enumerate(municipalities)
                ]
            elif table.chart == "columns":
                table.charts = [charts.column_chart(table, table.rows[-1], f"{table.caption}: {table.rows[-1].label}")]
            else:
                table.charts = []
    query = request.GET.copy()
    query["format"] = "xlsx"
    return TemplateResponse(
        request,
        "reports/admin/report.html",
        {
            "form": form,
            "period": period,
            "earlier": report["earlier"],
            "municipalities": municipalities,
            "sections": sections,
            "xlsx_query": query.urlencode(),
            "title": _("Quarterly report"),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def spreadsheet(report, sections, municipalities, period):
    response = HttpResponse(xlsx.workbook(report, sections, municipalities), content_type=XLSX)
    name = period.quarter_label or f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="ta-steget-rapport-{name}.xlsx"'
    return response


# --- The quarterly e-mail's download link ---------------------------------------
# Report contacts are often people without an admin account (a municipal
# director, a county board): the e-mail gives them a link that downloads the
# municipality's spreadsheet for that quarter, signed and expiring
# (REPORT_LINK_MAX_AGE_DAYS). The report holds figures only, no personal data;
# a forwarded link shows no more than those figures.
LINK_SALT = "reports.quarterly-link"


def download_token(period, municipality):
    return signing.dumps({"q": period.quarter_label, "m": municipality.slug}, salt=LINK_SALT, compress=True)


@never_cache
def shared_report(request, token):
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.REPORT_LINK_MAX_AGE_DAYS * 86400)
        year, number = data["q"].split("-Q")
        period = figures.Period.quarter(int(year), int(number))
        municipality = Municipality.objects.in_default_locale().get(slug=data["m"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, Municipality.DoesNotExist):
        return render(request, "reports/link_expired.html", status=404)
    report = figures.report(period, [municipality])
    return spreadsheet(report, tables.sections(report), [municipality], period)
