"""PostgreSQL full-text search: each language's own text search configuration
(search/backends.py, search/migrations/0002_text_search_configurations.py).

These tests run only on PostgreSQL (CI runs the suite on SQLite and on
PostgreSQL); tests/test_search.py covers the site search on both.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from wagtail.images.models import Image
from wagtail.models import Locale, Page
from wagtail.rich_text import RichText
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from home.models import ContentPage, HomePage, MunicipalityPage
from places.models import CoworkingSpace
from search.backends import LanguageQueryCompiler, SearchBackend, config_for_language
from tests.conftest import run_worker
from tests.test_search import result_titles

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search"),
]

# Each word below is in the body only, never in the title or the introduction
# (those are also indexed without diacritics on every backend).
PAGES = {
    "sv": ("Sommarliv i byn", "Vi bor på fäbodvallen norr om Östersund sedan några år."),
    "en": ("Summer life in the village", "We moved to a summer farm north of Östersund."),
    "de": ("Sommerleben im Dorf", "Wir wohnen für immer in den Bergen nördlich von Östersund."),
    "ar": ("الحياة في الصيف", "نعيش في الجبال شمال Östersund منذ سنوات."),
}


@pytest.fixture
def pages():
    """One page per language, published, and the whole index rebuilt (pages
    of all languages together in each chunk; one test runs the task worker
    that indexes a page after publishing instead)."""
    created = {}
    for language, (title, text) in PAGES.items():
        home = HomePage.objects.get(locale__language_code=language)
        page = ContentPage(title=title, slug=f"sommar-{language}", intro="")
        page.body = [("paragraph", RichText(f"<p>{text}</p>"))]
        home.add_child(instance=page)
        page.save_revision().publish()
        created[language] = page
    call_command("update_index", verbosity=0)
    return created


def lexemes(obj):
    """The stored tsvectors (body and title) of an object's index entry."""
    entry = IndexEntry.objects.get(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return str(entry.body) + " " + str(entry.title)


def search(language, query, operator="or", active_language=None):
    """Titles of the pages in `language` found for `query`, with the active
    language (as the site search has it) `language` unless given."""
    with translation.override(active_language or language):
        pages = Page.objects.live().filter(locale=Locale.objects.get(language_code=language))
        return {page.title for page in pages.search(query, operator=operator)[:200]}


def test_the_language_aware_backend_is_used():
    assert isinstance(get_search_backend(), SearchBackend)


def test_the_configurations_fold_accents_stem_and_drop_stop_words():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('tasteget_sv', %s), to_tsvector('tasteget_en', %s), to_tsvector('tasteget_simple', %s),"
            " to_tsvector('tasteget_de', %s)",
            [
                "Berättelser på Östersunds fäbodvallar, för och är",
                "Moving to the café",
                "Für Östersund",
                "Für die Bergen",
            ],
        )
        swedish, english, simple, german = cursor.fetchone()
    # "på", "för", "är" are Swedish stop words before and after folding.
    assert swedish == "'beratt':1 'fabodvall':4 'ostersund':3"
    assert english == "'cafe':4 'move':1"
    assert simple == "'fur':1 'ostersund':2"
    # "für" and "die" are German stop words before folding; "Bergen" is stemmed.
    assert german == "'berg':3"


def test_each_object_is_indexed_with_its_own_languages_configuration(pages):
    # As after publishing in the admin: the task worker indexes the pages.
    IndexEntry.objects.filter(object_id__in=[str(page.pk) for page in pages.values()]).delete()
    run_worker()
    swedish, english, german = lexemes(pages["sv"]), lexemes(pages["en"]), lexemes(pages["de"])
    arabic = lexemes(pages["ar"])
    # Swedish stemmer, accents folded, Swedish stop words dropped.
    assert "'fabodvall'" in swedish and "'ostersund'" in swedish
    assert "'fäbodvallen'" not in swedish and "'på'" not in swedish and "'pa'" not in swedish
    # English stemmer: "moved" is stored as "move", "farm" as "farm".
    assert "'move'" in english and "'moved'" not in english and "'ostersund'" in english
    # German stemmer, accents folded, German stop words dropped.
    assert "'berg'" in german and "'nordlich'" in german and "'ostersund'" in german
    assert "'fur'" not in german and "'wir'" not in german and "'bergen'" not in german
    # Arabic: PostgreSQL's Arabic stemmer ("الجبال", the mountains, is stored stemmed).
    assert "'ostersund'" in arabic and "'جبال'" in arabic
    assert "'الجبال'" not in arabic


def test_content_without_a_language_is_indexed_language_neutral():
    image = Image.objects.first()
    image.title = "Fjäll i kvällsljus"
    get_search_backend().add(image)
    # Accents folded; no stemming and no stop words ("i" is a Swedish one).
    assert lexemes(image).strip() == "'fjall':1A 'i':2A 'kvallsljus':3A"


def test_swedish_queries_find_other_inflections_with_or_without_accents(client, pages):
    for query in ["fäbodvallarna", "fäbodvallar", "fabodvallarna", "FÄBODVALLEN"]:
        assert result_titles(client.get("/sok/", {"q": query}).content.decode()) == ["Sommarliv i byn"], query
    assert search("sv", "fäbodvallarna", operator="and") == {"Sommarliv i byn"}


def test_english_queries_find_other_inflections(client, pages):
    assert "Summer life in the village" in search("en", "moving")
    assert "Summer life in the village" in search("en", "moves")
    titles = result_titles(client.get("/en/search/", {"q": "farming"}).content.decode())
    assert "Summer life in the village" in titles  # "farm" in the body
    assert "A farm and a new life" in titles  # a story with "farm" in the title


def test_accents_are_folded_in_body_text_not_only_in_titles(pages):
    assert "Sommarliv i byn" in search("sv", "ostersund")
    assert "Summer life in the village" in search("en", "ostersund")
    assert "Sommerleben im Dorf" in search("de", "ostersund")
    assert "Sommerleben im Dorf" in search("de", "Berg nordlich", operator="and")
    assert "الحياة في الصيف" in search("ar", "ostersund")
    assert "الحياة في الصيف" in search("ar", "جبال")


def test_queries_use_the_configuration_of_the_searched_locale_or_else_the_active_language(pages, locales):
    backend = get_search_backend()

    def config(queryset, language):
        with translation.override(language):
            return LanguageQueryCompiler(queryset, "x").get_config(backend)

    # Limited to one locale (as the site search is): that locale's language.
    assert config(Page.objects.live().public().filter(locale=locales["en"]), "sv") == "tasteget_en"
    assert config(ContentPage.objects.filter(locale_id=locales["sv"].pk), "en") == "tasteget_sv"
    assert config(CoworkingSpace.objects.filter(locale=locales["de"]), "sv") == "tasteget_de"
    # Not limited to one locale: the active language.
    assert config(Page.objects.all(), "sv") == "tasteget_sv"
    assert config(Page.objects.all(), "en") == "tasteget_en"
    assert config(Page.objects.filter(locale__in=[locales["en"]]), "sv") == "tasteget_sv"
    assert config(Page.objects.all(), "de") == "tasteget_de"
    assert config(Page.objects.all(), "ar") == "tasteget_ar"
    assert config_for_language("uk") == "tasteget_simple"
    # Models without a language: as they were indexed.
    assert config(Image.objects.all(), "sv") == config(Image.objects.all(), "en") == "tasteget_simple"
    assert config_for_language("en-gb") == "tasteget_en"
    assert config_for_language(None) == "tasteget_simple"

    # The English page is found through the English stemmer only.
    assert "Summer life in the village" in search("en", "moving", active_language="sv")
    with translation.override("en"):
        assert pages["en"].pk in {page.pk for page in Page.objects.live().search("moving", operator="or")}
    with translation.override("sv"):
        assert pages["en"].pk not in {page.pk for page in Page.objects.live().search("moving", operator="or")}


def test_swedish_plural_with_definite_article_finds_the_municipalities_first(client, pages):
    municipality_pages = MunicipalityPage.objects.live().filter(locale__language_code="sv")
    municipalities = {
        page.title for page in municipality_pages if page.title.endswith(" kommun")
    }  # not the region's page
    titles = result_titles(client.get("/sok/", {"q": "kommunerna"}).content.decode())
    # The Region's page is titled "Kommunerna" and comes first; the eight
    # municipalities follow, found by the Swedish stemmer ("kommun").
    titles = [title for title in titles if title != "Kommunerna"]
    assert len(municipalities) == 8 and set(titles[:8]) == municipalities, titles


@pytest.mark.parametrize(
    "query", ["'", "\\", "!", "a:*", "ost & !åre | (kommun)", "''; DROP TABLE x; --", "<->", "ö" * 300]
)
def test_tsquery_syntax_in_queries_is_only_text(pages, query):
    for language in ("sv", "en", "de", "ar"):
        search(language, query)
        search(language, query, operator="and")
        with translation.override(language):
            list(Page.objects.live().autocomplete(query)[:10])


def test_the_trigram_extension_is_installed_by_the_migrations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)


def test_spelling_suggestions_come_from_the_titles_most_alike_by_trigrams(client, locales):
    from search.services import candidate_texts, suggestion

    candidates = candidate_texts("ostersnd", locales["sv"])
    # pg_trgm hands over the titles and names that look alike, accents folded
    # on both sides; not every title of the locale (SQLite's fallback).
    assert "Östersunds kommun" in candidates and "Startade byrå i Östersund" in candidates
    assert "Om Ta steget" not in candidates
    assert suggestion("ostersnd", locales["sv"]) == "Östersund"
    assert suggestion("Östersnd kommn", locales["sv"]) == "Östersund kommun"
    body = client.get("/en/search/", {"q": "ostersnd"}).content.decode()
    assert 'Did you mean <a href="/en/search/?q=%C3%96stersund">Östersund</a>?' in body
