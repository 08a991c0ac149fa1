"""Registrations, their consent records, and the outbox of deliveries.

A registration and one `Delivery` per destination (the CRM, each adviser's
e-mail, the confirmation e-mail) are written in one transaction. The worker
delivers them after commit; the delivery rows, not the task queue, are the
truth about what still has to be sent (see docs/crm-bridge.md).
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from places.models import Municipality
from tasteget.helpers import clean_slug
from tasteget.locales import language_code_of

from .choices import AddressArea, ContactMethod, ContactStatus, Fulfilment, Kind, MoveWhen, Topic
from .forms import GuidanceForm, MagazineForm, NewsletterForm
from .pipeline import handle_form, read_thanks, thanks_token


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Region staff see all; an adviser sees only their municipality's
        registrations for guidance (magazine orders and newsletter
        subscriptions are the Region's)."""
        if user.is_superuser or user.has_perm("intake.view_all_registrations"):
            return self
        if not user.has_perm("intake.view_registration"):
            return self.none()
        keys = scoped_municipality_keys(user, "intake.view_registration")
        return self.filter(kind=Kind.GUIDANCE, municipality__translation_key__in=keys)

    def not_contacted(self):
        return self.filter(kind=Kind.GUIDANCE, contacted_at__isnull=True)

    def new(self):
        return self.filter(kind=Kind.GUIDANCE, contact_status=ContactStatus.NEW)

    def overdue(self, today=None):
        """Not contacted by the due date (five working days after registering)."""
        return self.not_contacted().filter(due_date__lt=today or timezone.localdate())

    def due_this_week(self, today=None):
        today = today or timezone.localdate()
        sunday = today + datetime.timedelta(days=6 - today.weekday())
        return self.not_contacted().filter(due_date__gte=today, due_date__lte=sunday)


class Registration(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        "places.Municipality",
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("municipality"),
        help_text=_("Always the Swedish (canonical) record; the Region when none was chosen."),
    )
    source = models.CharField(
        _("source"), max_length=60, help_text=_("tasteget.nu, or the municipality website it was embedded on.")
    )
    language = models.CharField(_("language"), max_length=10)
    submission_key = models.CharField(max_length=64, unique=True, editable=False)

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"), max_length=10, choices=ContactMethod.choices, blank=True
    )
    country = models.CharField(_("country"), max_length=80, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    adults = models.PositiveSmallIntegerField(_("adults"), null=True, blank=True)
    children = models.PositiveSmallIntegerField(_("children"), null=True, blank=True)
    move_when = models.CharField(_("planned move"), max_length=20, choices=MoveWhen.choices, blank=True)
    topics = models.JSONField(_("wants help with"), default=list, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    newsletter_opt_in = models.BooleanField(_("wants the newsletter"), default=False)

    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    magazine_issue = models.CharField(_("magazine issue"), max_length=60, blank=True)
    address_key = models.CharField(max_length=400, blank=True, editable=False)
    fulfilment = models.CharField(_("fulfilment"), max_length=10, choices=Fulfilment.choices, blank=True, default="")
    # Where the address of a magazine order lies, recorded when the order is
    # made (the postal code table, places.PostalCodeRange): the reports count
    # orders by it, and it stays when retention removes the address.
    address_area = models.CharField(
        _("address lies"), max_length=10, choices=AddressArea.choices, blank=True, default=AddressArea.UNKNOWN
    )
    address_municipality = models.ForeignKey(
        "places.Municipality",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality of the address"),
    )

    due_date = models.DateField(_("first contact due"), null=True, blank=True)
    contact_status = models.CharField(
        _("contact status"), max_length=20, choices=ContactStatus.choices, default=ContactStatus.NEW, db_index=True
    )
    contacted_at = models.DateTimeField(_("first contacted"), null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contacted by"),
    )
    contact_note = models.TextField(
        _("note"), max_length=1000, blank=True, help_text=_("Short: what was agreed, what happens next.")
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    # Retention (intake/retention.py, docs/data-protection.md).
    fulfilled_at = models.DateTimeField(
        _("sent to the mailing house"), null=True, blank=True, help_text=_("When the mailing list was marked sent.")
    )
    person_hash = models.CharField(
        _("hash of the e-mail address"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Kept in place of the address once a newsletter subscription is reduced."),
    )
    anonymised_at = models.DateTimeField(
        _("personal data removed"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The row stays, without personal data, so that past report figures do not change."),
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)

    objects = RegistrationQuerySet.as_manager()
    # Personal data: no usage tracking in Wagtail's reference index.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at"]
        permissions = [
            ("view_all_registrations", _("Can see the registrations of every municipality")),
            ("retry_delivery", _("Can retry a failed delivery")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["magazine_issue", "address_key"],
                condition=models.Q(kind="magazine"),
                name="one_magazine_order_per_address_and_issue",
            )
        ]

    def __str__(self):
        # No name or e-mail: this label is stored in Wagtail's history (Reports
        # → Site history), which other municipalities' advisers can see and
        # which outlives the registration (issue 13).
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def listing_label(self):
        """For the scoped admin listing only: never stored, never in history."""
        return f"{self.get_kind_display()} #{self.pk} ({self.first_name or self.email})"

    @property
    def overdue_label(self):
        return gettext("Overdue") if self.is_overdue else ""

    @property
    def is_overdue(self):
        """Not contacted by the due date."""
        return (
            self.kind == Kind.GUIDANCE
            and self.contacted_at is None
            and bool(self.due_date)
            and self.due_date < timezone.localdate()
        )

    def record_contact(self, user, now=None):
        """The first move away from "new" is the first contact: when, and by whom."""
        if self.contact_status == ContactStatus.NEW:
            self.contacted_at = None
            self.contacted_by = None
        elif self.contacted_at is None:
            self.contacted_at = now or timezone.now()
            self.contacted_by = user

    @property
    def delivery_status_label(self):
        status = self.delivery_status
        return Delivery.Status(status).label if status else ""

    @property
    def topics_label(self):
        labels = dict(Topic.choices)
        return ", ".join(str(labels.get(topic, topic)) for topic in self.topics or [])

    @property
    def created_local(self):
        return timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M")

    @property
    def contacted_local(self):
        return timezone.localtime(self.contacted_at).strftime("%Y-%m-%d %H:%M") if self.contacted_at else ""

    @property
    def delivery_status(self):
        statuses = {delivery.status for delivery in self.deliveries.all()}
        for status in (Delivery.Status.FAILED, Delivery.Status.RETRYING, Delivery.Status.PENDING):
            if status in statuses:
                return status
        if not statuses:
            return ""
        # Every delivery is closed: "delivered" when any was sent.
        return Delivery.Status.DELIVERED if Delivery.Status.DELIVERED in statuses else Delivery.Status.CANCELLED

    @property
    def last_error(self):
        errors = [d.last_error for d in self.deliveries.all() if d.last_error and d.status not in Delivery.CLOSED]
        return errors[0] if errors else ""


class Consent(models.Model):
    wagtail_reference_index_ignore = True
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="consent")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text shown"))
    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=10)
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")

    def __str__(self):
        return f"{self.purpose} {self.version} ({self.language})"


class Delivery(models.Model):
    wagtail_reference_index_ignore = True

    class Channel(models.TextChoices):
        CRM = "crm", _("CRM")
        ADVISER_EMAIL = "adviser_email", _("E-mail to adviser")
        CONFIRMATION_EMAIL = "confirmation_email", _("Confirmation e-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        # Closed without being sent, and never to be: the person was erased,
        # or unsubscribed before the subscription reached the CRM.
        CANCELLED = "cancelled", _("Closed, not sent")

    # Waiting to be sent (the worker and the sweep send these).
    OPEN = (Status.PENDING, Status.RETRYING)
    # Done with, nothing left to do: sent, or closed unsent. A failed delivery
    # is neither open nor closed: it waits for a person to retry or resolve it
    # (retention holds its registration back until then).
    CLOSED = (Status.DELIVERED, Status.CANCELLED)

    class Action(models.TextChoices):
        REGISTER = "register", _("Register")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")
        # The person asked to be erased (Art. 17): the CRM erases them too (privacy/).
        ERASE = "erase", _("Erase")
        # A subscriber changed interests, municipality or language on the
        # preference page: one row per change, the payload built when sent.
        PREFERENCES = "preferences", _("Preferences changed")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    # What the CRM delivery does; e-mails are always "register".
    action = models.CharField(_("action"), max_length=12, choices=Action.choices, default=Action.REGISTER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Stable across retries: the webhook id and the idempotency handle.
    external_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    crm_person_id = models.CharField(_("CRM person id"), max_length=40, blank=True)
    crm_followup_id = models.CharField(_("CRM follow-up id"), max_length=40, blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    # A worker holds a delivery until this time while it sends; a second
    # worker (or the sweep) leaves it alone meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The retry window (CRM_RETRY_DAYS) counts from here; an operator's
    # "retry now" moves it, created_at stays the truth about the registration.
    retry_from = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["created_at"]
        constraints = [
            # Preference changes may come many times; every other action once per destination.
            models.UniqueConstraint(
                fields=["registration", "channel", "recipient", "action"],
                condition=~models.Q(action="preferences"),
                name="one_delivery_per_destination_and_action",
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient or 'CRM'} ({self.get_status_display()})"

    @property
    def is_closed(self):
        return self.status in self.CLOSED


from .access_models import AccessLogEntry  # noqa: E402, F401 - who saw whose personal data
from .outbox_models import Beacon, CrmEvent, CrmGate  # noqa: E402, F401 - pacing, heartbeats, CRM answers


def scoped_municipality_keys(user, *permissions):
    """The translation keys of the municipalities linked to those of the
    user's groups that themselves grant one of `permissions` ("app.codename").

    By role, not by any linked group: a web editor group of Berg gives its
    member Berg's embed code, never Berg's registrations, whatever other
    group (an adviser group of Åre) grants the permission to see some."""
    granting = models.Q()
    for permission in permissions:
        app_label, codename = permission.split(".", 1)
        granting |= models.Q(
            group__permissions__content_type__app_label=app_label, group__permissions__codename=codename
        )
    return AdviserGroup.objects.filter(granting, group__user=user).values("municipality__translation_key").distinct()


class AdviserGroup(models.Model):
    """Links a Wagtail group to its municipality: an adviser group sees that
    municipality's registrations, a web editor group its embed code and
    allowed websites (what each may do comes from the group's permissions)."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="adviser_scope")
    municipality = models.ForeignKey("places.Municipality", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("adviser group")

    def __str__(self):
        return f"{self.group} → {self.municipality}"


class EmbedLoad(models.Model):
    """When the embedded form was last loaded from one allowed website."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(_("website"), max_length=200)
    last_loaded_at = models.DateTimeField(_("last loaded"))

    class Meta:
        verbose_name = _("embedded form load")
        permissions = [
            (
                "manage_embed",
                _("Can see the embed code and edit the allowed websites of their municipality"),
            )
        ]
        constraints = [models.UniqueConstraint(fields=["municipality", "origin"], name="one_load_row_per_origin")]

    def __str__(self):
        return f"{self.origin} ({self.last_loaded_at:%Y-%m-%d})"


def registration_thanks(outcome):
    """The signed value of a registration's thank-you address (`?r=…`)."""
    # A repeated magazine order looks exactly like a new one: otherwise anyone
    # could learn whether an address has ordered (issue 13).
    return thanks_token({"r": outcome.registration.pk})


def read_registration_thanks(request):
    """The registration a signed thank-you address names (or None), and whether it was a repeated order."""
    data = read_thanks(request) or {}
    if not data.get("r"):
        return None, False
    return Registration.objects.select_related("municipality").filter(pk=data["r"]).first(), data.get("d", False)


class FormPage(RoutablePageMixin, Page):
    """A page that shows one registration form and its thank-you page."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    thank_you_title = models.CharField(_("thank-you title"), max_length=120, default="Tack!")
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("thank_you_title"), FieldPanel("thank_you_text")], heading=_("After sending")),
    ]
    parent_page_types = ["home.HomePage", "home.ContentPage", "home.MunicipalityPage"]
    subpage_types = []

    class Meta:
        abstract = True

    form_template = "intake/form_page.html"

    def form_kwargs(self, request):
        return {}

    def get_form_class(self):
        raise NotImplementedError

    def save_form(self, form):
        # Intra-app: services store registrations, so they import this module.
        from .services import register_form

        return register_form(form, source="tasteget.nu")

    @path("")
    def form_view(self, request):
        return handle_form(
            request,
            self.get_form_class(),
            save=self.save_form,
            thanks_url=lambda outcome: (
                self.url + self.reverse_subpage(self.thanks_route()) + f"?r={registration_thanks(outcome)}"
            ),
            render=lambda form: self.render(request, context_overrides={"form": form}, template=self.form_template),
            form_kwargs=self.form_kwargs(request),
        )

    def thanks_route(self):
        """`tack/` on Swedish pages (and their untranslated copies, whose addresses
        are Swedish too), `thanks/` on translations: addresses in the page's language."""
        swedish = language_code_of(self.locale_id) == settings.LANGUAGE_CODE or self.alias_of_id
        return "thanks" if swedish else "thanks_translated"

    @path("tack/", name="thanks")
    @path("thanks/", name="thanks_translated")
    def thanks(self, request):
        registration, _duplicate = read_registration_thanks(request)
        response = self.render(
            request, context_overrides={"registration": registration}, template="intake/thanks_page.html"
        )
        add_never_cache_headers(response)  # about one person's registration
        return response


class RegistrationPage(FormPage):
    class Meta:
        verbose_name = _("registration page (moving guidance)")

    def get_form_class(self):
        return GuidanceForm

    def form_kwargs(self, request):
        slug = clean_slug(request.GET.get("kommun") or request.GET.get("municipality"))
        chosen = Municipality.objects.in_default_locale().filter(slug=slug).first() if slug else None
        return {"municipality": chosen}


def registration_url_for(locale_id, municipality):
    """The guidance form in this language with the municipality chosen, or ""."""
    page = RegistrationPage.objects.live().filter(locale_id=locale_id).first()
    return f"{page.url}?kommun={municipality.slug}" if page else ""


def magazine_issue_on_order():
    """The magazine issue orders are taken for now, or "" when none.

    The magazine app owns issues and marks the current one; it answers
    through the `current_magazine_issue` hook (intake sits below it).
    """
    for hook in hooks.get_hooks("current_magazine_issue"):
        number = hook()
        if number:
            return number
    return ""


class MagazineOrderPage(FormPage):
    """The order form for the printed magazine: always the current issue."""

    class Meta:
        verbose_name = _("magazine order page")

    def get_form_class(self):
        return MagazineForm

    def form_kwargs(self, request):
        return {"magazine_issue": magazine_issue_on_order()}

    @path("")
    def form_view(self, request):
        if not magazine_issue_on_order():
            # Between issues: say so, and take no order for an issue that is not out.
            response = self.render(request, context_overrides={"orders_closed": True}, template=self.form_template)
            add_never_cache_headers(response)  # kept out of the page cache: it opens when an issue is published
            return response
        return super().form_view(request)


class NewsletterPage(FormPage):
    class Meta:
        verbose_name = _("newsletter page")

    def get_form_class(self):
        return NewsletterForm

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # For subscribers: where to ask for the link to their settings.
        context["preferences_request_url"] = reverse("intake_newsletter_preferences_request")
        return context
