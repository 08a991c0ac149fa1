import django_filters
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import models as generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from intake.models import AccessLogEntry, record_access
from places.models import Municipality
from tasteget.helpers import ExcelCsvExportMixin, neutralise_formula
from tasteget.scheduling import DAY, command

from . import admin_views
from .models import Ambassador, AmbassadorApplication, ApplicationStatus


class PublishedUnlessTheyMayEdit:
    """The chooser lists unpublished ambassadors only to those who may edit them.

    Any admin user can open a snippet chooser; an unpublished ambassador (no
    consent yet, or taken down) is not public, and their name is not for
    advisers or web editors to browse (security review).
    """

    def get_object_list(self):
        objects = super().get_object_list()
        if self.request.user.has_perm("ambassadors.change_ambassador"):
            return objects
        return objects.filter(is_published=True, consent_given_at__isnull=False)


class AmbassadorChooseView(PublishedUnlessTheyMayEdit, ChooseView):
    pass


class AmbassadorChooseResultsView(PublishedUnlessTheyMayEdit, ChooseResultsView):
    pass


class AmbassadorChooserViewSet(SnippetChooserViewSet):
    choose_view_class = AmbassadorChooseView
    choose_results_view_class = AmbassadorChooseResultsView


class AmbassadorViewSet(SnippetViewSet):
    model = Ambassador
    chooser_viewset_class = AmbassadorChooserViewSet
    icon = "group"
    menu_label = _("Ambassadors")
    list_display = ["name", "municipality", "place", "is_published"]
    list_filter = ["municipality", "is_published"]
    search_fields = ["name", "place"]


register_snippet(AmbassadorViewSet)


# --- Applications to become an ambassador -------------------------------------
# Personal data: only users with a permission on AmbassadorApplication (the
# group "Ambassadörssamordnare", superusers) see the menu item, the listing,
# the export or any application; Wagtail's model permission policy checks it
# in every view. https://docs.wagtail.org/en/stable/extending/generic_views.html


class ApplicationPermissionPolicy(ModelPermissionPolicy):
    """Applications come only from the public form: nobody adds one in the admin."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)


register_permission_policy(AmbassadorApplication, ApplicationPermissionPolicy(AmbassadorApplication))


class ApplicationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ApplicationStatus.choices)
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.in_default_locale().exclude(kind="region")
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Received"), widget=DateRangePickerWidget)

    class Meta:
        model = AmbassadorApplication
        fields = ["status", "municipality", "created_at"]


class ApplicationIndexView(ExcelCsvExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("municipality")

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.is_export:
            record_access(request.user, AccessLogEntry.Action.EXPORT, "ambassador application list")
        return response


class ApplicationEditView(generic.EditView):
    """Staff record a decision; the applicant's answers are not editable."""

    def save_instance(self):
        if "status" in self.form.changed_data:
            self.form.instance.status_changed()
        instance = super().save_instance()
        record_access(
            self.request.user, AccessLogEntry.Action.CHANGE, "ambassador application", [(LOG_LABEL, instance.pk)]
        )
        return instance


class ApplicationInspectView(generic.InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record_access(
            self.request.user, AccessLogEntry.Action.VIEW, "ambassador application", [(LOG_LABEL, self.object.pk)]
        )
        return context


LOG_LABEL = "ambassador application"


class AmbassadorApplicationViewSet(ModelViewSet):
    model = AmbassadorApplication
    icon = "user"
    menu_label = _("Ambassador applications")
    menu_order = 212
    add_to_admin_menu = True
    name = "ambassador_application"
    url_prefix = "ambassador-applications"
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = ApplicationIndexView
    edit_view_class = ApplicationEditView
    inspect_view_class = ApplicationInspectView
    filterset_class = ApplicationFilterSet
    search_fields = ["name"]
    form_fields = ["status"]
    list_display = [
        TitleColumn(
            "name",
            label=_("Name"),
            get_url=lambda application: reverse("ambassador_application:inspect", args=[application.pk]),
        ),
        Column("municipality", label=_("Municipality")),
        Column("place", label=_("Place")),
        DateColumn("created_at", label=_("Received")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        BooleanColumn("public_profile", label=_("Public profile")),
        DateColumn("handled_at", label=_("Handled")),
    ]
    list_export = [
        "pk",
        "created_at",
        "get_status_display",
        "handled_at",
        "name",
        "email",
        "phone",
        "municipality",
        "place",
        "moved_from",
        "languages",
        "interests",
        "text",
        "public_profile",
        "consent_version",
        "consent_language",
    ]
    export_filename = "ambassadorsansokningar"
    export_headings = {"pk": _("Number"), "get_status_display": _("Status")}
    inspect_view_fields_exclude = ["submission_key"]


@hooks.register("register_admin_viewset")
def register_application_viewset():
    return AmbassadorApplicationViewSet()


@hooks.register("register_admin_urls")
def register_import_url():
    return [path("ambassadors/import/", admin_views.import_ambassadors, name="ambassador_import")]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_import(request.user)


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(_("Import ambassadors"), reverse("ambassador_import"), icon_name="upload", order=213)


class NewApplicationsPanel(Component):
    """On the coordinators' dashboard: applications nobody has decided on yet,
    the oldest first, so an applicant is never left waiting unseen."""

    name = "ambassador_applications_new"
    template_name = "ambassadors/admin/new_applications_panel.html"
    order = 60
    shown = 5

    def get_context_data(self, parent_context=None):
        waiting = AmbassadorApplication.objects.filter(status=ApplicationStatus.NEW)
        return {
            "count": waiting.count(),
            "oldest": waiting.select_related("municipality").order_by("created_at")[: self.shown],
            "list_url": reverse("ambassador_application:index") + f"?status={ApplicationStatus.NEW}",
        }


@hooks.register("construct_homepage_panels")
def add_new_applications_panel(request, panels):
    if request.user.has_perm("ambassadors.change_ambassadorapplication"):
        panels.append(NewApplicationsPanel())


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    return [command("purge_ambassador_applications", DAY)]
