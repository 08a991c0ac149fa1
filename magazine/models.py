"""The magazine Ta Steget: its issues, and the order form on the current one."""

from django.db import models
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from intake.forms import MagazineForm
from intake.models import FormPage


class MagazineIndexPage(Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
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
        return {"magazine_issue": self.issue_number}

    def is_current(self):
        newest = (
            MagazineIssuePage.objects.live()
            .sibling_of(self)
            .order_by("-date", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        return newest == self.pk

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
