from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tasteget.scheduling import HOUR, command

from . import views


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("reports/quarterly/", views.quarterly_report, name="reports_quarterly")]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_see_reports(request.user)


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ReportMenuItem(_("Quarterly report"), reverse("reports_quarterly"), icon_name="table", order=50)


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    # From 07:00 on the first working day of a quarter, once per contact (reports/quarterly_mail.py).
    return [command("send_quarterly_reports", HOUR)]
