"""Site search: pages and coworking spaces in the visitor's language."""

import re

from anyascii import anyascii
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Locale, Page

from home.models import ContentPage, MunicipalityPage
from magazine.models import MagazineIssuePage
from places.models import CoworkingSpace
from stories.models import StoryPage
from tasteget.paging import page_of
from tasteget.translations import with_content_languages

from .models import MissedQuery

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 10
# A county site has hundreds of pages, not millions: rank the best 200 here.
MAX_RESULTS = 200
TYPES = {
    "berattelser": StoryPage,
    "kommuner": MunicipalityPage,
    "magasinet": MagazineIssuePage,
    "sidor": ContentPage,
}


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
        pages = Page.objects.live().public().filter(locale=locale)
        if chosen_type:
            pages = pages.type(TYPES[chosen_type])
        results = title_matches_first(matching(pages, query), query)
        page_of_results = page_of(results, request, RESULTS_PER_PAGE)
        spaces = (
            [] if chosen_type else list(CoworkingSpace.objects.filter(locale=locale).search(query, operator="or")[:5])
        )
        promoted = promotions(query, locale)
        promoted_ids = {page.pk for page in promoted}
        found = with_content_languages(
            result.specific for result in page_of_results.object_list if result.pk not in promoted_ids
        )
        total = page_of_results.paginator.count + len(spaces)
        context.update(
            results=found,
            promoted=promoted,
            spaces=spaces,
            page_of_results=page_of_results,
            total=total,
        )
        Query.get(query).add_hit()
        if not total and not promoted:
            MissedQuery.record(query, get_language())
    return render(request, "search/search.html", context)


def matching(pages, query):
    """Full-text matches plus title prefixes ("ostersund" → "Östersunds kommun")."""
    found = list(pages.search(query, operator="or")[:MAX_RESULTS])
    seen = {page.pk for page in found}
    for page in pages.autocomplete(query, operator="or")[:MAX_RESULTS]:
        if page.pk not in seen:
            found.append(page)
            seen.add(page.pk)
    return found


def title_matches_first(pages, query):
    """Pages whose title holds the query's words come first, the more of the
    title they make up the better (a stable sort, so the backend's ranking
    decides the rest). The database backend on SQLite does not rank by field
    boosts; this keeps results sensible on every backend. Accents are ignored
    and a word matches as a prefix, so "ostersund" matches "Östersunds"."""
    words = anyascii(query).lower().split()

    def score(page):
        title_words = re.findall(r"\w+", anyascii(page.title).lower())
        hits = sum(1 for word in words if any(title_word.startswith(word) for title_word in title_words))
        return (hits, hits / max(1, len(title_words)))

    return sorted(pages, key=score, reverse=True)


def promotions(query, locale):
    """Editors' picks for this query, shown first, in the visitor's language."""
    picks = Query.get(query).editors_picks.select_related("page").order_by("sort_order")
    pages = []
    for pick in picks:
        if pick.page_id:
            page = pick.page.get_translation_or_none(locale) or pick.page
            if page.live:
                pages.append(page.specific)
    return pages
