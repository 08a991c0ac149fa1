from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

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
