"""Admin views for registrations, scoped to what each user may see.

Every view that loads one registration goes through `ScopedObjectMixin`, so
an adviser of Åre gets a 404 for Berg's registrations by any URL; lists and
exports start from `Registration.objects.visible_to(user)`.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import models as generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.log_actions import log

from places.models import Municipality
from tasteget.helpers import EXCEL_BOM, ExcelCsvExportMixin, excel_csv_writer, neutralise_formula

from . import cases
from .choices import Kind
from .forms import AllowedWebsitesForm
from .models import AccessLogEntry, Delivery, EmbedLoad, Registration, record_access, scoped_municipality_keys
from .tasks import enqueue_delivery


class ScopedObjectMixin:
    """An object view of a model whose manager scopes by municipality
    (`visible_to`): another municipality's object is a 404, whatever the URL."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not type(obj).objects.visible_to(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class RegistrationIndexView(ExcelCsvExportMixin, generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .filter(pk__in=Registration.objects.visible_to(self.request.user).values("pk"))
            .select_related("municipality")
            .prefetch_related("deliveries")
        )

    @cached_property
    def no_results_message(self):
        """Wagtail's "No %(model_name)s match…" reads "Ingen anmälningar" in Swedish."""
        if self.is_searching or self.is_filtering:
            return _("No registrations match your search.")
        return super().no_results_message

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.is_export:
            record_access(request.user, AccessLogEntry.Action.EXPORT, "registration list")
        return response


EMPTY = "—"


def readable(value):
    """A value as an adviser reads it: local time (as in the list), "—" for
    nothing, Yes/No, never `None`, `False` or a Python list."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return value


class RegistrationInspectView(ScopedObjectMixin, generic.InspectView):
    template_name = "intake/admin/inspect.html"

    def get_topics_display_value(self):
        return self.object.topics_label or EMPTY

    def get_language_display_value(self):
        return self.object.language_label or EMPTY

    def get_field_display_value(self, field_name, field):
        return readable(super().get_field_display_value(field_name, field))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["deliveries"] = self.object.deliveries.all()
        context["consent"] = getattr(self.object, "consent", None)
        # One case per person (intake/cases.py): each repeat and the answers it replaced.
        context["history"] = [
            {"update": update, "changes": cases.changes(update)}
            for update in self.object.updates.select_related("other__municipality")
        ]
        context["can_retry"] = self.request.user.has_perm("intake.retry_delivery")
        context["retrying"] = any(d.status == Delivery.Status.RETRYING for d in context["deliveries"])
        # The adviser's main action, in plain sight rather than behind "⋯".
        if self.object.kind == Kind.GUIDANCE and self.request.user.has_perm("intake.change_registration"):
            context["contact_url"] = reverse("intake_registration:edit", args=[self.object.pk])
        record_access(self.request.user, AccessLogEntry.Action.VIEW, "registration", [("registration", self.object.pk)])
        return context


class ContactRecordForm(WagtailAdminModelForm):
    """The adviser's record of the dialogue with a person for guidance."""

    class Meta:
        model = Registration
        fields = ["contact_status", "contact_note"]

    def save(self, commit=True):
        self.instance.record_contact(self.for_user)
        return super().save(commit)


CONTACT_RECORD = ObjectList(
    [FieldPanel("contact_status"), FieldPanel("contact_note")], base_form_class=ContactRecordForm
).bind_to_model(Registration)


class RegistrationEditView(ScopedObjectMixin, generic.EditView):
    """Guidance: the contact record; a magazine order: its fulfilment. Every
    change is in the registration's history (Wagtail's log)."""

    def is_guidance(self):
        kind = Registration.objects.filter(pk=self.kwargs.get("pk")).values_list("kind", flat=True).first()
        return kind == Kind.GUIDANCE

    def get_panel(self):
        return CONTACT_RECORD if self.is_guidance() else super().get_panel()

    def get_template_names(self):
        if self.is_guidance():
            return ["intake/admin/contact_record.html"]
        return super().get_template_names()

    def get_form_class(self):
        return ContactRecordForm if self.is_guidance() else super().get_form_class()

    def save_instance(self):
        instance = super().save_instance()
        record_access(self.request.user, AccessLogEntry.Action.CHANGE, "registration", [("registration", instance.pk)])
        return instance


class RegistrationDeleteView(ScopedObjectMixin, generic.DeleteView):
    pass


class RegistrationHistoryView(ScopedObjectMixin, HistoryView):
    pass


class RegistrationUsageView(ScopedObjectMixin, UsageView):
    pass


@require_POST
def retry_failed_deliveries(request, pk):
    if not request.user.has_perm("intake.retry_delivery"):
        raise PermissionDenied
    registration = get_object_or_404(Registration.objects.visible_to(request.user), pk=pk)
    # Failed ones, and ones waiting for their next try ("retry now"); not one
    # a worker is sending right now (its claim is live).
    now = timezone.now()
    failed = list(
        registration.deliveries.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            status__in=[Delivery.Status.FAILED, Delivery.Status.RETRYING],
        )
    )
    for delivery in failed:
        # A fresh schedule: the back-off starts again (attempts 0) and the
        # retry window counts from now; created_at stays the registration's.
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            next_attempt_at=now,
            retry_from=now,
            attempts=0,
            claimed_until=None,
        )
        enqueue_delivery(delivery.pk)
    messages.success(request, _("Deliveries to try again: %(count)d.") % {"count": len(failed)})
    return redirect("intake_registration:inspect", pk)


def municipalities_in_scope(user, *permissions):
    """The (canonical) municipalities a user works for: every one, the Region
    included, for Region staff; else those linked to the user's groups, when
    the user holds one of `permissions` and the group grants it."""
    municipalities = Municipality.objects.in_default_locale()
    if user.is_superuser or user.has_perm("intake.view_all_registrations"):
        return municipalities
    held = [permission for permission in permissions if user.has_perm(permission)]
    if not held:
        return municipalities.none()
    # Only the groups that grant a held permission count (a role's own municipality).
    return municipalities.filter(translation_key__in=scoped_municipality_keys(user, *held))


def embed_municipalities(user):
    """The municipalities whose embed code this user handles: every one for
    Region staff, else those linked to the user's web editor groups."""
    return municipalities_in_scope(user, "intake.manage_embed").municipalities()


def can_embed(user):
    return user.is_superuser or user.has_perm("intake.view_all_registrations") or user.has_perm("intake.manage_embed")


def embed_codes(request):
    """Each municipality's snippet, its allowed websites (editable) and when
    the form was last loaded from each."""
    if not can_embed(request.user):
        raise PermissionDenied
    municipalities = list(embed_municipalities(request.user))
    bound = None
    if request.method == "POST":
        chosen = next((m for m in municipalities if m.slug == request.POST.get("municipality")), None)
        if chosen is None:
            raise PermissionDenied
        bound = AllowedWebsitesForm(request.POST, prefix=chosen.slug)
        if bound.is_valid():
            save_allowed_websites(chosen, bound.cleaned_data["origins"], request.user)
            messages.success(request, _("Allowed websites for %(name)s saved.") % {"name": chosen.name})
            return redirect("intake_embed_codes")
    loads = {}
    for load in EmbedLoad.objects.filter(municipality__in=municipalities):
        loads.setdefault(load.municipality_id, {})[load.origin] = load.last_loaded_at
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    rows = []
    for municipality in municipalities:
        form = bound if bound is not None and bound.prefix == municipality.slug else None
        form = form or AllowedWebsitesForm(prefix=municipality.slug, initial={"origins": municipality.embed_origins})
        sites = [(origin, loads.get(municipality.pk, {}).get(origin)) for origin in municipality.allowed_origins]
        rows.append(
            {"municipality": municipality, "snippet": embed_snippet(base, municipality), "form": form, "sites": sites}
        )
    status = 400 if bound is not None else 200
    return TemplateResponse(
        request, "intake/admin/embed_codes.html", {"rows": rows, "header_icon": "code"}, status=status
    )


def save_allowed_websites(municipality, origins, user):
    """The canonical record and its translations carry the same list; the change is logged."""
    Municipality.objects.filter(translation_key=municipality.translation_key).update(embed_origins="\n".join(origins))
    municipality.embed_origins = "\n".join(origins)
    log(instance=municipality, action="wagtail.edit", user=user)


def embed_snippet(base, municipality):
    """The code for a municipality's (Swedish) website, whatever the admin's language."""
    with translation.override(settings.LANGUAGE_CODE):
        form_url = base + reverse("intake_embed_form", args=[municipality.slug])
        title = _("Register for moving guidance – %(name)s") % {"name": municipality.name}
        script_url = base + reverse("intake_embed_script")
    return format_html(
        '<iframe data-tasteget-form src="{}" title="{}" style="width:100%;height:1600px;border:0" loading="lazy">'
        '</iframe>\n<script src="{}" async></script>',
        form_url,
        title,
        script_url,
    )


MAILING_COLUMNS = [
    ("first_name", _lazy("First name")),
    ("last_name", _lazy("Last name")),
    ("street_address", _lazy("Postal address")),
    ("postal_code", _lazy("Postal code")),
    ("town", _lazy("Town")),
    ("country", _lazy("Country")),
    ("magazine_issue", _lazy("Issue")),
]


def new_magazine_orders(until):
    return Registration.objects.filter(kind="magazine", fulfilment="new", created_at__lte=until).order_by("created_at")


def mailing_list(request):
    """The mailing house's list: new magazine orders, names and addresses only."""
    if not request.user.has_perm("intake.view_all_registrations"):
        raise PermissionDenied
    until = parse_until(request.GET.get("until")) or timezone.now()
    orders = new_magazine_orders(until)
    if request.GET.get("format") == "csv":
        # As Swedish Excel opens it: UTF-8 with a BOM, semicolons, every field quoted.
        response = HttpResponse(EXCEL_BOM, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ta-steget-utskick-{until:%Y%m%d-%H%M}.csv"'
        writer = excel_csv_writer(response)
        record_access(request.user, AccessLogEntry.Action.EXPORT, "magazine mailing list")
        writer.writerow([str(label) for _name, label in MAILING_COLUMNS])
        for order in orders:
            writer.writerow([neutralise_formula(getattr(order, name)) for name, _label in MAILING_COLUMNS])
        return response
    return TemplateResponse(
        request,
        "intake/admin/mailing_list.html",
        {
            "count": orders.count(),
            "until": until.isoformat(),
            "can_mark": request.user.has_perm("intake.change_registration"),
        },
    )


@require_POST
def mailing_list_mark_sent(request):
    if not (
        request.user.has_perm("intake.view_all_registrations") and request.user.has_perm("intake.change_registration")
    ):
        raise PermissionDenied
    until = parse_until(request.POST.get("until"))
    if until is None:
        raise Http404
    # fulfilled_at starts the orders' retention (intake/retention.py).
    count = new_magazine_orders(until).update(fulfilment="sent", fulfilled_at=timezone.now())
    messages.success(request, _("Orders marked as sent: %(count)d.") % {"count": count})
    return redirect("intake_mailing_list")


def parse_until(value):
    from django.utils.dateparse import parse_datetime

    try:
        return parse_datetime(value or "")
    except ValueError:
        return None


def crm_check(request):
    """Region staff: run `manage.py crm_check` from the admin (POST: it calls SuperOffice)."""
    if not request.user.has_perm("intake.view_all_registrations"):
        raise PermissionDenied
    from .crm_check import check

    findings = check(deadline_seconds=30) if request.method == "POST" else None
    problems = sum(not finding.ok for finding in findings) if findings else 0
    return TemplateResponse(request, "intake/admin/crm_check.html", {"findings": findings, "problems": problems})
