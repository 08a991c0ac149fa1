"""Stories of people who moved to the county, and the index that lists them."""

from django.db import models
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from intake.models import registration_url_for
from places.models import Municipality
from tasteget.blocks import BodyBlock, FactBlock
from tasteget.helpers import clean_slug
from tasteget.paging import page_of
from tasteget.search import FOLDED_SEARCH, FoldedSearchMixin
from tasteget.translations import PAGE_TRANSLATABLE_FIELDS, LocalSnippetsMixin, with_content_languages

from .feeds import StoryFeed

STORIES_PER_PAGE = 12


class StoryTopic(TranslatableMixin, models.Model):
    """A topic editors attach to stories: family, remote work, nature …"""

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), max_length=60, help_text=_("Used in filter addresses, such as 'remote-work'."))

    translatable_fields = [TranslatableField("name"), SynchronizedField("slug")]
    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("story topic")
        verbose_name_plural = _("story topics")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["locale", "slug"], name="unique_story_topic_slug_per_locale")]

    def __str__(self):
        return self.name


class FactsBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80, label=_("Title"))
    facts = blocks.ListBlock(FactBlock(), label=_("Facts"))

    class Meta:
        icon = "list-ul"
        template = "stories/blocks/facts_box.html"
        label = _("Facts box")
        description = _("A box of short facts, such as where they moved from and what they work with.")
        preview_value = {"title": "Fakta", "facts": [{"label": "Flyttade från", "value": "Göteborg"}]}


class StoryBodyBlock(BodyBlock):
    facts_box = FactsBoxBlock()


class StoryIndexPage(RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["stories.StoryPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("story index")

    def stories(self):
        return (
            StoryPage.objects.live()
            .public()
            .child_of(self)
            .select_related("municipality", "hero_image")
            .order_by("-date", "-pk")
        )

    def filtered(self, request):
        stories = self.stories()
        municipality = clean_slug(request.GET.get("kommun", ""))
        topic = clean_slug(request.GET.get("amne", ""))
        if municipality:
            stories = stories.filter(municipality__slug=municipality)
        if topic:
            stories = stories.filter(topics__slug=topic).distinct()
        return stories, municipality, topic

    @path("")
    def index(self, request):
        stories, municipality, topic = self.filtered(request)
        page_of_stories = page_of(stories, request, STORIES_PER_PAGE)
        stories_on_page = with_content_languages(page_of_stories.object_list)
        StoryPage.attach_topics(stories_on_page)
        return self.render(
            request,
            context_overrides={
                "stories": stories_on_page,
                "page_of_stories": page_of_stories,
                "result_count": page_of_stories.paginator.count,
                "municipalities": Municipality.objects.localized(self.locale_id).municipalities(),
                "topics": StoryTopic.objects.filter(locale_id=self.locale_id),
                "chosen_municipality": municipality,
                "chosen_topic": topic,
            },
        )

    def get_cached_paths(self):
        # Purged with the index (home/purge.py): the Atom feed lists the same stories.
        return ["/", "/feed/"]

    @path("feed/", name="feed")
    def feed(self, request):
        return StoryFeed(self)(request)


class StoryPageForm(WagtailAdminPageForm):
    """Topics in the page's own language only (topics are translated snippets)."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        locale_id = self.instance.locale_id or (parent_page.locale_id if parent_page else None)
        if locale_id and "topics" in self.fields:
            self.fields["topics"].queryset = StoryTopic.objects.filter(locale_id=locale_id)


class StoryPage(LocalSnippetsMixin, FoldedSearchMixin, Page):
    people = models.CharField(_("who"), max_length=120, help_text=_("The person or people, such as 'Anna and Johan'."))
    moved_from = models.CharField(_("moved from"), max_length=120, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="stories", verbose_name=_("municipality")
    )
    place = models.CharField(
        _("place"), max_length=120, blank=True, help_text=_("Village or town, such as Hammarstrand.")
    )
    topics = ParentalManyToManyField(StoryTopic, blank=True, related_name="stories", verbose_name=_("topics"))
    date = models.DateField(_("publication date"), default=timezone.localdate)
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
    intro = models.TextField(_("introduction"), max_length=600)
    body = StreamField(StoryBodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("people"), FieldPanel("moved_from"), FieldPanel("municipality"), FieldPanel("place")],
            heading=_("Who and where"),
        ),
        FieldPanel("topics"),
        FieldPanel("date"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_image_alt")], heading=_("Image")),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    base_form_class = StoryPageForm
    # As wagtail-localize would find them, but the municipality is chosen, not
    # translated: a translation points at the municipality in its own language.
    translatable_fields = [
        *PAGE_TRANSLATABLE_FIELDS,
        TranslatableField("people"),
        TranslatableField("moved_from"),
        SynchronizedField("municipality", overridable=False),
        TranslatableField("place"),
        SynchronizedField("date"),
        SynchronizedField("hero_image"),
        TranslatableField("hero_image_alt"),
        TranslatableField("intro"),
        TranslatableField("body"),
    ]
    local_snippet_fields = ("municipality", "topics")
    search_fields = Page.search_fields + [
        index.SearchField("people"),
        index.SearchField("place"),
        index.SearchField("intro"),
        index.SearchField("body"),
        *FOLDED_SEARCH,
    ]
    parent_page_types = ["stories.StoryIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    @cached_property
    def topic_list(self):
        return list(self.topics.all())

    @staticmethod
    def attach_topics(stories):
        """Load the topics of many stories in one query (for listings)."""
        through = StoryPage.topics.through
        rows = through.objects.filter(storypage_id__in=[story.pk for story in stories]).select_related("storytopic")
        by_story = {}
        for row in rows:
            by_story.setdefault(row.storypage_id, []).append(row.storytopic)
        for story in stories:
            story.__dict__["topic_list"] = by_story.get(story.pk, [])

    def related_stories(self, limit=3):
        # The topic match is a subquery, not a join: no DISTINCT over every
        # story of the locale, and the newest three come straight off the index.
        tagged = StoryPage.topics.through.objects.filter(
            storytopic__slug__in=[topic.slug for topic in self.topic_list]
        ).values("storypage_id")
        related = (
            StoryPage.objects.live()
            .public()
            .filter(locale_id=self.locale_id)
            .exclude(pk=self.pk)
            .filter(models.Q(municipality__slug=self.municipality.slug) | models.Q(pk__in=tagged))
            .select_related("hero_image")
            .order_by("-date", "-pk")[:limit]
        )
        return with_content_languages(related)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read only where the page uses them (a kept part of the page may not).
        context["related_stories"] = SimpleLazyObject(self.related_stories)
        context["registration_url"] = SimpleLazyObject(lambda: registration_url_for(self.locale_id, self.municipality))
        return context
