from django.conf import settings
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from intake.models import registration_url_for
from places.models import Adviser, Municipality, canonical_municipalities, spaces_for, validate_origins  # noqa: F401 - landed migrations name them here
from tasteget.blocks import BodyBlock, FactBlock, GuideBodyBlock
from tasteget.search import FOLDED_SEARCH, FoldedSearchMixin
from tasteget.translations import PAGE_TRANSLATABLE_FIELDS, LocalSnippetsMixin, with_content_languages

from . import listings
from .blocks import HomeSectionsBlock, NavigationBlock
from .listings import localized_pages


class BasePage(FoldedSearchMixin, Page):
    """Fields and behaviour every public page shares."""

    show_in_menus_default = False

    class Meta:
        abstract = True


class HomePage(BasePage):
    hero_title = models.CharField(_("hero title"), max_length=120)
    hero_text = models.TextField(_("hero text"), max_length=400, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero image"),
    )
    hero_image_alt = models.CharField(
        _("hero image alt text"),
        max_length=200,
        blank=True,
        help_text=_("Describe the image for people who cannot see it. Leave empty if it is only decoration."),
    )
    registration_title = models.CharField(_("registration call title"), max_length=120)
    registration_text = models.TextField(_("registration call text"), max_length=400, blank=True)
    registration_link_text = models.CharField(_("registration button text"), max_length=60)
    registration_page = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The page with the registration form for moving guidance."),
    )
    featured = StreamField(
        [("page", blocks.PageChooserBlock(label=_("Page")))],
        blank=True,
        max_num=6,
        verbose_name=_("featured content"),
        help_text=_("Up to six pages shown as cards on the home page."),
    )
    sections = StreamField(
        HomeSectionsBlock(),
        blank=True,
        verbose_name=_("sections"),
        help_text=_(
            "The sections under the hero, in order: the municipalities, stories, the magazine, ambassadors, "
            "and featured pages such as coworking, the newsletter and the international house."
        ),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = BasePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("hero_image"), FieldPanel("hero_image_alt")],
            heading=_("Hero"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("registration_title"),
                FieldPanel("registration_text"),
                FieldPanel("registration_link_text"),
                FieldPanel("registration_page"),
            ],
            heading=_("Call to register"),
        ),
        FieldPanel("sections"),
        FieldPanel("featured"),
        FieldPanel("body"),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("hero_text"), index.SearchField("body"), *FOLDED_SEARCH]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "home.ContentPage",
        "home.MunicipalityPage",
        "stories.StoryIndexPage",
        "magazine.MagazineIndexPage",
        "places.CoworkingIndexPage",
        "ambassadors.AmbassadorDirectoryPage",
        "events.EventIndexPage",
        "home.GuideIndexPage",
        "intake.RegistrationPage",
        "intake.MagazineOrderPage",
        "intake.NewsletterPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read only where the page uses them (a kept part of the page may not).
        context["featured_pages"] = SimpleLazyObject(self.featured_pages)
        listed = SimpleLazyObject(lambda: listings.meetups(self.locale_id))
        context["meetups"] = SimpleLazyObject(lambda: listed["meetups"])
        context["meetup_index"] = SimpleLazyObject(lambda: listed["meetup_index"])
        context["registration_url"] = SimpleLazyObject(
            lambda: self.registration_page.localized.url if self.registration_page else ""
        )
        return context

    def featured_pages(self):
        """The featured pages in this page's language, live ones only, in one query."""
        ids = [block.value.pk for block in self.featured if block.value]
        return localized_pages(ids, self.locale_id)


class ContentPage(BasePage):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body"), *FOLDED_SEARCH]

    parent_page_types = ["home.HomePage", "home.ContentPage", "home.MunicipalityPage"]
    subpage_types = ["home.ContentPage", "intake.RegistrationPage", "intake.MagazineOrderPage", "intake.NewsletterPage"]

    class Meta:
        verbose_name = _("content page")


class MunicipalityPage(LocalSnippetsMixin, BasePage):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="pages", verbose_name=_("municipality")
    )
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hero image"),
    )
    hero_image_alt = models.CharField(
        _("hero image alt text"),
        max_length=200,
        blank=True,
        help_text=_("Describe the image for people who cannot see it. Leave empty if it is only decoration."),
    )
    facts = StreamField(
        [("fact", FactBlock())],
        blank=True,
        verbose_name=_("facts"),
        help_text=_(
            "Key facts: population, travel time to Östersund, the airport and the nearest train station, the towns."
        ),
    )
    body = StreamField(
        BodyBlock(),
        blank=True,
        verbose_name=_("body"),
        help_text=_("Sections with a heading each: housing, work, school and childcare, leisure."),
    )

    content_panels = BasePage.content_panels + [
        FieldPanel("municipality"),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_image_alt")], heading=_("Image")),
        FieldPanel("facts"),
        FieldPanel("body"),
        HelpPanel(
            content=_(
                "Shown automatically: the municipality's stories, ambassadors, coworking spaces and moving "
                "advisers (edit advisers under Snippets), and the registration form with the municipality chosen."
            )
        ),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body"), *FOLDED_SEARCH]
    # The municipality is chosen, not translated (see LocalSnippetsMixin).
    translatable_fields = [
        *PAGE_TRANSLATABLE_FIELDS,
        SynchronizedField("municipality", overridable=False),
        TranslatableField("intro"),
        SynchronizedField("hero_image"),
        TranslatableField("hero_image_alt"),
        TranslatableField("facts"),
        TranslatableField("body"),
    ]
    local_snippet_fields = ("municipality",)

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ContentPage"]

    class Meta:
        verbose_name = _("municipality page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The listings are read only where the page uses them (a kept part of the page may not).
        listed = SimpleLazyObject(lambda: self.listings())
        for key in LISTED_ON_MUNICIPALITY_PAGES:
            context[key] = SimpleLazyObject(lambda key=key: listed.get(key))
        context["registration_url"] = registration_url_for(self.locale_id, self.municipality)
        context["advisers"] = (
            Adviser.objects.filter(
                municipality__translation_key=self.municipality.translation_key,
                municipality__locale__language_code=settings.LANGUAGE_CODE,
                is_active=True,
            )
            .select_related("photo")
            .order_by("name")
        )
        return context

    def listings(self):
        found = listings.for_municipality(self.municipality, self.locale_id)
        if self.municipality.is_region:
            found.update(listings.municipality_pages(self.locale_id))
        return found


LISTED_ON_MUNICIPALITY_PAGES = (
    "stories",
    "story_index",
    "coworking_spaces",
    "coworking_index",
    "ambassadors",
    "directory",
    "municipality_pages",
    "meetups",
    "meetup_index",
)


class GuideIndexPage(BasePage):
    """The international house, or a section of it such as the one for employers.

    Lists its guides and sub-sections; nest a second index for employers.
    """

    intro = models.TextField(
        _("introduction"),
        max_length=600,
        blank=True,
        help_text=_("One or two sentences on who the section is for, shown under the heading."),
    )
    body = StreamField(
        BodyBlock(),
        blank=True,
        verbose_name=_("body"),
        help_text=_("Optional text above the list of guides, such as contact details for the international house."),
    )

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body"), *FOLDED_SEARCH]

    parent_page_types = ["home.HomePage", "home.GuideIndexPage"]
    subpage_types = ["home.GuideIndexPage", "home.GuidePage"]

    class Meta:
        verbose_name = _("international house section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = self.get_children().live().public().specific()
        children = with_content_languages(children)
        context["guides"] = [child for child in children if isinstance(child, GuidePage)]
        context["sections"] = [child for child in children if isinstance(child, GuideIndexPage)]
        return context


class GuidePage(BasePage):
    """International-house guidance on one subject, with checklists the reader ticks off."""

    intro = models.TextField(
        _("introduction"), max_length=600, blank=True, help_text=_("Who the guide is for and what it covers.")
    )
    body = StreamField(
        GuideBodyBlock(),
        blank=True,
        verbose_name=_("body"),
        help_text=_("Text and checklists. A checklist's ticks are kept only in the reader's browser."),
    )
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        blank=True,
        help_text=_("When the facts were last checked with the authorities; shown to readers."),
    )

    content_panels = BasePage.content_panels + [FieldPanel("intro"), FieldPanel("body"), FieldPanel("last_reviewed")]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("body"), *FOLDED_SEARCH]

    parent_page_types = ["home.GuideIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("international house guide")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """Navigation, footer and contact details for the whole site.

    Pages are chosen once (in Swedish); each is shown in the visitor's
    language when a translation exists.
    """

    navigation = StreamField(
        NavigationBlock(),
        blank=True,
        max_num=10,
        verbose_name=_("main navigation"),
        help_text=_(
            "The main menu, in order: single pages, or sections with their pages (such as the municipalities). "
            "The footer repeats it. Each page is shown in the visitor's language."
        ),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    postal_address = models.TextField(_("postal address"), max_length=300, blank=True)
    social_links = StreamField(
        [
            (
                "link",
                blocks.StructBlock(
                    [
                        ("service", blocks.CharBlock(max_length=40, label=_("Service, such as Instagram"))),
                        ("url", blocks.URLBlock(label=_("Address"))),
                    ],
                    icon="link",
                    label=_("Link"),
                ),
            )
        ],
        blank=True,
        max_num=8,
        verbose_name=_("social media links"),
    )
    footer_links = StreamField(
        [("page", blocks.PageChooserBlock(label=_("Page")))],
        blank=True,
        max_num=8,
        verbose_name=_("footer links"),
        help_text=_("Pages such as accessibility or personal data, shown in the footer."),
    )

    panels = [
        FieldPanel("navigation"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("postal_address")],
            heading=_("Contact details"),
        ),
        FieldPanel("social_links"),
        FieldPanel("footer_links"),
    ]

    class Meta:
        verbose_name = _("site settings")


class PendingPurge(models.Model):
    """A purge that a cache did not take when it was sent (Redis or a Varnish
    down): kept here and sent again by housekeeping until it is taken
    (home/purge.py). `targets` are what is still to be purged: "pages" (the
    page cache) and the URLs of the Varnish instances that refused it."""

    paths = models.JSONField(default=list)
    everything = models.BooleanField(default=False)
    # A full-site purge that drops the front caches' pages at once (a view
    # restriction changed) rather than keeping them in grace; db_default:
    # the running release's pods write rows without it during a deploy.
    at_once = models.BooleanField(default=False, db_default=False)
    topics = models.JSONField(default=list)
    targets = models.JSONField(default=list)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    tried_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("pending cache purge")
        verbose_name_plural = _("pending cache purges")

    def __str__(self):
        return f"purge {self.pk}: {'everything' if self.everything else len(self.paths)} ({', '.join(self.targets)})"
