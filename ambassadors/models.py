"""The county's networks of people and places: coworking spaces (and,
with the content issue, the place ambassadors)."""

from anyascii import anyascii
from django.conf import settings
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modelsearch.queryset import SearchableQuerySetMixin
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from home.models import Municipality, canonical_municipalities
from intake.models import clean_slug
from tasteget.paging import page_of


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


class AmbassadorQuerySet(models.QuerySet):
    def published(self):
        """Only profiles the ambassador agreed to, and not withdrawn by an editor."""
        return self.filter(is_published=True, consent_given_at__isnull=False)


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
        return [interest.strip() for interest in self.interests.split(",") if interest.strip()]


AMBASSADORS_PER_PAGE = 20


class AmbassadorDirectoryPage(RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("ambassador directory")

    @path("")
    def directory(self, request):
        chosen_municipality = clean_slug(request.GET.get("kommun", ""))
        chosen_language = clean_slug(request.GET.get("sprak", "")).lower()[:10]
        chosen_interest = request.GET.get("intresse", "").strip()[:60]
        ambassadors = Ambassador.objects.published().select_related("municipality", "photo")
        if chosen_municipality:
            ambassadors = ambassadors.filter(municipality__slug=chosen_municipality)
        if chosen_language:
            ambassadors = ambassadors.filter(languages__iregex=rf"(^|,)\s*{chosen_language}\s*(,|$)")
        if chosen_interest:
            ambassadors = ambassadors.filter(interests__icontains=chosen_interest)
        page_of_ambassadors = page_of(ambassadors, request, AMBASSADORS_PER_PAGE)
        municipalities = list(Municipality.objects.filter(locale_id=self.locale_id).exclude(kind="region"))
        return self.render(
            request,
            context_overrides={
                "ambassadors": with_local_names(page_of_ambassadors.object_list, municipalities),
                "page_of_ambassadors": page_of_ambassadors,
                "municipalities": municipalities,
                "chosen_municipality": chosen_municipality,
                "chosen_language": chosen_language,
                "chosen_interest": chosen_interest,
                "languages": [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
            },
        )

    @path("<int:pk>/", name="profile")
    def profile(self, request, pk):
        from intake import ratelimit

        from .forms import AmbassadorContactForm

        ambassador = get_object_or_404(Ambassador.objects.published().select_related("municipality", "photo"), pk=pk)
        form = AmbassadorContactForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if not ratelimit.allow(request):
                form.is_valid()
                form.add_error(
                    None,
                    _("Too many forms have been sent from your address. Please wait a few minutes and send again."),
                )
                form.rebound_token()
                status = 429
            elif form.is_valid():
                relay_message(ambassador, form.cleaned_data, form.submission_key)
                return redirect(self.url + self.reverse_subpage("profile", args=[pk]) + "?skickat=1")
            else:
                form.rebound_token()
        response = self.render(
            request,
            context_overrides={"ambassador": ambassador, "form": form, "sent": request.GET.get("skickat") == "1"},
            template="ambassadors/ambassador_profile.html",
        )
        response.status_code = status
        add_never_cache_headers(response)
        return response


def relay_message(ambassador, cleaned, submission_key):
    """E-mail the visitor's message to the ambassador, once, through the worker."""
    from django.core.cache import cache
    from django.db import transaction

    from tasteget.tasks import send_email

    if not cache.add(f"ambassador-message:{submission_key}", 1, timeout=settings.INTAKE_FORM_MAX_AGE):
        return  # a double submit of the same form
    body = render_to_string(
        "ambassadors/email/relayed_message.txt",
        {"ambassador": ambassador, "name": cleaned["name"], "message": cleaned["message"], "email": cleaned["email"]},
    )
    subject = _("Ta steget: a message from %(name)s") % {"name": cleaned["name"][:60]}
    transaction.on_commit(
        lambda: send_email.enqueue([ambassador.email], str(subject), body, reply_to=[cleaned["email"]]), robust=True
    )
