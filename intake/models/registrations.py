"""Registrations and their consent records.

A registration and one `Delivery` per destination (models/outbox.py) are
written in one transaction; the delivery rows, not the task queue, are the
truth about what still has to be sent (see docs/crm-bridge.md).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from ..choices import AddressArea, ContactMethod, ContactStatus, Fulfilment, Kind, MoveWhen, Topic
from .access import scoped_municipality_keys
from .outbox import Delivery


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
    # One open case per person (intake/cases.py): the hash of the e-mail and
    # what the case is for (a municipality, or the newsletter). Unique among
    # the rows that hold one, so two registrations sent at the same moment
    # cannot open two cases; released when the case is found closed. The
    # database default is for the release before this field, which inserts
    # registrations without it while a rolling deploy runs.
    case_key = models.CharField(max_length=100, blank=True, default="", db_default="", editable=False)
    # The keys of the checklist items the person ticked on their own page
    # (home/my_page.py): kept here, not in a cookie or the browser, so the
    # ticks follow the link to any device.
    checklist_ticks = models.JSONField(_("checklist ticked"), null=True, blank=True, editable=False)

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
            ),
            models.UniqueConstraint(
                fields=["case_key"], condition=~models.Q(case_key=""), name="one_open_case_per_person"
            ),
        ]

    def __str__(self):
        # No name or e-mail: this label is stored in Wagtail's history (Reports
        # → Site history), which other municipalities' advisers can see and
        # which outlives the registration.
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
    def language_label(self):
        """The language the person used the site in, named for the reader and
        in itself ("arabiska (العربية)"): what the adviser should write in."""
        if not self.language:
            return ""
        try:
            info = get_language_info(self.language)
        except KeyError:
            return self.language
        name = str(info["name_translated"])
        return name if info["name_local"] == name else f"{name} ({info['name_local']})"

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


class RegistrationUpdate(models.Model):
    """What happened to a case after it was opened (intake/cases.py).

    `again`: the person registered again with the same e-mail for the same
    municipality; the registration took the new answers and this row keeps
    the answers they replaced (`earlier`) and names the fields that changed.
    `elsewhere`: the person also registered in another municipality
    (`other`). `changed`: the person changed answers on their own page
    (`changed`, `earlier` as for `again`). `question`: they sent their
    adviser a question from it (`text`). `erasure`: they asked there to be
    erased (the data protection officer's person view lists it). Personal
    data: anonymising the registration deletes its updates.
    """

    wagtail_reference_index_ignore = True

    class Kind(models.TextChoices):
        AGAIN = "again", _("Registered again")
        ELSEWHERE = "elsewhere", _("Also registered in another municipality")
        CHANGED = "changed", _("Changed answers on their page")
        QUESTION = "question", _("Asked the adviser a question")
        ERASURE = "erasure", _("Asked to be erased")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices)
    # The repeated form's token: the same send twice adds one update.
    submission_key = models.CharField(max_length=64, unique=True, null=True, editable=False)
    source = models.CharField(_("source"), max_length=60, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20, blank=True)
    # The date the person was promised on the thank-you page and in the
    # confirmation: the same as for a first registration that day.
    due_date = models.DateField(_("promised contact by"), null=True, blank=True)
    changed = models.JSONField(_("changed answers"), default=list, blank=True)
    earlier = models.JSONField(_("earlier answers"), default=dict, blank=True)
    other = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registration in the other municipality"),
    )
    # The question sent to the adviser from the person's page.
    text = models.TextField(_("text"), max_length=2000, blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("registration update")
        verbose_name_plural = _("registration updates")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.registration_id}"
