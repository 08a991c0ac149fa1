"""Site search: language, accents, types, promotions, statistics, hostile queries."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Page

from search.models import MissedQuery
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db


def result_titles(body):
    block = re.search(r'<ul class="search-results" aria-labelledby="results-title">(.*?)</ul>', body, re.S)
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', block.group(1)) if block else []


def test_search_finds_content_in_the_visitors_language(client):
    en = client.get("/en/search/", {"q": "bakery"}).content.decode()
    assert "The bakery that woke the village" in result_titles(en)
    sv = client.get("/sok/", {"q": "bageriet"}).content.decode()
    assert "Bageriet som väckte byn" in result_titles(sv)
    assert all("bakery" not in title for title in result_titles(sv))


@pytest.mark.parametrize("query", ["ostersund", "Östersund", "OSTERSUND"])
def test_search_ignores_swedish_diacritics(client, query):
    titles = result_titles(client.get("/sok/", {"q": query}).content.decode())
    assert titles[0] == "Östersunds kommun"


def test_type_filter_limits_results(client):
    titles = result_titles(client.get("/en/search/", {"q": "ostersund", "typ": "kommuner"}).content.decode())
    assert titles[0] == "Östersund Municipality"
    assert all(title.endswith("Municipality") or title == "The municipalities" for title in titles)


def test_coworking_spaces_are_found(client):
    body = client.get("/en/search/", {"q": "cowork"}).content.decode()
    assert re.search(r'<a href="/en/coworking/#space-[0-9a-f-]+">Storsjö Cowork</a>, Östersund', body)


def test_promotions_come_first_and_queries_are_counted(client):
    about = Page.objects.get(slug="om-ta-steget", locale__language_code="sv")
    SearchPromotion.objects.create(query=Query.get("flytta"), page=about, sort_order=0)
    body = client.get("/en/search/", {"q": "flytta"}).content.decode()
    promoted = re.search(r"search-results--promoted.*?</ul>", body, re.S).group(0)
    assert "About Take the step" in promoted  # the promoted page, in English
    assert Query.get("flytta").hits == 0  # counted by the worker, not while the visitor waits
    run_worker()
    assert Query.get("flytta").hits == 1


def test_searches_without_results_are_listed_for_editors(client, admin_client):
    client.get("/en/search/", {"q": "zebrafinkar"})
    client.get("/en/search/", {"q": "zebrafinkar"}, REMOTE_ADDR="198.51.100.4")  # another visitor
    run_worker()
    missed = MissedQuery.objects.get(query_string="zebrafinkar")
    assert missed.hits == 2 and missed.language == "en"
    assert "zebrafinkar" in admin_client.get("/admin/missed_queries/").content.decode()


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!???...", "'; DROP TABLE wagtailcore_page; --", "<script>alert(1)</script>", "x" * 10000, "\x00"],
)
def test_hostile_or_empty_queries_get_a_normal_page(client, query):
    response = client.get("/en/search/", {"q": query})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert Page.objects.filter(slug="om-ta-steget").exists()


def test_search_pagination_survives_bad_page_numbers(client):
    for page in ("abc", "999", "-1"):
        assert client.get("/en/search/", {"q": "municipality", "sida": page}).status_code == 200


@pytest.mark.parametrize("query", ["anna.berg@example.org", "070-123 45 67", "19800101-1234"])
def test_a_search_for_an_address_or_number_is_not_kept_as_a_missed_search(client, query):
    client.get("/sok/", {"q": query})
    client.get("/sok/", {"q": "zebrafinkar"})  # the control: an ordinary miss is kept
    run_worker()
    assert list(MissedQuery.objects.values_list("query_string", flat=True)) == ["zebrafinkar"]


def test_missed_searches_are_pruned_after_their_retention(client, settings):
    settings.MISSED_SEARCH_RETENTION_DAYS = 90
    MissedQuery.record("gammal", "sv")
    MissedQuery.record("färsk", "sv")
    old = timezone.now() - datetime.timedelta(days=91)
    MissedQuery.objects.filter(query_string="gammal").update(last_searched=old)
    for _ in range(2):  # twice: the second run finds nothing more to delete
        call_command("housekeeping")
    assert list(MissedQuery.objects.values_list("query_string", flat=True)) == ["färsk"]


def status_region(body):
    """The part of the page announced to screen readers (aria-live)."""
    return re.search(r'<div class="search-status" aria-live="polite">(.*?)\n  </div>\n', body, re.S).group(1)


def test_a_misspelt_query_gets_a_did_you_mean_link_to_the_right_spelling(client):
    body = client.get("/sok/", {"q": "östersnd"}).content.decode()
    region = status_region(body)
    assert '<a href="/sok/?q=%C3%96stersund">Östersund</a>?' in region
    assert result_titles(client.get("/sok/?q=%C3%96stersund").content.decode())[0] == "Östersunds kommun"
    english = status_region(client.get("/en/search/", {"q": "ostersnd", "typ": "kommuner"}).content.decode())
    assert 'href="/en/search/?q=%C3%96stersund&amp;typ=kommuner">Östersund</a>' in english


@pytest.mark.parametrize("query", ["zebrafinkar", "ostersund"])
def test_no_suggestion_when_nothing_is_closer_or_the_query_is_right(client, query):
    assert "search-suggestion" not in client.get("/sok/", {"q": query}).content.decode()


def test_a_search_without_hits_says_which_other_languages_have_some(client):
    region = status_region(client.get("/en/search/", {"q": "bageriet"}).content.decode())
    hints = re.search(r'<div class="search-languages">.*?</div>', region, re.S).group(0)
    assert '<a href="/sok/?q=bageriet" hreflang="sv"><span lang="sv" dir="ltr">Svenska</span></a> (1 result)' in hints
    assert 'hreflang="en"' not in hints  # not the language searched
    # A hit in the visitor's language: no hint.
    assert "search-languages" not in client.get("/sok/", {"q": "bageriet"}).content.decode()
    assert "search-languages" not in client.get("/en/search/", {"q": "zebrafinkar"}).content.decode()


def test_each_result_says_what_it_is(client):
    body = client.get("/en/search/", {"q": "ostersund"}).content.decode()
    labels = dict(re.findall(r'<a href="[^"]+">([^<]+)</a> <span class="tag" lang="en">([^<]+)</span>', body))
    assert labels["Östersund Municipality"] == "Municipality"
    story = client.get("/en/search/", {"q": "bakery"}).content.decode()
    assert re.search(r'>The bakery that woke the village</a> <span class="tag" lang="en">Story</span>', story)
    assert re.search(
        r'Storsjö Cowork</a>, Östersund – [^<]+<span class="tag">Coworking space</span>',
        client.get("/en/search/", {"q": "cowork"}).content.decode(),
    )


def test_a_coworking_result_leads_to_its_card_on_the_listing(client):
    body = client.get("/en/search/", {"q": "cowork"}).content.decode()
    href = re.search(r'<a href="(/en/coworking/#space-[0-9a-f-]+)">Storsjö Cowork</a>', body).group(1)
    path, anchor = href.split("#")
    assert f'<li class="card coworking" id="{anchor}">' in client.get(path).content.decode()


def test_results_are_paged_without_repeats_titles_first(client):
    from tests.test_page_queries import add_stories

    add_stories(25)
    call_command("update_index", verbosity=0)
    pages = [result_titles(client.get("/sok/", {"q": "berättelse", "sida": n}).content.decode()) for n in (1, 2, 3)]
    seen = [title for page in pages for title in page]
    # The index and the 25 stories (PostgreSQL's stemmer finds one page more).
    assert [len(page) for page in pages[:2]] == [10, 10] and len(pages[2]) >= 6
    assert len(seen) == len(set(seen))
    # The stories index and the 25 stories, titled with the word, come before
    # pages that only mention it; the shortest title first.
    assert seen[0] == "Berättelser"
    assert set(seen[1:26]) == {f"Berättelse {n}" for n in range(25)}


@pytest.mark.parametrize("path", ["/sok/", "/en/search/", "/de/suche/", "/ar/search/"])
def test_the_search_page_has_an_address_in_each_language(client, path):
    body = client.get(path, {"q": "ostersund"}).content.decode()
    assert f'<form method="get" action="{path}" role="search"' in body


def test_the_language_switcher_keeps_the_search_in_the_other_languages_address(client):
    body = client.get("/sok/", {"q": "fjall"}).content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', body, re.S).group(0)
    assert 'href="/en/search/?q=fjall"' in switcher and 'href="/de/suche/?q=fjall"' in switcher
    english = client.get("/en/search/", {"q": "fjall"}).content.decode()
    assert 'href="/sok/?q=fjall"' in re.search(r'<nav class="language-switcher".*?</nav>', english, re.S).group(0)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/en/sok/?q=fjall&typ=kommuner", "/en/search/?q=fjall&typ=kommuner"),
        ("/de/sok/", "/de/suche/"),
        ("/en/nyhetsbrev/bekrafta/abc123/", "/en/newsletter/confirm/abc123/"),
        ("/en/nyhetsbrev/avsluta/abc123/", "/en/newsletter/unsubscribe/abc123/"),
        ("/en/embed/are/tack/", "/en/embed/are/thanks/"),
        ("/en/nyhetsbrev/installningar/", "/en/newsletter/preferences/"),
        ("/de/nyhetsbrev/installningar/abc123/", "/de/newsletter/einstellungen/abc123/"),
    ],
)
def test_swedish_addresses_under_another_language_move_permanently(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
