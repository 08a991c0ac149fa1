from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from tasteget.locales import language_code_of
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

    def _urls(self, page, protocol, domain):
        """Each address with its translations as `xhtml:link` alternates.

        The items are exactly the real translations (no aliases, nothing
        unpublished), so a page's alternates are the items sharing its
        translation key; an address below a page (an ambassador's profile
        under the directory) pairs with the same address below each
        translation. Swedish is also the `x-default`."""
        urls, pages = [], []
        for item in self.paginator.page(page).object_list.iterator():
            own = item.get_full_url(self.request) or ""
            code = language_code_of(item.locale_id)
            for url_info in item.get_sitemap_urls(self.request):
                below = url_info["location"][len(own) :] if url_info["location"].startswith(own) else None
                urls.append(url_info)
                pages.append(((item.translation_key, below), code))
        groups = {}
        for url_info, (key, code) in zip(urls, pages, strict=True):
            if key[1] is not None:
                groups.setdefault(key, []).append({"lang_code": code, "location": url_info["location"]})
        for url_info, (key, _code) in zip(urls, pages, strict=True):
            alternates = groups.get(key, []) if key[1] is not None else []
            if len(alternates) > 1:
                default = [alt for alt in alternates if alt["lang_code"] == settings.LANGUAGE_CODE]
                url_info["alternates"] = alternates + [{**alt, "lang_code": "x-default"} for alt in default]
        last_mods = {url_info.get("lastmod") for url_info in urls}
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls
