"""Place ambassadors' records: their public profiles, applications to become
one, and the daily counts the reports read."""

import datetime

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from places.models import Municipality, canonical_municipalities


def split_interests(text):
    return [interest.strip() for interest in text.split(",") if interest.strip()]


def interest_key(interest):
    """The same interest however it is written: "Fjällvandring " → "fjällvandring"."""
    return " ".join(interest.split()).casefold()


class AmbassadorQuerySet(models.QuerySet):
    def published(self):
        """Only profiles the ambassador agreed to, and not withdrawn by an editor."""
        return self.filter(is_published=True, consent_given_at__isnull=False)

    def interest_index(self):
        """The interests these ambassadors name, for the directory's filter, in
        one query: ({key: interest as first written}, sorted by name;
        {key: ids of the ambassadors who name it})."""
        names, ids = {}, {}
        for pk, interests in self.values_list("pk", "interests"):
            for interest in split_interests(interests):
                key = interest_key(interest)
                names.setdefault(key, interest)
                ids.setdefault(key, set()).add(pk)
        return dict(sorted(names.items())), ids


class Ambassador(models.Model):
    """A volunteer place ambassador. Their data is theirs: a profile is shown
    only with their recorded consent, and their e-mail address never leaves
    the server (visitors write through a relay form)."""

    name = models.CharField(_("name"), max_length=80, help_text=_("First name only is fine."))
    photo = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="ambassadors",
        limit_choices_to=canonical_municipalities,
        verbose_name=_("municipality"),
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    languages = models.CharField(
        _("languages spoken"), max_length=200, help_text=_("Comma-separated language codes, such as sv, en, de.")
    )
    moved_from = models.CharField(_("moved from"), max_length=120, blank=True)
    interests = models.CharField(_("interests"), max_length=300, blank=True, help_text=_("Comma-separated."))
    text = models.TextField(_("short text"), max_length=1000)
    email = models.EmailField(_("e-mail (never shown)"), help_text=_("Messages from visitors are relayed here."))
    consent_given_at = models.DateTimeField(
        _("consent recorded"), null=True, blank=True, help_text=_("When the ambassador agreed to a public profile.")
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Untick to hide the profile at once.")
    )

    objects = AmbassadorQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    panels = [
        FieldPanel("name"),
        FieldPanel("photo"),
        MultiFieldPanel(
            [FieldPanel("municipality"), FieldPanel("place"), FieldPanel("moved_from")], heading=_("Where")
        ),
        FieldPanel("languages"),
        FieldPanel("interests"),
        FieldPanel("text"),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("consent_given_at"), FieldPanel("is_published")], heading=_("Privacy")
        ),
    ]

    class Meta:
        verbose_name = _("ambassador")
        verbose_name_plural = _("ambassadors")
        ordering = ["municipality__sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def language_codes(self):
        return [code.strip().lower() for code in self.languages.split(",") if code.strip()]

    @property
    def interest_list(self):
        return split_interests(self.interests)


class ApplicationStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# The consent text promises deletion "12 months after I applied at the
# latest"; 365 days is never longer than that.
APPLICATION_RETENTION_DAYS = 365


class AmbassadorApplicationQuerySet(models.QuerySet):
    def past_retention(self, now=None):
        """Applications that did not make an ambassador and are kept no longer."""
        cutoff = (now or timezone.now()) - datetime.timedelta(days=APPLICATION_RETENTION_DAYS)
        return self.exclude(status=ApplicationStatus.ACCEPTED).filter(created_at__lt=cutoff)


class AmbassadorApplication(models.Model):
    """Someone who wants to become a place ambassador, for the Region's coordinator.

    Personal data (docs/data-protection.md): stored with the exact consent
    text the person saw; seen only by users with the view permission (group
    "Ambassadörssamordnare"); staff change the status, never the answers.
    """

    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), help_text=_("Never shown in public or sent in notification e-mails."))
    phone = models.CharField(_("phone"), max_length=40, blank=True, help_text=_("In international format."))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="ambassador_applications",
        limit_choices_to=canonical_municipalities,
        verbose_name=_("municipality"),
        help_text=_("Where the applicant lives; always the Swedish (canonical) record."),
    )
    place = models.CharField(_("place"), max_length=120, blank=True, help_text=_("Town or village."))
    languages = models.CharField(
        _("languages spoken"), max_length=200, help_text=_("As the applicant wrote them, such as 'Swedish, Arabic'.")
    )
    moved_from = models.CharField(_("moved from"), max_length=120, blank=True)
    interests = models.CharField(_("interests"), max_length=300, blank=True, help_text=_("Comma-separated."))
    text = models.TextField(_("about themselves"), max_length=1000)

    consent_text = models.TextField(_("consent text shown"), help_text=_("Exactly as the applicant saw it."))
    consent_version = models.CharField(_("consent version"), max_length=20)
    consent_language = models.CharField(
        _("language"), max_length=10, help_text=_("The language of the form and of the consent texts.")
    )
    consent_given_at = models.DateTimeField(_("consent given"), default=timezone.now)
    public_profile = models.BooleanField(
        _("agreed to a public profile"),
        default=False,
        help_text=_("A separate, optional consent: without it, no profile may be published."),
    )
    profile_consent_text = models.TextField(
        _("profile consent text shown"), blank=True, help_text=_("Empty when the applicant did not agree.")
    )
    profile_consent_version = models.CharField(_("profile consent version"), max_length=20, blank=True)

    source = models.CharField(
        _("source"), max_length=60, default="tasteget.nu", help_text=_("Where the form was sent from.")
    )
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus,
        default=ApplicationStatus.NEW,
        db_index=True,
        help_text=_("Applications not accepted are deleted 12 months after they were received."),
    )
    handled_at = models.DateTimeField(
        _("handled"), null=True, blank=True, help_text=_("Set when the status changes from new.")
    )

    objects = AmbassadorApplicationQuerySet.as_manager()
    # Personal data: no usage tracking in Wagtail's reference index.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("ambassador application")
        verbose_name_plural = _("ambassador applications")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def first_name(self):
        words = self.name.split()
        return words[0] if words else ""

    def status_changed(self):
        """A decision was recorded (or undone): the handled time follows the status."""
        self.handled_at = None if self.status == ApplicationStatus.NEW else timezone.now()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            return super().save(*args, **kwargs)
        # A new application also counts, as a number, in the day's count for
        # the quarterly report: the application itself is deleted later
        # (retention, erasure), the count stays (ApplicationDay).
        with transaction.atomic():
            super().save(*args, **kwargs)
            ApplicationDay.count(self.municipality_id, timezone.localtime(self.created_at).date())


class RelayDay(models.Model):
    """How many visitors' messages were relayed to the ambassadors of one
    municipality on one day: a count for the quarterly report, no people."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    messages = models.PositiveIntegerField(_("messages relayed"), default=0)

    class Meta:
        verbose_name = _("messages relayed on a day")
        constraints = [models.UniqueConstraint(fields=["municipality", "date"], name="one_relay_count_per_day")]

    def __str__(self):
        return f"{self.municipality_id} {self.date}: {self.messages}"

    @classmethod
    def count(cls, municipality_id, day=None):
        add_one(cls, "messages", municipality_id, day)


def add_one(model, field, municipality_id, day=None):
    """Add one to a municipality's count of the day; safe when two requests race."""
    day = day or timezone.localdate()
    if model.objects.filter(municipality_id=municipality_id, date=day).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            model.objects.create(municipality_id=municipality_id, date=day, **{field: 1})
    except IntegrityError:
        model.objects.filter(municipality_id=municipality_id, date=day).update(**{field: F(field) + 1})


class ApplicationDay(models.Model):
    """How many applications to become an ambassador arrived from one
    municipality on one day (Europe/Stockholm). Applications are deleted 12
    months after they arrive unless accepted, and at once when the person
    asks to be erased; the quarterly report counts these rows instead, so a
    past quarter's figure never changes (docs/reports.md). A number, no person."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    applications = models.PositiveIntegerField(_("applications received"), default=0)

    class Meta:
        verbose_name = _("ambassador applications received on a day")
        constraints = [models.UniqueConstraint(fields=["municipality", "date"], name="one_application_count_per_day")]

    def __str__(self):
        return f"{self.municipality_id} {self.date}: {self.applications}"

    @classmethod
    def count(cls, municipality_id, day=None):
        add_one(cls, "applications", municipality_id, day)
