from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, EditView, HistoryView, InspectView, SnippetViewSet, UsageView

from intake.admin_views import ScopedObjectMixin
from places.models import Adviser
from tasteget.scheduling import HOUR, Job

from . import services
from .models.signups import Signup


class SignupEditView(ScopedObjectMixin, EditView):
    pass


class SignupInspectView(ScopedObjectMixin, InspectView):
    pass


class SignupDeleteView(ScopedObjectMixin, DeleteView):
    pass


class SignupHistoryView(ScopedObjectMixin, HistoryView):
    pass


class SignupUsageView(ScopedObjectMixin, UsageView):
    pass


class SignupViewSet(SnippetViewSet):
    """The organiser's list: who signed up, who waits, and who came (attendance is marked here)."""

    model = Signup
    icon = "group"
    menu_label = _("Meet-up sign-ups")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["person_label", "event", "status", "created_at", "attended"]
    list_filter = ["status", "attended"]
    list_export = ["event", "status", "created_at", "promoted_at", "cancelled_at", "attended"]
    panels = [FieldPanel("attended")]
    inspect_view_enabled = True
    # Each view of one sign-up is scoped like the list: another municipality's is a 404.
    edit_view_class = SignupEditView
    inspect_view_class = SignupInspectView
    delete_view_class = SignupDeleteView
    history_view_class = SignupHistoryView
    usage_view_class = SignupUsageView

    def get_queryset(self, request):
        # An adviser sees the sign-ups of their municipality's meet-ups only.
        return Signup.objects.visible_to(request.user).select_related("event", "registration")


register_snippet(SignupViewSet)


@hooks.register("register_periodic_jobs")
def periodic_jobs():
    # Hourly: a sign-up whose meet-up is tomorrow (Swedish date) gets one reminder.
    return [Job("meetup_reminders", HOUR, services.due_reminders)]


@hooks.register("extend_crm_payload")
def meetup_in_payload(registration, payload):
    """What the CRM learns of a sign-up (docs/crm-bridge.md): the meet-up and where the person stands."""
    if registration.kind != "event":
        return
    signup = Signup.objects.select_related("event", "event__municipality").filter(registration=registration).first()
    if signup is None:
        payload["event"] = None
        return
    event = signup.event
    # The follow-up (SuperOffice: the appointment at the meet-up) belongs to the organiser.
    owners = [event.organiser] if event.organiser_id else []
    owners += list(Adviser.objects.serving(event.municipality.canonical))
    payload["owner_crm_id"] = next((owner.crm_owner_id for owner in owners if owner and owner.crm_owner_id), None)
    payload["event"] = {
        "id": event.pk,
        "key": str(event.translation_key),
        "title": event.title,
        "starts_at": timezone.localtime(event.start).isoformat(),
        "ends_at": timezone.localtime(event.end).isoformat(),
        "place": event.venue,
        "online": bool(event.online_url),
        "municipality_slug": event.municipality.slug,
        "status": signup.status,
        "attended": signup.attended,
    }
