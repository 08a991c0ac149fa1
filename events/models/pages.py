"""The meet-up pages: the listing (with its archive and calendar feeds) and one meet-up."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Locale, Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from intake.pipeline import handle_form, read_thanks, thanks_token
from places.models import Municipality
from tasteget.helpers import clean_slug
from tasteget.locales import language_code_of
from tasteget.search import FOLDED_SEARCH, FoldedSearchMixin
from tasteget.translations import (
    PAGE_TRANSLATABLE_FIELDS,
    LocalSnippetsMixin,
    follow_visitor_language,
    with_content_languages,
)

from .. import ics
from ..forms import SignupForm
from ..links import cancel_link, read_cancel_token
from ..services import cancel, sign_up
from .signups import Signup

UPCOMING_ON_INDEX = 50
ARCHIVE_MAX = 100


def with_renditions():
    return Prefetch("image", queryset=get_image_model().objects.prefetch_related("renditions"))


def upcoming_meetups(municipality=None, language=None, limit=3):
    """The next live meet-ups in `language` (the active one by default).

    For a municipality (any of its translations): its own meet-ups and those
    for the whole county; for None: every one. Each carries
    `municipality_name` in the listing's language. Four queries at most,
    whatever the number (the page, the image and its renditions, the text's
    language). This is what the mover's own page lists.
    """
    language = language or settings.LANGUAGE_CODE
    locale = Locale.objects.get_for_language(language)
    events = (
        EventPage.objects.live()
        .public()
        .filter(locale=locale, start__gte=timezone.now())
        .select_related("municipality")
        .prefetch_related(with_renditions())
        .order_by("start", "pk")
    )
    if municipality is not None and not municipality.is_region:
        events = events.filter(
            models.Q(municipality__translation_key=municipality.translation_key)
            | models.Q(municipality__kind=Municipality.Kind.REGION)
        )
    return with_content_languages(events[:limit] if limit else events)


class EventIndexPage(RoutablePageMixin, FoldedSearchMixin, Page):
    """The meet-ups: upcoming ones (filtered by municipality), the archive and the calendar feeds."""

    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro"), *FOLDED_SEARCH]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("meet-up listing")

    def get_cached_paths(self):
        # Purged with the listing (home/purge.py): the archive and the feeds list the same meet-ups.
        slugs = Municipality.objects.in_default_locale().values_list("slug", flat=True)
        return ["/", "arkiv/", "archive/", "ical/", *[f"ical/{slug}/" for slug in slugs]]

    def events(self):
        return (
            EventPage.objects.child_of(self)
            .live()
            .public()
            .select_related("municipality")
            .prefetch_related(with_renditions())
        )

    @path("")
    def upcoming(self, request):
        chosen = clean_slug(request.GET.get("kommun", ""))
        events = self.events().filter(start__gte=timezone.now()).order_by("start", "pk")
        if chosen:
            events = events.filter(
                models.Q(municipality__slug=chosen) | models.Q(municipality__kind=Municipality.Kind.REGION)
            )
        return self.render(
            request,
            context_overrides={
                "events": with_content_languages(events[:UPCOMING_ON_INDEX]),
                "municipalities": list(Municipality.objects.localized(self.locale_id).municipalities()),
                "chosen_municipality": chosen,
                "archive": False,
            },
        )

    @path("arkiv/", name="archive")
    @path("archive/", name="archive_translated")
    def archive(self, request):
        """Past meet-ups, newest first: kept for the record, no longer open for sign-ups."""
        events = self.events().filter(start__lt=timezone.now()).order_by("-start", "-pk")[:ARCHIVE_MAX]
        return self.render(request, context_overrides={"events": with_content_languages(events), "archive": True})

    def archive_route(self):
        swedish = language_code_of(self.locale_id) == settings.LANGUAGE_CODE or self.alias_of_id
        return "archive" if swedish else "archive_translated"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["archive_url"] = self.url + self.reverse_subpage(self.archive_route())
        context["feed_url"] = self.url + self.reverse_subpage("feed")
        return context

    @path("ical/", name="feed")
    def feed(self, request):
        return self.calendar(self.events(), name=self.title)

    @path("ical/<slug:municipality>/", name="municipality_feed")
    def municipality_feed(self, request, municipality):
        found = Municipality.objects.localized(self.locale_id).filter(slug=municipality).first()
        if found is None:
            raise Http404
        events = self.events().filter(
            models.Q(municipality__translation_key=found.translation_key)
            | models.Q(municipality__kind=Municipality.Kind.REGION)
        )
        return self.calendar(events, name=f"{self.title} – {found.local_name}")

    def calendar(self, events, name):
        """Upcoming meet-ups and those of the last 30 days (calendar apps keep what they saw)."""
        since = timezone.now() - timezone.timedelta(days=30)
        events = list(events.filter(start__gte=since).order_by("start", "pk")[:200])
        return ics_response(ics.calendar(events, name=name), filename=None)


def ics_response(text, filename):
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class EventPage(RoutablePageMixin, LocalSnippetsMixin, FoldedSearchMixin, Page):
    """One newcomer meet-up (inflyttarträff), with its sign-up form and waiting list."""

    start = models.DateTimeField(_("starts"), help_text=_("Date and time in Swedish time (Europe/Stockholm)."))
    end = models.DateTimeField(_("ends"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("municipality"),
        help_text=_("The municipality holding the meet-up; the Region for one for the whole county."),
    )
    venue = models.CharField(_("place"), max_length=200, blank=True, help_text=_("Such as 'Gamla Teatern, Östersund'."))
    address = models.CharField(_("street address"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True, help_text=_("For a meet-up held online."))
    languages = models.CharField(
        _("languages spoken"), max_length=200, help_text=_("Such as 'svenska, English'."), default="svenska"
    )
    capacity = models.PositiveIntegerField(
        _("places"), help_text=_("When they are taken, sign-ups join a waiting list.")
    )
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    body = RichTextField(_("description"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ul", "ol"])
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    image_alt = models.CharField(
        _("image alt text"),
        max_length=200,
        blank=True,
        help_text=_("Describe the image for people who cannot see it. Leave empty if it is only decoration."),
    )
    organiser = models.ForeignKey(
        "places.Adviser",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organiser"),
        help_text=_("Told of every sign-up and cancellation; the municipality's advisers when empty."),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("start"), FieldPanel("end")], heading=_("When")),
        MultiFieldPanel(
            [FieldPanel("municipality"), FieldPanel("venue"), FieldPanel("address"), FieldPanel("online_url")],
            heading=_("Where"),
        ),
        FieldPanel("languages"),
        FieldPanel("capacity"),
        FieldPanel("organiser"),
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("venue"),
        *FOLDED_SEARCH,
    ]
    translatable_fields = [
        *PAGE_TRANSLATABLE_FIELDS,
        SynchronizedField("start"),
        SynchronizedField("end"),
        SynchronizedField("municipality", overridable=False),
        TranslatableField("venue"),
        SynchronizedField("address"),
        SynchronizedField("online_url"),
        TranslatableField("languages"),
        SynchronizedField("capacity"),
        SynchronizedField("organiser"),
        TranslatableField("intro"),
        TranslatableField("body"),
        SynchronizedField("image"),
        TranslatableField("image_alt"),
    ]
    local_snippet_fields = ("municipality",)
    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("meet-up")
        verbose_name_plural = _("meet-ups")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The meet-up must end after it starts.")})
        if not self.venue and not self.online_url:
            raise ValidationError({"venue": _("Give a place, an online link, or both.")})

    @property
    def is_past(self):
        return self.start < timezone.now()

    @property
    def start_local(self):
        return timezone.localtime(self.start)

    @property
    def end_local(self):
        return timezone.localtime(self.end)

    @property
    def source_page(self):
        """The Swedish meet-up that sign-ups count against (translations and aliases share its places)."""
        if self.alias_of_id:
            return EventPage.objects.get(pk=self.alias_of_id)
        if language_code_of(self.locale_id) == settings.LANGUAGE_CODE:
            return self
        source = EventPage.objects.filter(
            translation_key=self.translation_key, locale__language_code=settings.LANGUAGE_CODE
        ).first()
        return source or self

    def serve(self, request, *args, **kwargs):
        # The form, its errors and the e-mails follow the visitor's language (as intake's form pages).
        follow_visitor_language(request)
        return super().serve(request, *args, **kwargs)

    def thanks_route(self):
        swedish = language_code_of(self.locale_id) == settings.LANGUAGE_CODE or self.alias_of_id
        return "thanks" if swedish else "thanks_translated"

    def cancel_route(self):
        swedish = language_code_of(self.locale_id) == settings.LANGUAGE_CODE or self.alias_of_id
        return "cancel" if swedish else "cancel_translated"

    def calendar_url(self):
        return self.url + self.reverse_subpage("ics")

    @path("")
    def form_view(self, request):
        source = self.source_page
        context = {
            "taken": source.signups.filter(status=Signup.Status.CONFIRMED).count(),
            "calendar_url": self.calendar_url(),
        }
        context["places_left"] = max(0, self.capacity - context["taken"])
        if self.is_past:
            response = self.render(request, context_overrides={**context, "closed": True})
            add_never_cache_headers(response)
            return response
        return handle_form(
            request,
            SignupForm,
            save=lambda form: sign_up(source, form),
            thanks_url=lambda signup: (
                self.url + self.reverse_subpage(self.thanks_route()) + f"?r={thanks_token({'s': signup.pk})}"
            ),
            render=lambda form: self.render(request, context_overrides={**context, "form": form}),
        )

    @path("tack/", name="thanks")
    @path("thanks/", name="thanks_translated")
    def thanks(self, request):
        data = read_thanks(request) or {}
        signup = Signup.objects.filter(pk=data.get("s"), event=self.source_page).first() if data.get("s") else None
        context = {"signup": signup, "calendar_url": self.calendar_url()}
        if signup is not None and signup.status == Signup.Status.WAITING:
            context["waiting_number"] = signup.event.signups.filter(
                status=Signup.Status.WAITING, created_at__lte=signup.created_at, pk__lte=signup.pk
            ).count()
        if signup is not None:
            context["cancel_url"] = cancel_link(signup, self)
        response = self.render(request, context_overrides=context, template="events/event_thanks.html")
        add_never_cache_headers(response)  # about one person's sign-up
        return response

    @path("ics/", name="ics")
    def ics(self, request):
        return ics_response(ics.calendar([self], name=self.title), filename=f"{self.slug}.ics")

    @path("avboka/<str:token>/", name="cancel")
    @path("cancel/<str:token>/", name="cancel_translated")
    def cancel(self, request, token):
        signup = read_cancel_token(token)
        if signup is None or signup.event_id != self.source_page.pk:
            raise Http404
        state = "ask"
        if signup.status == signup.Status.CANCELLED:
            state = "done_before"
        elif request.method == "POST":
            cancel(signup)
            state = "done"
        response = self.render(
            request, context_overrides={"signup": signup, "state": state}, template="events/event_cancel.html"
        )
        add_never_cache_headers(response)
        return response
