"""Places: the county's municipalities (and the Region), their moving
advisers, and the coworking spaces across the county.

The lowest app layer above `tasteget/` (docs/architecture.md): registrations,
stories, ambassadors and pages all point here; this app imports none of them.
"""

import re
import unicodedata

import idna
from anyascii import anyascii
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from modelsearch.queryset import SearchableQuerySetMixin
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from tasteget.helpers import clean_slug
from tasteget.locales import language_code_of


def locale_id_of(locale):
    """A locale's id from a Locale, an id, or None (the active language)."""
    if locale is None:
        return Locale.get_active().pk
    return locale.pk if isinstance(locale, Locale) else locale


# A plain origin once normalised: what may go into a CSP header.
PLAIN_ORIGIN = re.compile(r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")


def character_name(character):
    return f"U+{ord(character):04X} {unicodedata.name(character, 'UNNAMED CHARACTER')}"


def is_invisible(character):
    """Format and control characters, and spaces other than the plain one (U+200B, U+00A0, U+FEFF …)."""
    return unicodedata.category(character) in ("Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp") or (
        unicodedata.category(character) == "Zs" and character != " "
    )


def normalise_origin(text):
    """`text` as a plain ASCII origin (scheme://host[:port], lower case, an
    international domain name in punycode), or a ValidationError that names
    the character that stops it."""
    origin = text.strip(" \t").rstrip("/")
    for position, character in enumerate(origin, start=1):
        if is_invisible(character):
            raise ValidationError(
                _("%(origin)s contains an invisible character %(character)s at position %(position)s."),
                params={"origin": origin, "character": character_name(character), "position": position},
            )
    scheme, separator, host = origin.partition("://")
    if not separator or scheme.lower() not in ("http", "https"):
        raise ValidationError(
            _("%(origin)s is not an origin: write only the scheme and host, such as https://www.berg.se."),
            params={"origin": origin},
        )
    if any(mark in host for mark in "/?#@\\"):
        raise ValidationError(
            _("%(origin)s is not an origin: write only the scheme and host, such as https://www.berg.se."),
            params={"origin": origin},
        )
    name, colon, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if not colon:
        name = host
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii") if not name.isascii() else name.lower()
    except idna.IDNAError:
        character = next((c for c in name if not c.isascii()), name[:1] or "?")
        raise ValidationError(
            _(
                "%(origin)s contains the character %(character)s at position %(position)s, "
                "which a web address cannot hold."
            ),
            params={
                "origin": origin,
                "character": character_name(character),
                "position": origin.index(character) + 1 if character in origin else 0,
            },
        ) from None
    for character in port:
        if not character.isascii():
            raise ValidationError(
                _(
                    "%(origin)s contains the character %(character)s at position %(position)s, "
                    "which a web address cannot hold."
                ),
                params={
                    "origin": origin,
                    "character": character_name(character),
                    "position": origin.index(character) + 1,
                },
            )
    normalised = f"{scheme.lower()}://{ascii_name}" + (f":{port}" if colon else "")
    URLValidator(schemes=["https", "http"])(normalised)
    if not PLAIN_ORIGIN.fullmatch(normalised):
        raise ValidationError(
            _("%(origin)s is not an origin: write only the scheme and host, such as https://www.berg.se."),
            params={"origin": origin},
        )
    return normalised


def validate_origins(value):
    """Each line must be a bare web origin such as https://www.berg.se."""
    for line in value.splitlines():
        if line.strip():
            normalise_origin(line)


def stored_origins(value):
    """The plain origins of a stored list. A line saved before origins were
    normalised loses its invisible characters; one that still is no plain
    origin is left out, so it can never reach a CSP header."""
    origins = []
    for line in value.splitlines():
        line = "".join(character for character in line if not is_invisible(character)).strip()
        if not line:
            continue
        try:
            origin = normalise_origin(line)
        except ValidationError:
            continue
        if origin not in origins:
            origins.append(origin)
    return origins


def validate_emails(value):
    """Each line must be one e-mail address."""
    check_email = EmailValidator()
    for line in value.splitlines():
        if line.strip():
            try:
                check_email(line.strip())
            except ValidationError:
                raise ValidationError(
                    _("%(line)s is not an e-mail address: write one address per line."), params={"line": line.strip()}
                ) from None


# Fields of a municipality that only its own web editors and Region staff
# change: the websites allowed to frame the form (CSP frame-ancestors) and
# where the quarterly report goes. Who that is, `intake` answers through
# the hook below (places imports no app above it, docs/architecture.md).
OWNER_FIELDS = ("embed_origins", "report_emails")
OWNER_FIELDS_HOOK = "may_edit_municipality_owner_fields"


def may_edit_owner_fields(user, municipality):
    """Whether `user` may change `municipality`'s OWNER_FIELDS: a registered
    hook (user, municipality) → bool says yes; without one, superusers only."""
    from wagtail import hooks

    if user is None:
        return False
    answers = [hook(user, municipality) for hook in hooks.get_hooks(OWNER_FIELDS_HOOK)]
    return any(answers) if answers else user.is_superuser


class MunicipalityForm(WagtailAdminModelForm):
    """The snippet's form: OWNER_FIELDS are read-only (their posted values
    ignored, Django's `disabled`) for anyone else, editors and moderators
    included."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if may_edit_owner_fields(self.for_user, self.instance):
            return
        for name in OWNER_FIELDS:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Only the municipality's web editors and Region staff change this (under Embed code)."
                )


class MunicipalityQuerySet(models.QuerySet):
    def in_default_locale(self):
        return self.filter(locale__language_code=settings.LANGUAGE_CODE)

    def localized(self, locale=None):
        """The canonical (Swedish) municipalities, each with `local_name` and
        `local_presentation` in `locale` (a Locale, its id, or None for the
        active language) — the Swedish text where no translation exists, so
        every configured locale gets the full list. One query.
        """
        locale_id = locale_id_of(locale)
        translated = Municipality.objects.filter(translation_key=OuterRef("translation_key"), locale_id=locale_id)
        return self.in_default_locale().annotate(
            local_name=Coalesce(Subquery(translated.values("name")[:1]), "name"),
            local_presentation=Coalesce(Subquery(translated.values("presentation")[:1]), "presentation"),
        )

    def municipalities(self):
        """Without the Region (the "not decided yet" record)."""
        return self.exclude(kind=Municipality.Kind.REGION)

    def region(self):
        return self.in_default_locale().get(kind=Municipality.Kind.REGION)


class Municipality(TranslatableMixin, ClusterableModel):
    """One of the county's eight municipalities, or the Region as fallback.

    Registrations that name no municipality go to the Region. The Swedish
    record is the canonical one: advisers and allowed embed origins hang off
    it; translations carry only the translated name and presentation.
    """

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region (no specific municipality)")

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"), max_length=40, help_text=_("Short name used in addresses and the embed code, such as 'are'.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    presentation = models.TextField(_("short presentation"), blank=True, max_length=1000)
    embed_origins = models.TextField(
        _("websites allowed to embed the registration form"),
        blank=True,
        validators=[validate_origins],
        help_text=_("One origin per line, such as https://www.are.se. Only these sites may show the form in a frame."),
    )
    report_emails = models.TextField(
        _("report contacts"),
        blank=True,
        validators=[validate_emails],
        help_text=_(
            "One e-mail address per line. On the first working day of each quarter these addresses get a link "
            "to the municipality's report for the quarter before (no personal data)."
        ),
    )
    crm_list_item_id = models.PositiveIntegerField(
        _("CRM list item id"),
        null=True,
        blank=True,
        help_text=_(
            "The id of this municipality's item in SuperOffice's municipality list; "
            "written on the person of every guidance registration. Check it with manage.py crm_check."
        ),
    )

    objects = MunicipalityQuerySet.as_manager()

    translatable_fields = [
        TranslatableField("name"),
        TranslatableField("presentation"),
        SynchronizedField("slug"),
        SynchronizedField("kind"),
        SynchronizedField("sort_order"),
        SynchronizedField("embed_origins"),
        SynchronizedField("crm_list_item_id"),
    ]

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("sort_order"),
        FieldPanel("presentation"),
        FieldPanel("embed_origins"),
        FieldPanel("report_emails"),
        FieldPanel("crm_list_item_id"),
    ]
    base_form_class = MunicipalityForm

    class Meta(TranslatableMixin.Meta):
        db_table = "home_municipality"  # moved from home/ without moving the data
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="unique_municipality_slug_per_locale"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_region(self):
        return self.kind == self.Kind.REGION

    @cached_property
    def canonical(self):
        """The Swedish record, which owns advisers and embed origins."""
        if language_code_of(self.locale_id) == settings.LANGUAGE_CODE:
            return self
        return Municipality.objects.in_default_locale().get(translation_key=self.translation_key)

    @property
    def report_contacts(self):
        return sorted({line.strip().lower() for line in self.report_emails.splitlines() if line.strip()})

    @property
    def allowed_origins(self):
        """Plain ASCII origins only (places.models.stored_origins)."""
        return stored_origins(self.embed_origins)


def canonical_municipalities():
    return {"locale__language_code": settings.LANGUAGE_CODE}


def county_municipalities():
    """The eight municipalities' canonical records (not the Region)."""
    return {"locale__language_code": settings.LANGUAGE_CODE, "kind": Municipality.Kind.MUNICIPALITY}


def postal_code_digits(value):
    """A Swedish postal code as five digits ("831 30", "SE-83130" → "83130"), or "" when it is not one."""
    digits = re.sub(r"\D", "", value or "")
    return digits if len(digits) == 5 and digits[0] != "0" else ""


class PostalCodeRangeQuerySet(models.QuerySet):
    def as_tuples(self):
        """[(first, last, canonical municipality id)] of every range."""
        return list(self.values_list("first", "last", "municipality_id"))


def municipality_of_postal_code(digits, ranges):
    """The municipality id whose range holds `digits` (five digits), or None.
    `ranges` comes from `PostalCodeRange.objects.as_tuples()`."""
    return next((municipality_id for first, last, municipality_id in ranges if first <= digits <= last), None)


class PostalCodeRange(models.Model):
    """Postal codes from `first` to `last` (both included) lie in one municipality.

    Magazine orders give a postal address but no municipality: the order is
    recorded for the municipality of its postal code (intake.services), and
    an address in Sweden outside every range counts as outside the county.
    Region staff keep the table in step with PostNord's postal code register.
    """

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="postal_code_ranges",
        limit_choices_to=county_municipalities,
        verbose_name=_("municipality"),
    )
    first = models.CharField(_("from postal code"), max_length=6, help_text=_("Such as 831 30."))
    last = models.CharField(
        _("to postal code"),
        max_length=6,
        blank=True,
        help_text=_("Included. Empty: only the first postal code."),
    )
    note = models.CharField(
        _("places"), max_length=200, blank=True, help_text=_("For the people keeping the table, such as 'Järpen'.")
    )

    objects = PostalCodeRangeQuerySet.as_manager()

    panels = [FieldPanel("municipality"), FieldPanel("first"), FieldPanel("last"), FieldPanel("note")]

    class Meta:
        verbose_name = _("postal code range")
        verbose_name_plural = _("postal code ranges")
        ordering = ["first"]

    def __str__(self):
        return f"{self.label}: {self.municipality}" if self.municipality_id else self.label

    @property
    def label(self):
        spaced = [f"{code[:3]} {code[3:]}" for code in (self.first, self.last)]
        return spaced[0] if self.first == self.last else " – ".join(spaced)

    def clean(self):
        errors = {}
        self.first = postal_code_digits(self.first) or self.first
        self.last = postal_code_digits(self.last) or self.last or self.first
        for name in ("first", "last"):
            if not postal_code_digits(getattr(self, name)):
                errors[name] = _("Write a Swedish postal code of five digits, such as 831 30.")
        if errors:
            raise ValidationError(errors)
        if self.last < self.first:
            raise ValidationError({"last": _("The last postal code must not come before the first.")})
        overlapping = (
            PostalCodeRange.objects.filter(first__lte=self.last, last__gte=self.first)
            .exclude(pk=self.pk)
            .select_related("municipality")
            .first()
        )
        if overlapping:
            raise ValidationError(
                _("These postal codes overlap %(range)s, which already belongs to %(municipality)s.")
                % {"range": overlapping.label, "municipality": overlapping.municipality.name}
            )


class AdviserQuerySet(models.QuerySet):
    def serving(self, municipality):
        """The active advisers of a municipality; the Region's when it has none.

        One query: the Region's advisers are part of the answer only when no
        active adviser of the municipality exists."""
        own = Q(municipality=municipality)
        region = Q(
            municipality__kind=Municipality.Kind.REGION, municipality__locale__language_code=settings.LANGUAGE_CODE
        )
        has_own = Exists(Adviser.objects.filter(municipality=municipality, is_active=True))
        return self.filter(own | (region & ~has_own), is_active=True).select_related("photo")


class Adviser(models.Model):
    """A moving adviser (flyttvägledare). Personal data: see docs/data-protection.md."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="advisers",
        limit_choices_to=canonical_municipalities,
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("photo"),
        help_text=_("Optional: shown with the name on the municipality's page and the registration's thank-you page."),
    )
    crm_owner_id = models.PositiveIntegerField(
        _("CRM owner id"),
        null=True,
        blank=True,
        help_text=_("The adviser's associate id in SuperOffice; follow-ups are assigned to it."),
    )
    is_active = models.BooleanField(_("receives registrations"), default=True)

    objects = AdviserQuerySet.as_manager()

    panels = [
        FieldPanel("municipality"),
        FieldPanel("name"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("photo"),
        FieldPanel("crm_owner_id"),
        FieldPanel("is_active"),
    ]

    class Meta:
        db_table = "home_adviser"  # moved from home/ without moving the data
        verbose_name = _("moving adviser")
        verbose_name_plural = _("moving advisers")
        ordering = ["municipality__sort_order", "name"]

    def __str__(self):
        return f"{self.name} ({self.municipality})"


class CoworkingSpaceQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def localized(self, locale=None):
        """The spaces in `locale`, and the Swedish record of every space not
        translated there (so /de/ lists them all). One query."""
        locale_id = locale_id_of(locale)
        translated_keys = CoworkingSpace.objects.filter(locale_id=locale_id).values("translation_key")
        untranslated = Q(locale__language_code=settings.LANGUAGE_CODE) & ~Q(translation_key__in=translated_keys)
        return (
            self.filter(Q(locale_id=locale_id) | untranslated)
            .select_related("municipality")
            .order_by("municipality__sort_order", "name")
        )

    def in_municipality(self, municipality):
        return self.filter(municipality__translation_key=municipality.translation_key)


class CoworkingSpace(TranslatableMixin, index.Indexed, models.Model):
    """A desk for a remote job: one of about thirty spaces across the county."""

    name = models.CharField(_("name"), max_length=120)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="coworking_spaces",
        limit_choices_to=canonical_municipalities,
        verbose_name=_("municipality"),
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    address = models.CharField(_("street address"), max_length=200)
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        help_text=_("Such as 'Weekdays 7–22, members around the clock'."),
    )
    facilities = models.TextField(
        _("facilities"), max_length=600, blank=True, help_text=_("Desks, meeting rooms, fibre, kitchen, parking …")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)

    objects = CoworkingSpaceQuerySet.as_manager()

    translatable_fields = [
        SynchronizedField("name"),
        SynchronizedField("municipality"),
        SynchronizedField("place"),
        SynchronizedField("address"),
        TranslatableField("opening_hours"),
        TranslatableField("facilities"),
        SynchronizedField("contact_email"),
        SynchronizedField("contact_phone"),
        SynchronizedField("website"),
        SynchronizedField("latitude"),
        SynchronizedField("longitude"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("search_folded"),
        index.SearchField("place"),
        index.SearchField("facilities"),
        index.FilterField("locale_id"),
    ]
    panels = [
        FieldPanel("name"),
        MultiFieldPanel([FieldPanel("municipality"), FieldPanel("place"), FieldPanel("address")], heading=_("Where")),
        FieldPanel("opening_hours"),
        FieldPanel("facilities"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("website")], heading=_("Contact")
        ),
        MultiFieldPanel(
            [FieldPanel("latitude"), FieldPanel("longitude")],
            heading=_("Location"),
            help_text=_("Decimal degrees, such as 63.1792 and 14.6357 for Östersund."),
        ),
    ]

    class Meta(TranslatableMixin.Meta):
        db_table = "ambassadors_coworkingspace"  # moved from ambassadors/ without moving the data
        verbose_name = _("coworking space")
        verbose_name_plural = _("coworking spaces")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def search_folded(self):
        return anyascii(f"{self.name} {self.place}")

    @property
    def anchor(self):
        """The id of its card on the coworking listing, the same in every language."""
        return f"space-{self.translation_key}"

    @property
    def map_url(self):
        """A link to OpenStreetMap (a link the visitor follows, not embedded tiles)."""
        if self.latitude is None or self.longitude is None:
            return ""
        return f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=15/{self.latitude}/{self.longitude}"


class CoworkingIndexPage(Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        db_table = "ambassadors_coworkingindexpage"  # moved from ambassadors/ without moving the data
        verbose_name = _("coworking listing")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        chosen = clean_slug(request.GET.get("kommun", ""))
        spaces = CoworkingSpace.objects.localized(self.locale_id)
        if chosen:
            spaces = spaces.filter(municipality__slug=chosen)
        municipalities = list(Municipality.objects.localized(self.locale_id).municipalities())
        context.update(
            spaces=with_local_names(spaces, municipalities),
            chosen_municipality=chosen,
            municipalities=municipalities,
        )
        return context


def with_local_names(items, municipalities):
    """Spaces and ambassadors point at the Swedish municipality record; give
    each the municipality's name in the listing's language (`municipality_name`).
    `municipalities` comes from `Municipality.objects.localized()`."""
    names = {municipality.translation_key: municipality.local_name for municipality in municipalities}
    items = list(items)
    for item in items:
        item.municipality_name = names.get(item.municipality.translation_key, item.municipality.name)
    return items


def spaces_for(municipality, locale_id):
    """The spaces in a municipality, in the page's language (Swedish where untranslated)."""
    spaces = list(CoworkingSpace.objects.localized(locale_id).in_municipality(municipality))
    for space in spaces:
        space.municipality_name = municipality.name
    return spaces
