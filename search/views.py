"""Site search: pages and coworking spaces in the visitor's language."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Locale, Page

from home.models import ContentPage, GuideIndexPage, GuidePage, HomePage, MunicipalityPage
from magazine.models import MagazineIndexPage, MagazineIssuePage
from places.models import CoworkingIndexPage, CoworkingSpace
from stories.models import StoryIndexPage, StoryPage
from tasteget.paging import page_of
from tasteget.restrictions import public
from tasteget.security import client_network_address, first_in_window, within_limit
from tasteget.translations import with_content_languages

from . import services
from .tasks import record_search

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 10
MAX_SPACES = 5
TYPES = {
    "berattelser": StoryPage,
    "kommuner": MunicipalityPage,
    "magasinet": MagazineIssuePage,
    "sidor": ContentPage,
}
# What each result is, in the visitor's words; other page types say "Page".
TYPE_LABELS = {
    StoryPage: _("Story"),
    StoryIndexPage: _("Stories"),
    MunicipalityPage: _("Municipality"),
    MagazineIssuePage: _("Magazine issue"),
    MagazineIndexPage: _("Magazine"),
    GuidePage: _("Guide"),
    GuideIndexPage: _("Guide"),
    CoworkingIndexPage: _("Coworking"),
    HomePage: _("Home page"),
}
PAGE_LABEL = _("Page")
COWORKING_LABEL = _("Coworking space")


def clean_query(raw):
    """Keep letters, digits and spaces; a query of only punctuation is empty."""
    words = re.findall(r"\w+", raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(words)[:MAX_QUERY_LENGTH].strip()


def search(request):
    query = clean_query(request.GET.get("q", ""))
    chosen_type = request.GET.get("typ", "")
    if chosen_type not in TYPES:
        chosen_type = ""
    locale = Locale.get_active()
    context = {
        "query": query,
        "chosen_type": chosen_type,
        "types": TYPES.keys(),
        "raw_query": request.GET.get("q", "")[:200],
    }
    if query:
        pages = pages_in(locale, chosen_type)
        page_of_results = page_of(services.ranked(pages, query).specific(), request, RESULTS_PER_PAGE)
        spaces = [] if chosen_type else coworking_spaces(query, locale)
        promoted = promotions(query, locale)
        promoted_ids = {page.pk for page in promoted}
        found = with_content_languages(
            result for result in page_of_results.object_list if result.pk not in promoted_ids
        )
        for result in found:
            result.type_label = type_label(result)
        hits = page_of_results.paginator.count + len(spaces)
        context.update(
            results=found,
            promoted=promoted,
            spaces=spaces,
            page_of_results=page_of_results,
            total=hits,
            coworking_label=COWORKING_LABEL,
        )
        if hits < services.FEW_HITS:
            suggested = services.suggestion(query, locale)
            if suggested:
                context["suggestion"] = {"query": suggested, "url": search_url(get_language(), suggested, chosen_type)}
        if not hits and not promoted:
            context["other_languages"] = [
                {**hint, "url": search_url(hint["code"], query, chosen_type)}
                for hint in services.other_languages(query, locale, TYPES.get(chosen_type))
            ]
        # Counted by the worker: the visitor does not wait for the statistics.
        if counts_search(request, query):
            record_search.enqueue(query, get_language(), missed=not hits and not promoted)
    return render(request, "search/search.html", context)


def counts_search(request, query):
    """Whether this search goes into the statistics: a query counts
    once per client and window, and a client counts at most
    SEARCH_COUNTS_PER_CLIENT queries a window, so nobody can fill the
    editors' list of searches without results."""
    client = client_network_address(request)
    window = settings.SEARCH_COUNT_WINDOW
    return first_in_window("search", client, get_language(), query.casefold(), window=window) and within_limit(
        "search-client", client, limit=settings.SEARCH_COUNTS_PER_CLIENT, window=window
    )


def pages_in(locale, chosen_type=""):
    pages = public(Page.objects.live()).filter(locale=locale)
    if chosen_type:
        pages = pages.type(TYPES[chosen_type])
    return pages


def search_url(language_code, query, chosen_type=""):
    """The search page in `language_code` (its own path: /sok/, /en/search/ …) for `query`."""
    with translation.override(language_code):
        path = reverse("search")
    parameters = {"q": query}
    if chosen_type:
        parameters["typ"] = chosen_type
    return f"{path}?{urlencode(parameters)}"


def type_label(page):
    for page_class in type(page).__mro__:
        if page_class in TYPE_LABELS:
            return TYPE_LABELS[page_class]
    return PAGE_LABEL


def coworking_spaces(query, locale):
    """The best few spaces, each with `url`: its card on the coworking listing
    of this language (or of the Swedish site where this one has none)."""
    spaces = list(CoworkingSpace.objects.filter(locale=locale).search(query, operator="or")[:MAX_SPACES])
    if spaces:
        listings = public(CoworkingIndexPage.objects.live())
        listing = (
            listings.filter(locale=locale).first()
            or listings.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        )
        for space in spaces:
            space.url = f"{listing.url}#{space.anchor}" if listing else ""
    return spaces


def promotions(query, locale):
    """Editors' picks for this query, shown first, in the visitor's language."""
    picks = SearchPromotion.objects.filter(query__query_string=query).select_related("page").order_by("sort_order")
    pages = []
    for pick in picks:
        if pick.page_id:
            page = pick.page.get_translation_or_none(locale) or pick.page
            if page.live:
                pages.append(page.specific)
    return pages
