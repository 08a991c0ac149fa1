"""The magazine Ta Steget: its issues, and the order form on the current one."""

from django.conf import settings
from django.db import models
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.fields import StreamField
from wagtail.models import Page

from intake.forms import MagazineForm
from intake.models import FormPage


class MagazineIndexPage(Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    current_issue = models.ForeignKey(
        "magazine.MagazineIssuePage",
        verbose_name=_("current issue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The issue people can order now, on its own page, on the home page and on the order form. "
            "Empty: the newest published issue."
        ),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), PageChooserPanel("current_issue")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["magazine.MagazineIssuePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("magazine index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = (
            MagazineIssuePage.objects.live().public().child_of(self).select_related("cover", "pdf").order_by("-date")
        )
        return context


class MagazineIssuePage(FormPage):
    """One issue. The newest live issue carries the order form for the printed copy."""

    issue_number = models.CharField(
        _("issue number"), max_length=60, help_text=_("Such as 2026:1. One order per address per issue.")
    )
    date = models.DateField(_("publication date"), default=timezone.localdate)
    cover = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cover_alt = models.CharField(
        _("cover alt text"), max_length=200, blank=True, help_text=_("Describe the cover for people who cannot see it.")
    )
    pdf = models.ForeignKey(
        "wagtaildocs.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("PDF"),
        help_text=_("The whole issue as a PDF."),
    )
    contents = StreamField(
        [
            (
                "article",
                blocks.StructBlock(
                    [
                        ("title", blocks.CharBlock(max_length=120, label=_("Title"))),
                        ("page_number", blocks.IntegerBlock(required=False, min_value=1, label=_("Page"))),
                    ],
                    icon="list-ol",
                    label=_("Article"),
                ),
            )
        ],
        blank=True,
        verbose_name=_("table of contents"),
        help_text=_("The articles in this issue, in order."),
    )

    content_panels = FormPage.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("issue_number"),
                FieldPanel("date"),
                FieldPanel("cover"),
                FieldPanel("cover_alt"),
                FieldPanel("pdf"),
            ],
            heading=_("Issue"),
        ),
        FieldPanel("contents"),
    ]
    parent_page_types = ["magazine.MagazineIndexPage"]
    subpage_types = []
    form_template = "magazine/magazine_issue_page.html"

    class Meta:
        verbose_name = _("magazine issue")

    def get_form_class(self):
        return MagazineForm

    def form_kwargs(self, request):
        # The number as set on the source page, whatever a translation says.
        return {"magazine_issue": current_issue_number()}

    def is_current(self):
        current = current_issue(self.locale_id)
        return current is not None and current.pk == self.pk

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["is_current"] = self.is_current()
        return context

    def serve(self, request, *args, **kwargs):
        # Only the current issue can be ordered; an old issue's page shows no
        # form, and a POST to it (an old tab, a bot) is sent back to the page.
        if request.method == "POST" and not self.is_current():
            return redirect(self.url)
        return super().serve(request, *args, **kwargs)


def current_issue(locale_id=None):
    """The issue that takes orders, in this language (or None); one query.

    It is set in one place: "current issue" on the magazine page in the
    default language (the source of its translations). Unset, it is the
    newest published issue. In another language it is the translation of that
    issue, when published. Without `locale_id`: in the default language.
    """
    source = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    chosen = MagazineIndexPage.objects.filter(locale__language_code=source, current_issue__live=True)
    newest = MagazineIssuePage.objects.live().filter(locale__language_code=source).order_by("-date", "-pk")
    issues = MagazineIssuePage.objects.live().public()
    issues = issues.filter(locale_id=locale_id) if locale_id else issues.filter(locale__language_code=source)
    key = Coalesce(
        Subquery(chosen.values("current_issue__translation_key")[:1]), Subquery(newest.values("translation_key")[:1])
    )
    return issues.filter(translation_key=key).first()


def current_issue_number():
    """The number orders are taken for now (such as "2026:1"), or "" when no issue is published."""
    issue = current_issue()
    return issue.issue_number if issue else ""
