"""The county's networks of people and places: coworking spaces (and,
with the content issue, the place ambassadors)."""

from anyascii import anyascii
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelsearch.queryset import SearchableQuerySetMixin
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from home.models import Municipality, canonical_municipalities
from intake.models import clean_slug


class CoworkingSpaceQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def for_locale(self, locale_id):
        return (
            self.filter(locale_id=locale_id).select_related("municipality").order_by("municipality__sort_order", "name")
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
        verbose_name = _("coworking space")
        verbose_name_plural = _("coworking spaces")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def search_folded(self):
        return anyascii(f"{self.name} {self.place}")

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
        verbose_name = _("coworking listing")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        chosen = clean_slug(request.GET.get("kommun", ""))
        spaces = CoworkingSpace.objects.for_locale(self.locale_id)
        if chosen:
            spaces = spaces.filter(municipality__slug=chosen)
        municipalities = list(Municipality.objects.filter(locale_id=self.locale_id).exclude(kind="region"))
        context.update(
            spaces=with_local_names(spaces, municipalities),
            chosen_municipality=chosen,
            municipalities=municipalities,
        )
        return context


def with_local_names(spaces, municipalities):
    """Spaces point at the Swedish municipality record; show its local name."""
    names = {municipality.translation_key: municipality.name for municipality in municipalities}
    spaces = list(spaces)
    for space in spaces:
        space.municipality_name = names.get(space.municipality.translation_key, space.municipality.name)
    return spaces


def spaces_for(municipality, locale_id):
    """The spaces in a municipality, in the page's language (Swedish where untranslated)."""
    spaces = list(CoworkingSpace.objects.for_locale(locale_id).in_municipality(municipality))
    if not spaces:
        spaces = list(
            CoworkingSpace.objects.filter(locale__language_code=settings.LANGUAGE_CODE)
            .in_municipality(municipality)
            .select_related("municipality")
        )
    for space in spaces:
        space.municipality_name = municipality.name
    return spaces
