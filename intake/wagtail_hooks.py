import django_filters
from django.conf import settings
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from places.models import Municipality
from tasteget.scheduling import DAY, MINUTE, Job, command

from . import admin_views, answers, markers, retention, work
from .choices import ContactStatus, Kind
from .models import Delivery, Registration, prune_access_log

WORK = [("new", _("New")), ("overdue", _("Overdue")), ("due_this_week", _("Due this week"))]


class RegistrationFilterSet(WagtailFilterSet):
    work = django_filters.ChoiceFilter(label=_("To do"), choices=WORK, method="filter_work")
    contact_status = django_filters.ChoiceFilter(label=_("Contact status"), choices=ContactStatus.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"), queryset=Municipality.objects.in_default_locale()
    )
    status = django_filters.ChoiceFilter(
        label=_("Delivery status"), choices=Delivery.Status.choices, field_name="deliveries__status", distinct=True
    )
    created_at = django_filters.DateFromToRangeFilter(label=_("Registered"), widget=DateRangePickerWidget)
    retention = django_filters.ChoiceFilter(
        label=_("Retention"), choices=[("held", _("Held back from the purge"))], method="filter_retention"
    )

    class Meta:
        model = Registration
        fields = ["work", "contact_status", "kind", "municipality", "status", "created_at", "fulfilment", "retention"]

    def filter_work(self, queryset, name, value):
        return getattr(queryset, value)() if value in dict(WORK) else queryset

    def filter_retention(self, queryset, name, value):
        return queryset.filter(pk__in=retention.held_back().values("pk")) if value == "held" else queryset


class RegistrationViewSet(ModelViewSet):
    model = Registration
    icon = "form"
    menu_label = _("Registrations")
    menu_order = 210
    add_to_admin_menu = True
    name = "intake_registration"
    url_prefix = "registrations"
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = admin_views.RegistrationIndexView
    inspect_view_class = admin_views.RegistrationInspectView
    edit_view_class = admin_views.RegistrationEditView
    delete_view_class = admin_views.RegistrationDeleteView
    history_view_class = admin_views.RegistrationHistoryView
    usage_view_class = admin_views.RegistrationUsageView
    filterset_class = RegistrationFilterSet
    list_display = [
        TitleColumn(
            "__str__",
            label=_("Registration"),
            # The listing (scoped to what the user may see) names the person;
            # __str__, which Wagtail stores in its history, does not.
            accessor="listing_label",
            get_url=lambda registration: reverse("intake_registration:inspect", args=[registration.pk]),
        ),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("municipality", label=_("Municipality")),
        Column("language", label=_("Language"), accessor="language_label"),
        Column("created_at", label=_("Registered"), accessor="created_local"),
        Column("due_date", label=_("Contact due"), accessor="due_date"),
        Column("contact_status", label=_("Contact status"), accessor="get_contact_status_display"),
        # Words, not a tick: a green tick read as "fine" where it meant "overdue".
        Column("is_overdue", label=_("Overdue"), accessor="overdue_label"),
        Column("delivery_status", label=_("Delivery"), accessor="delivery_status_label"),
        Column("last_error", label=_("Last error")),
    ]
    search_fields = ["first_name", "last_name", "email"]
    search_backend_name = None  # the database, with no index: registrations are personal data
    form_fields = ["fulfilment"]  # an adviser's guidance registration gets the contact record (admin_views)
    list_export = [
        "pk",
        "get_kind_display",
        "created_local",
        "municipality",
        "source",
        "first_name",
        "last_name",
        "email",
        "phone",
        "get_preferred_contact_display",
        "language_label",
        "country",
        "town",
        "adults",
        "children",
        "get_move_when_display",
        "topics_label",
        "message",
        "street_address",
        "postal_code",
        "magazine_issue",
        "get_fulfilment_display",
        "due_date",
        "get_contact_status_display",
        "contacted_local",
        "contact_note",
        "delivery_status_label",
    ]
    export_filename = "anmalningar"
    export_headings = {
        "pk": _("Number"),
        "get_kind_display": _("Kind"),
        "created_local": _("Registered"),
        "get_preferred_contact_display": _("Preferred contact"),
        "language_label": _("Language"),
        "get_move_when_display": _("Planned move"),
        "topics_label": _("Wants help with"),
        "get_fulfilment_display": _("Fulfilment"),
        "get_contact_status_display": _("Contact status"),
        "contacted_local": _("First contacted"),
        "delivery_status_label": _("Delivery status"),
    }
    inspect_view_fields_exclude = ["submission_key", "address_key"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("retry/<int:pk>/", admin_views.retry_failed_deliveries, name="retry"),
        ]


registration_viewset = RegistrationViewSet()


@hooks.register("register_admin_viewset")
def register_registration_viewset():
    return registration_viewset


@hooks.register("register_admin_urls")
def register_embed_code_url():
    return [
        path("embed-code/", admin_views.embed_codes, name="intake_embed_codes"),
        path("mailing-list/", admin_views.mailing_list, name="intake_mailing_list"),
        path("mailing-list/mark-sent/", admin_views.mailing_list_mark_sent, name="intake_mailing_list_mark_sent"),
        path("crm-check/", admin_views.crm_check, name="intake_crm_check"),
    ]


class EmbedCodeMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_embed(request.user)


@hooks.register("register_admin_menu_item")
def register_embed_code_menu_item():
    return EmbedCodeMenuItem(_("Embed code"), reverse("intake_embed_codes"), icon_name="code", order=211)


class MailingListMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("intake.view_all_registrations")


@hooks.register("register_admin_menu_item")
def register_mailing_list_menu_item():
    return MailingListMenuItem(_("Magazine mailing list"), reverse("intake_mailing_list"), icon_name="mail", order=212)


@hooks.register("register_settings_menu_item")
def register_crm_check_menu_item():
    # Region staff, like the mailing list: the check reads the whole CRM setup.
    return MailingListMenuItem(_("CRM check"), reverse("intake_crm_check"), icon_name="tasks", order=900)


class WorkPanel(Component):
    """On the dashboard: the user's registrations that are new, overdue or due this week."""

    name = "registrations_to_do"
    template_name = "intake/admin/work_panel.html"
    order = 50

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        registrations = Registration.objects.visible_to(self.user)
        return {"numbers": work.counts(registrations), "urls": {name: work.list_url(name) for name in work.WORK}}


@hooks.register("construct_homepage_panels")
def add_work_panel(request, panels):
    if request.user.has_perm("intake.view_registration"):
        panels.append(WorkPanel(request.user))


class RetentionPanel(Component):
    """On the Region's dashboard: registrations the daily purge keeps because a
    delivery is open or failed, or no first contact was recorded (intake/retention.py).
    Nothing undelivered is ever purged without someone having seen it here."""

    name = "registrations_held_back"
    template_name = "intake/admin/retention_panel.html"
    order = 55

    def get_context_data(self, parent_context=None):
        return {
            "count": retention.held_back().count(),
            "url": reverse("intake_registration:index") + "?retention=held",
        }


@hooks.register("construct_homepage_panels")
def add_retention_panel(request, panels):
    if request.user.has_perm("intake.view_all_registrations"):
        panels.append(RetentionPanel())


@hooks.register("may_edit_municipality_owner_fields")
def municipality_owner_fields(user, municipality):
    """A municipality's allowed websites and report contacts: Region staff,
    and the web editors of that municipality (places.models.OWNER_FIELDS)."""
    if not municipality.pk:
        return user.is_superuser or user.has_perm("intake.view_all_registrations")
    return (
        admin_views.municipalities_in_scope(user, "intake.manage_embed")
        .filter(translation_key=municipality.translation_key)
        .exists()
    )


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    jobs = [
        # Deliveries whose task was lost or whose worker died (docs/crm-bridge.md).
        command("sweep_deliveries", MINUTE),
        # Limits itself: working days from 07:00, once a day per municipality.
        Job("daily_digests", MINUTE, work.send_daily_digests),
        # Registrations past their retention lose their personal data (intake/retention.py).
        command("purge_personal_data", DAY),
        Job("prune_access_log", DAY, prune_access_log),
        # "digest sent", "message relayed" (intake/markers.py).
        Job("forget_old_markers", DAY, markers.forget_old),
    ]
    if settings.SUPEROFFICE_ANSWERS == "poll":
        # SuperOffice's answers (first contact, move status) without its webhooks.
        jobs.append(Job("crm_poll", 5 * MINUTE, answers.poll))
    return jobs
