"""The steps of the site search: ranking in the database, suggestions for
typing errors, and hits in the site's other languages.

Ranking (docs/performance.md, "Search"): one queryset the database sorts
and pages, not a list sorted in Python. A page is a hit when the full-text
search finds it, or when a word of the query begins a word of its title
("ostersund" → "Östersunds kommun"); pages whose title holds more of the
query's words come first, shorter titles before longer ones, then the
search backend's own relevance (title boosts, stemming, accents folded).
"""

import difflib
import re

from anyascii import anyascii
from django.conf import settings
from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Length
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page

from places.models import Municipality
from tasteget.restrictions import public

# Each word of the query is looked up as a title prefix; more words count as one phrase.
MAX_TITLE_WORDS = 5
# Suggestions: title words at most this unlike the query's word (difflib's ratio).
SUGGESTION_CUTOFF = 0.75
# Titles compared on SQLite (PostgreSQL asks pg_trgm for the closest ones).
MAX_FALLBACK_TITLES = 2000
# Titles pg_trgm hands over, and how alike (word_similarity) they must be.
MAX_TRIGRAM_TITLES = 20
TRIGRAM_THRESHOLD = 0.3
# Fewer hits than this and the search looks for a better spelling.
FEW_HITS = 3


def fold(text):
    """Lower case without diacritics: "Östersund" → "ostersund"."""
    return anyascii(text).lower()


def full_text_hits(pages, query):
    return pages.search(query, operator="or").annotate_score("text_score").get_queryset()


def title_prefix_hits(pages, query):
    return pages.autocomplete(query, operator="or", order_by_relevance=False).get_queryset().values("pk")


def matching(pages, query):
    """`pages` found by the full-text search or by a title prefix, unordered."""
    return pages.filter(Q(pk__in=full_text_hits(pages, query).values("pk")) | Q(pk__in=title_prefix_hits(pages, query)))


def ranked(pages, query):
    """`pages` that match `query`, best first, as one queryset (see the module)."""
    text_hits = full_text_hits(pages, query)
    words = query.split()[:MAX_TITLE_WORDS]
    title_hits = [title_prefix_hits(pages, word) for word in dict.fromkeys(words)]
    in_title = sum(
        (Case(When(pk__in=ids, then=Value(1)), default=Value(0), output_field=IntegerField()) for ids in title_hits),
        Value(0, output_field=IntegerField()),
    )
    score = relevance(pages, query) or Subquery(text_hits.filter(pk=OuterRef("pk")).values("text_score")[:1])
    return (
        pages.filter(Q(pk__in=text_hits.values("pk")) | Q(pk__in=title_prefix_hits(pages, query)))
        .annotate(
            in_title=in_title,
            title_length=Case(When(in_title__gt=0, then=Length("title")), default=Value(0)),
            text_score=score,
        )
        .order_by(F("in_title").desc(), "title_length", best_relevance_first("text_score"), "-pk")
    )


def relevance(pages, query):
    """On PostgreSQL, the backend's own ts_rank expression (title boost, the
    locale's configuration) over each page's index entry, joined once, so
    the database ranks every candidate in one pass instead of a subquery per
    row (docs/performance.md). None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    results = pages.search(query, operator="or")
    compiler = results.query_compiler
    config = compiler.get_config(results.backend)
    vectors = compiler.get_search_vectors(compiler.build_tsquery(compiler.query, config=config))
    return compiler._build_rank_expression(vectors, config)


def best_relevance_first(field):
    """SQLite's FTS5 bm25() is better the lower it is, PostgreSQL's ts_rank the
    higher; a page found only by its title has no score and comes after."""
    if connection.vendor == "sqlite":
        return F(field).asc(nulls_last=True)
    return F(field).desc(nulls_last=True)


def suggestion(query, locale):
    """The query with each word replaced by the closest word of a page title
    or municipality name in `locale`, or "" when nothing is closer than the
    query itself ("östersnd" → "Östersund")."""
    words = query.split()[:MAX_TITLE_WORDS]
    vocabulary = {}
    for text in candidate_texts(query, locale):
        for word in re.findall(r"\w{3,}", text):
            vocabulary.setdefault(fold(word), word)
    corrected = []
    for word in words:
        if fold(word) in vocabulary or len(word) < 3:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(fold(word), vocabulary, n=1, cutoff=SUGGESTION_CUTOFF)
        corrected.append(vocabulary[close[0]] if close else word)
    suggested = " ".join(corrected)
    return suggested if fold(suggested) != fold(" ".join(words)) else ""


def candidate_texts(query, locale):
    """Titles of live pages and names of municipalities in `locale` that may
    hold the right spelling: on PostgreSQL the ones pg_trgm finds most alike
    (accents folded on both sides), elsewhere a bounded list of them all."""
    pages = public(Page.objects.live()).filter(locale=locale)
    names = Municipality.objects.filter(locale=locale)
    if connection.vendor == "postgresql":

        def alike(queryset, field):
            return (
                queryset.annotate(similarity=TrigramWordSimilarity(Unaccent(Value(query)), Unaccent(F(field))))
                .filter(similarity__gte=TRIGRAM_THRESHOLD)
                .order_by("-similarity")
                .values_list(field, flat=True)[:MAX_TRIGRAM_TITLES]
            )

        return [*alike(pages, "title"), *alike(names, "name")]
    return [
        *pages.order_by("-first_published_at").values_list("title", flat=True)[:MAX_FALLBACK_TITLES],
        *names.values_list("name", flat=True),
    ]


def other_languages(query, locale, page_type=None):
    """For a search without hits: the site's other languages that have hits,
    each as {"code", "name", "direction", "count"}, in the order of LANGUAGES."""
    found = []
    locales = {}
    for code, _name in settings.LANGUAGES:
        try:
            locales[code] = Locale.objects.get_for_language(code)  # read once per process
        except Locale.DoesNotExist:
            continue
    others = [other.pk for other in locales.values() if other.pk != locale.pk]
    # One query for all of them: the matches counted per locale.
    pages = public(Page.objects.live()).filter(locale_id__in=others)
    if page_type is not None:
        pages = pages.type(page_type)
    counts = dict(
        matching(pages, query)
        .order_by()
        .values_list("locale_id")
        .annotate(count=Count("pk"))
        .values_list("locale_id", "count")
    )
    for code, other in locales.items():
        count = counts.get(other.pk) if other.pk != locale.pk else 0
        if count:
            info = get_language_info(code)
            found.append(
                {
                    "code": code,
                    "name": info["name_local"],
                    "direction": "rtl" if info["bidi"] else "ltr",
                    "count": count,
                }
            )
    return found
