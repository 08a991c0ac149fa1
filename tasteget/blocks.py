"""StreamField blocks shared by every page type.

Each block sets an icon, a template, a description and a preview value so
editors can see it in the block picker. Logic lives on block values
(`StructValue` subclasses), never in templates.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120, label=_("Heading"))
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section heading (h2)")), ("h3", _("Sub-heading (h3)"))],
        default="h2",
        label=_("Level"),
        help_text=_("Use h2 for a new section and h3 inside a section, so screen reader users can navigate."),
    )

    class Meta:
        icon = "title"
        template = "components/blocks/heading_block.html"
        label = _("Heading")
        description = _("A heading that starts a section of the page.")
        preview_value = {"text": "Livet i Jämtland Härjedalen", "level": "h2"}


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=250, label=_("Caption"))
    credit = blocks.CharBlock(required=False, max_length=120, label=_("Photographer"))

    class Meta:
        icon = "image"
        template = "components/blocks/image_block.html"
        label = _("Image")
        description = _("An image with alt text, an optional caption and the photographer's name.")

    def get_preview_value(self):
        """The newest image in the library, so the block picker shows a real picture."""
        from wagtail.images import get_image_model

        image = get_image_model().objects.order_by("-pk").first()
        return self.normalize({"image": image, "caption": "Storsjön i juni", "credit": "Ta steget"})


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(max_length=600, label=_("Quote"))
    attribution = blocks.CharBlock(required=False, max_length=120, label=_("Who said it"))

    class Meta:
        icon = "openquote"
        template = "components/blocks/quote_block.html"
        label = _("Quote")
        description = _("A quotation, with the name of the person who said it.")
        preview_value = {
            "quote": "Vi flyttade för naturen och stannade för människorna.",
            "attribution": "Anna, flyttade till Åre 2022",
        }


class CallToActionValue(blocks.StructValue):
    @cached_property
    def url(self):
        page = self.get("page")
        if page:
            return page.localized.url
        return self.get("external_url") or ""


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, label=_("Title"))
    text = blocks.TextBlock(required=False, max_length=400, label=_("Text"))
    link_text = blocks.CharBlock(max_length=60, label=_("Button text"))
    page = blocks.PageChooserBlock(required=False, label=_("Page"))
    external_url = blocks.URLBlock(
        required=False, label=_("Or a web address"), help_text=_("Used only when no page is chosen.")
    )

    class Meta:
        icon = "pick"
        template = "components/blocks/call_to_action_block.html"
        value_class = CallToActionValue
        label = _("Call to action")
        description = _("A highlighted box with a button that leads the visitor to a next step.")
        preview_value = {
            "title": "Funderar du på att flytta hit?",
            "text": "Våra flyttvägledare hjälper dig, kostnadsfritt.",
            "link_text": "Anmäl intresse",
            "external_url": "https://tasteget.nu/",
        }


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video address"), help_text=_("A YouTube or Vimeo address."))
    title = blocks.CharBlock(
        max_length=120,
        label=_("Title of the video"),
        help_text=_("Describes the video for screen reader users."),
    )

    class Meta:
        icon = "media"
        template = "components/blocks/video_block.html"
        label = _("Video")
        description = _("An embedded video with a title for screen reader users.")
        # No address: the picker shows the title without calling the video provider.
        preview_value = {"video": None, "title": "Vintern i Vemdalen"}


class FactBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60, label=_("Label"))
    value = blocks.CharBlock(max_length=120, label=_("Value"))

    class Meta:
        icon = "list-ul"
        label = _("Fact")
        preview_value = {"label": "Invånare", "value": "64 000"}


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        label=_("Text"),
        icon="pilcrow",
        template="components/blocks/paragraph_block.html",
        description=_("Paragraphs of text with links and lists."),
        preview_value="<p>Här finns plats för dig, ditt jobb och din familj.</p>",
    )
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    video = VideoBlock()

    class Meta:
        template = "components/blocks/body_block.html"


class ChecklistStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        max_length=160, label=_("Step"), help_text=_("What to do, such as 'Register at the Tax Agency'.")
    )
    text = blocks.TextBlock(required=False, max_length=600, label=_("Explanation"))
    link_text = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Link text"),
        help_text=_("Say where the link leads, such as 'The Tax Agency's page on moving to Sweden'."),
    )
    page = blocks.PageChooserBlock(required=False, label=_("Page"))
    external_url = blocks.URLBlock(
        required=False, label=_("Or a web address"), help_text=_("Used only when no page is chosen.")
    )

    class Meta:
        icon = "tick"
        label = _("Step")
        value_class = CallToActionValue  # the link: a page in the visitor's language, or an address


class ChecklistBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, label=_("Heading"), help_text=_("Such as 'Your first weeks'."))
    steps = blocks.ListBlock(ChecklistStepBlock(), min_num=1, max_num=30, label=_("Steps"))

    class Meta:
        icon = "tasks"
        template = "components/blocks/checklist_block.html"
        label = _("Checklist")
        description = _(
            "Steps the reader ticks off as they go. Ticks are kept only in the reader's own browser, never sent to us."
        )
        preview_value = {
            "title": "Dina första veckor",
            "steps": [
                {
                    "title": "Folkbokför dig hos Skatteverket",
                    "text": "Då får du ett personnummer.",
                    "link_text": "Skatteverket om att flytta till Sverige",
                    "external_url": "https://www.skatteverket.se/",
                },
                {"title": "Öppna ett bankkonto", "text": "Ta med pass och personbevis."},
            ],
        }


class GuideBodyBlock(BodyBlock):
    """The body of an international-house guide: the usual blocks plus checklists."""

    checklist = ChecklistBlock()
