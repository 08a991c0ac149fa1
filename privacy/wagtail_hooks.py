from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from tasteget.scheduling import HOUR, Job

from . import ledger, views


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [
        path("personal-data/", views.person, name="privacy_person"),
        path("personal-data/export/", views.export, name="privacy_export"),
        path("personal-data/erase/", views.erase, name="privacy_erase"),
        path("personal-data/receipts/<int:pk>/", views.receipt, name="privacy_receipt"),
        path("personal-data/access-log/", views.access_log, name="privacy_access_log"),
    ]


class DataProtectionMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(views.PERMISSION)


@hooks.register("register_admin_menu_item")
def register_person_menu_item():
    return DataProtectionMenuItem(_("Personal data"), reverse("privacy_person"), icon_name="user", order=215)


@hooks.register("register_admin_menu_item")
def register_access_log_menu_item():
    return DataProtectionMenuItem(_("Access log"), reverse("privacy_access_log"), icon_name="list-ul", order=216)


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    # Erasures whose ledger entry could not be written yet (privacy/ledger.py).
    return [Job("write_pending_erasures", HOUR, ledger.write_pending)]
