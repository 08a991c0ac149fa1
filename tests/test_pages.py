"""Every page type renders in Swedish and English, with working alternates."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page
from wagtail.rich_text import RichText

from home.models import ContentPage, MunicipalityPage

pytestmark = pytest.mark.django_db


def html_lang(response):
    return re.search(r'<html lang="([^"]+)" dir="([^"]+)"', response.content.decode()).groups()


@pytest.mark.parametrize(
    ("path", "language", "text"),
    [
        ("/", "sv", "Ta steget till Jämtland Härjedalen"),
        ("/en/", "en", "Take the step to Jämtland Härjedalen"),
        ("/om-ta-steget/", "sv", "länets gemensamma inflyttarportal"),
        ("/en/about/", "en", "the county&#x27;s shared portal"),
        ("/are/", "sv", "Flyttvägledare i Åre kommun"),
        ("/en/are/", "en", "Moving advisers in Åre Municipality"),
        ("/region/", "sv", "Region Jämtland Härjedalen"),
        ("/en/region/", "en", "Not sure where in the county"),
    ],
)
def test_each_page_type_renders_in_its_language(client, path, language, text):
    response = client.get(path)
    assert response.status_code == 200
    assert html_lang(response) == (language, "ltr")
    assert text in response.content.decode()


def test_home_page_calls_visitors_to_register(client, page_by_slug):
    body = client.get("/en/").content.decode()
    guidance = page_by_slug("moving-guidance", "en")
    assert f'href="{guidance.url}"' in body
    assert "Register for moving guidance" in body


def test_municipality_page_lists_its_advisers_in_every_language(client):
    for path in ("/are/", "/en/are/"):
        body = client.get(path).content.decode()
        assert "Sara Lind" in body and "Oskar Ek" in body
        assert "Karin Olsson" not in body  # Berg's adviser


def test_translated_page_has_hreflang_both_ways_and_switcher_links(client):
    sv = client.get("/om-ta-steget/").content.decode()
    en = client.get("/en/about/").content.decode()
    for body in (sv, en):
        assert '<link rel="alternate" hreflang="sv" href="http://testserver/om-ta-steget/">' in body
        assert '<link rel="alternate" hreflang="en" href="http://testserver/en/about/">' in body
        assert '<link rel="alternate" hreflang="x-default" href="http://testserver/om-ta-steget/">' in body
    assert '<a href="/en/about/" hreflang="en" lang="en">English</a>' in sv
    assert '<a href="/om-ta-steget/" hreflang="sv" lang="sv">Svenska</a>' in en
    assert 'aria-current="true" lang="sv">Svenska' in sv


def test_untranslated_page_offers_the_other_languages_home_and_no_false_alternate(client, home):
    page = ContentPage(title="Bara på svenska", slug="bara-svenska", intro="Inte översatt än.")
    home.add_child(instance=page)
    page.save_revision().publish()
    body = client.get("/bara-svenska/").content.decode()
    assert 'hreflang="en" href="http://testserver' not in body
    assert '<a href="/en/" hreflang="en" lang="en" title="' in body


def test_unknown_page_gets_the_designed_404_in_the_visitors_language(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We cannot find that page" in body
    assert 'class="skip-link"' in body
    assert "Traceback" not in body
    sv = client.get("/finns-inte/").content.decode()
    assert "Vi hittar inte sidan" in sv


def test_render_query_count_does_not_grow_with_the_number_of_pages(client, home, page_by_slug, uncached):
    def count(path):
        client.get(path)  # warm caches (site root paths) as in production
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def add_pages(parent, number):
        for index in range(number):
            page = ContentPage(title=f"Extra {parent.slug} {index}", slug=f"extra-{parent.pk}-{index}")
            page.body = [("paragraph", RichText("<p>Text</p>"))]
            parent.add_child(instance=page)
            page.save_revision().publish()
            parent.refresh_from_db()

    are = page_by_slug("are")
    before = {"/": count("/"), "/are/": count("/are/")}
    add_pages(home, 15)
    add_pages(are, 15)
    after = {"/": count("/"), "/are/": count("/are/")}
    assert after == before
    # The home page shows the whole offer (menu sections, municipalities,
    # stories, magazine, ambassadors, featured pages): a fixed cost, guarded
    # against growth with content in tests/test_page_queries.py.
    assert max(after.values()) <= 70, after


def test_every_page_type_declares_its_parents_and_children():
    from home.models import GuideIndexPage, GuidePage, HomePage

    for model in (HomePage, ContentPage, MunicipalityPage, GuideIndexPage, GuidePage):
        assert "parent_page_types" in model.__dict__ and "subpage_types" in model.__dict__, model
    municipality_pages = Page.objects.type(MunicipalityPage)
    assert municipality_pages.filter(alias_of__isnull=True).count() == 18  # 9 places × sv, en
    # German and Arabic hold an alias of each until an editor translates it.
    assert municipality_pages.filter(alias_of__isnull=False).count() == 18


def test_images_are_served_as_renditions_with_srcset_in_modern_formats(client):
    body = client.get("/").content.decode()
    picture = re.search(r"<picture>.*?</picture>", body, re.S).group(0)
    assert 'type="image/webp"' in picture
    assert re.search(r'srcset="[^"]+ 480w, [^"]+ 960w, [^"]+ 1440w"', picture)
    assert 'alt="Fjällandskap i kvällsljus med en sjö i förgrunden."' in picture


def test_municipality_page_links_to_the_form_with_the_municipality_chosen(client):
    body = client.get("/en/are/").content.decode()
    assert 'href="/en/register/?kommun=are"' in body
    form = client.get("/en/register/?kommun=are").content.decode()
    assert '<option value="are" selected>' in form
