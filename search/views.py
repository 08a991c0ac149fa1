"""Site search: pages and coworking spaces in the visitor's language."""

import hashlib
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
from wagtail.search.utils import normalise_query_string

from home.models import ContentPage, GuideIndexPage, GuidePage, HomePage, MunicipalityPage
from home.templatetags.tasteget_tags import lang_attrs
from magazine.models import MagazineIndexPage, MagazineIssuePage
from places.models import CoworkingIndexPage, CoworkingSpace
from stories.models import StoryIndexPage, StoryPage
from tasteget import pagecache
from tasteget.paging import page_of
from tasteget.restrictions import public
from tasteget.security import client_network_address, first_in_window, within_limit
from tasteget.translations import with_content_languages

from . import services
from .tasks import record_search

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 10
MAX_SPACES = 5
# Results of longer queries are not kept (tasteget/pagecache.py): rare, and a way to fill the cache.
MAX_KEPT_QUERY_LENGTH = 60
MAX_PAGE_NUMBER_LENGTH = 4
# Purged by home/purge.py whenever what the search finds may have changed.
SEARCH_TOPIC = "search"
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
    context = {
        "query": query,
        "chosen_type": chosen_type,
        "types": TYPES.keys(),
        "raw_query": request.GET.get("q", "")[:200],
    }
    if query:
        language = get_language()
        found = kept_results(request, query, chosen_type, language)
        context.update(
            results=found["results"],
            promoted=found["promoted"],
            spaces=found["spaces"],
            page_of_results=found["page_of_results"],
            total=found["total"],
            coworking_label=COWORKING_LABEL,
        )
        if found["suggestion"]:
            context["suggestion"] = {
                "query": found["suggestion"],
                "url": search_url(language, found["suggestion"], chosen_type),
            }
        context["other_languages"] = [
            {**hint, "url": search_url(hint["code"], query, chosen_type)} for hint in found["other_languages"]
        ]
        # Counted by the worker, kept results or not: the visitor does not wait for the statistics.
        if counts_search(request, query):
            record_search.enqueue(query, language, missed=found["missed"])
    return render(request, "search/search.html", context)


def normalised(query):
    """The query as the search treats it: lower case (as the full-text search,
    the title prefixes and Wagtail's promotions do), single spaces. Accents
    stay: "ost" and "öst" are different words in Swedish."""
    return " ".join(query.lower().split())


def page_number(request):
    """The results page asked for, as `page_of` reads it ("02" is 2; not a
    number is the first page), or None for a number too long to keep."""
    value = request.GET.get("sida", "1")
    if len(value) > MAX_PAGE_NUMBER_LENGTH:
        return None
    try:
        return int(value)
    except ValueError:
        return 1


def kept_results(request, query, chosen_type, language):
    """The results for an anonymous query, kept in the page cache
    (tasteget/pagecache.py) until any page is published, unpublished, moved
    or deleted, a coworking space, a municipality or a promotion is saved
    (home/purge.py purges the "search" topic), or the whole site is purged.
    The key is the language, the normalised query (hashed: bounded), the type
    and the page; a long query is searched afresh, and one client stores at
    most SEARCH_KEPT_PER_CLIENT new entries a window, so nobody can fill
    the cache with queries."""
    query = normalised(query)
    number = page_number(request)
    if not settings.PAGE_PARTS_ENABLED or len(query) > MAX_KEPT_QUERY_LENGTH or number is None:
        return results_for(request, query, chosen_type)
    digest = hashlib.sha256(f"{query}\n{chosen_type}\n{number}".encode()).hexdigest()[:32]
    return pagecache.site_wide(
        f"search:{language}:{digest}",
        lambda: results_for(request, query, chosen_type),
        topic=SEARCH_TOPIC,
        seconds=settings.SEARCH_RESULTS_SECONDS,
        may_store=lambda: within_limit(
            "search-kept",
            client_network_address(request),
            limit=settings.SEARCH_KEPT_PER_CLIENT,
            window=settings.SEARCH_COUNT_WINDOW,
        ),
    )


def results_for(request, query, chosen_type):
    """What the search page shows for `query`, as plain values that can be
    kept (no querysets or pages): the results, editors' picks, coworking
    spaces, the paging, a better spelling, the other languages with hits."""
    locale = Locale.get_active()
    pages = pages_in(locale, chosen_type)
    page_of_results = page_of(services.ranked(pages, query).specific(), request, RESULTS_PER_PAGE)
    spaces = [] if chosen_type else coworking_spaces(query, locale)
    promoted = promotions(query, locale)
    promoted_ids = {page.pk for page in promoted}
    found = with_content_languages(result for result in page_of_results.object_list if result.pk not in promoted_ids)
    hits = page_of_results.paginator.count + len(spaces)
    suggestion = services.suggestion(query, locale) if hits < services.FEW_HITS else ""
    other_languages = (
        services.other_languages(query, locale, TYPES.get(chosen_type)) if not hits and not promoted else []
    )
    return {
        "results": [
            {
                "url": result.get_url(request),
                "title": result.title,
                "lang_attrs": lang_attrs(result),
                "type_label": str(type_label(result)),
                "search_description": result.search_description,
                "intro": str(getattr(result, "intro", "") or ""),
            }
            for result in found
        ],
        "promoted": [
            {"url": page.get_url(request), "title": page.title, "search_description": page.search_description}
            for page in promoted
        ],
        "spaces": [
            {"url": space.url, "name": space.name, "place": space.place, "address": space.address} for space in spaces
        ],
        "page_of_results": {
            "number": page_of_results.number,
            "has_other_pages": page_of_results.has_other_pages(),
            "has_previous": page_of_results.has_previous(),
            "has_next": page_of_results.has_next(),
            "previous_page_number": page_of_results.number - 1,
            "next_page_number": page_of_results.number + 1,
            "paginator": {"num_pages": page_of_results.paginator.num_pages},
        },
        "total": hits,
        "suggestion": suggestion,
        "other_languages": other_languages,
        "missed": not hits and not promoted,
    }


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
    # Wagtail keeps a promoted query in lower case (its `Query.get`).
    picks = (
        SearchPromotion.objects.filter(query__query_string=normalise_query_string(query))
        .select_related("page")
        .order_by("sort_order")
    )
    pages = []
    for pick in picks:
        if pick.page_id:
            page = pick.page.get_translation_or_none(locale) or pick.page
            if page.live:
                pages.append(page.specific)
    return pages
