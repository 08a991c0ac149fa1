from functools import reduce
from operator import or_

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from tasteget.translations import PUBLISHED, latest_translation_action


class TranslatedSitemap(Sitemap):
    """Every live page in every language, but no aliases: an alias is the
    Swedish page again, shown in another locale until it is translated."""

    def items(self):
        root = self.get_wagtail_site().root_page
        trees = reduce(or_, (Q(path__startswith=home.path) for home in root.get_translations(inclusive=True)))
        # Nor a translation begun but not yet published (tasteget/translations.py).
        published = Q(translation_action__isnull=True) | Q(translation_action=PUBLISHED)
        return (
            Page.objects.filter(trees, alias_of__isnull=True)
            .alias(translation_action=latest_translation_action())
            .filter(published)
            .live()
            .public()
            .order_by("path")
            .defer_streamfields()
            .specific()
        )
