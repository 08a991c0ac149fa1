"""Blocks that assemble the site: the main menu and the home page's sections.

They live in `home/` (not `tasteget/blocks.py`) because they show content of
the apps below: stories, the magazine, ambassadors, municipalities. Each
section block fetches what it shows in a fixed number of queries, whatever
the amount of content, and in the language of the page it is on.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Locale

from . import listings


def page_locale_id(parent_context):
    page = (parent_context or {}).get("page")
    return getattr(page, "locale_id", None) or Locale.get_active().pk


class MenuSectionBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Section page"), help_text=_("The section's overview page."))
    children = blocks.ListBlock(
        blocks.PageChooserBlock(label=_("Page")),
        min_num=0,
        max_num=12,
        label=_("Pages in the section"),
        help_text=_("Shown under the section in the menu and the footer."),
    )

    class Meta:
        icon = "folder-open-inverse"
        label = _("Section with pages")


class NavigationBlock(blocks.StreamBlock):
    page = blocks.PageChooserBlock(label=_("Page"))
    section = MenuSectionBlock()


class SectionBlock(blocks.StructBlock):
    """A heading and a line of text; the subclass adds what is listed."""

    heading = blocks.CharBlock(max_length=120, label=_("Heading"))
    text = blocks.TextBlock(required=False, max_length=400, label=_("Text"))


class MunicipalitiesBlock(SectionBlock):
    undecided_text = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Text for those who have not decided"),
        help_text=_("Shown with the link to the Region's page."),
    )

    class Meta:
        icon = "site"
        template = "home/blocks/municipalities_block.html"
        label = _("All municipalities")
        description = _("The eight municipalities with image, a line of text and a link, and the Region's page.")
        preview_value = {"heading": "Åtta kommuner att välja mellan", "text": "Fjäll, skog, stad och by."}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context.update(listings.municipality_pages(page_locale_id(parent_context)))
        return context


class StoriesBlock(SectionBlock):
    stories = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="stories.StoryPage", label=_("Story")),
        min_num=0,
        max_num=6,
        label=_("Featured stories"),
        help_text=_("Leave empty to show the newest stories."),
    )
    number = blocks.IntegerBlock(default=3, min_value=1, max_value=6, label=_("Number of stories"))

    class Meta:
        icon = "openquote"
        template = "home/blocks/stories_block.html"
        label = _("Stories")
        description = _("Chosen stories, or the newest ones, with a link to all stories.")
        preview_value = {"heading": "De tog steget", "number": 3}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        chosen = [page.pk for page in value["stories"] if page]
        context.update(listings.stories(page_locale_id(parent_context), chosen, value["number"]))
        return context


class MagazineBlock(SectionBlock):
    class Meta:
        icon = "doc-full"
        template = "home/blocks/magazine_block.html"
        label = _("Current magazine issue")
        description = _("The newest issue of the magazine with its cover and order button.")
        preview_value = {"heading": "Magasinet Ta Steget"}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context.update(listings.current_issue(page_locale_id(parent_context)))
        return context


class AmbassadorsBlock(SectionBlock):
    number = blocks.IntegerBlock(default=4, min_value=1, max_value=8, label=_("Number of ambassadors"))

    class Meta:
        icon = "group"
        template = "home/blocks/ambassadors_block.html"
        label = _("Ambassadors")
        description = _("Some of the place ambassadors, with a link to all of them.")
        preview_value = {"heading": "Fråga någon som bor här", "number": 4}

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context.update(listings.ambassadors(page_locale_id(parent_context), value["number"]))
        return context


class FeatureValue(blocks.StructValue):
    def localized_page(self):
        page = self.get("page")
        return page.localized if page else None


class FeatureBlock(SectionBlock):
    """A section that leads to one page: coworking, the newsletter, the international house."""

    image = ImageChooserBlock(required=False, label=_("Image"))
    image_alt = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Image alt text"),
        help_text=_("Describe the image for people who cannot see it. Leave empty if it is only decoration."),
    )
    page = blocks.PageChooserBlock(label=_("Page"))
    link_text = blocks.CharBlock(max_length=60, label=_("Button text"))
    style = blocks.ChoiceBlock(
        choices=[("plain", _("Plain")), ("highlight", _("Highlighted"))],
        default="plain",
        label=_("Style"),
    )

    class Meta:
        icon = "pick"
        template = "home/blocks/feature_block.html"
        value_class = FeatureValue
        label = _("Feature a page")
        description = _("A section with an image, a text and a button to one page, such as coworking or newsletter.")
        preview_value = {"heading": "Coworking i hela länet", "link_text": "Hitta en kontorsplats"}


class HomeSectionsBlock(blocks.StreamBlock):
    municipalities = MunicipalitiesBlock()
    stories = StoriesBlock()
    magazine = MagazineBlock()
    ambassadors = AmbassadorsBlock()
    feature = FeatureBlock()
