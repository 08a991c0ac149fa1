"""The international house: guides with checklists in every configured
language, an employer section, and a clear fallback for pages that are not
translated into the visitor's language."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, streamfield

from home.models import ContentPage, GuideIndexPage, GuidePage

pytestmark = pytest.mark.django_db

ARABIC_NOTICE = "هذه الصفحة غير متوفرة بلغتك بعد"


def html_tag(body):
    return re.search(r"<html[^>]*>", body).group(0)


def newcomer_guide(language):
    return GuidePage.objects.get(slug__in=["dina-forsta-veckor", "first-weeks"], locale__language_code=language)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_guide_is_translated_and_renders_in_every_configured_language(client, language):
    guide = newcomer_guide(language)
    assert guide.alias_of_id is None
    response = client.get(guide.url)
    body = response.content.decode()
    assert response.status_code == 200
    direction = "rtl" if language == "ar" else "ltr"
    assert html_tag(body) == f'<html lang="{language}" dir="{direction}">'
    assert f"<h1>{guide.title}</h1>" in body
    # Every language is a real translation, so each is an hreflang alternate.
    for code, _name in settings.LANGUAGES:
        assert f'hreflang="{code}"' in body
    assert ARABIC_NOTICE not in body and 'name="robots"' not in body


def test_the_checklist_is_a_list_of_labelled_checkboxes_and_sends_nothing(client):
    guide = newcomer_guide("sv")
    body = client.get(guide.url).content.decode()
    checklist = re.search(r'<section class="checklist".*?</section>', body, re.S).group(0)
    boxes = re.findall(r'<input type="checkbox" id="(step-[^"]+)"', checklist)
    assert len(boxes) == 6
    for box in boxes:
        assert f'<label for="{box}">' in checklist
    assert "Folkbokför dig hos Skatteverket" in checklist
    assert 'href="https://www.skatteverket.se/"' in checklist
    # Ticks stay in the browser: no form, nothing posted, the script is the site's own.
    assert "<form" not in checklist and "name=" not in checklist
    assert re.search(r'<script src="/static/js/checklist\.js[^"]*" defer', body)
    assert client.get("/static/js/checklist.js").status_code == 200


def test_the_index_lists_guides_and_the_employer_section(client, page_by_slug):
    index = page_by_slug("internationellt-hus")
    body = client.get(index.url).content.decode()
    assert "Dina första veckor i Sverige" in body
    employers = page_by_slug("for-arbetsgivare")
    assert f'href="{employers.url}"' in body
    employer_body = client.get(employers.url).content.decode()
    assert "Anställa någon från ett annat land" in employer_body
    english = client.get(page_by_slug("hiring-from-abroad", "en").url).content.decode()
    assert "Apply for a work permit" in english and '<html lang="en"' in english


def test_an_untranslated_page_is_shown_in_its_own_language_with_a_notice_in_the_visitors(client, page_by_slug):
    swedish = page_by_slug("flyttvagledning")
    alias = swedish.get_translation(swedish.locale.__class__.objects.get(language_code="ar"))
    assert alias.alias_of_id == swedish.pk
    response = client.get(alias.url)
    body = response.content.decode()
    assert response.status_code == 200
    assert alias.url.startswith("/ar/")
    # The page is Swedish, and says so; the notice is Arabic, and says so.
    assert html_tag(body) == '<html lang="sv" dir="ltr">'
    assert response["Content-Language"] == "sv"
    notice = re.search(r'<section class="notice language-fallback"[^>]*>.*?</section>', body, re.S).group(0)
    assert 'lang="ar" dir="rtl"' in notice
    assert ARABIC_NOTICE in notice
    assert f'href="{swedish.url}"' in notice
    assert 'href="/en/moving-guidance/"' in notice
    assert '<meta name="robots" content="noindex">' in body
    # The visitor's choice stays visible in the switcher; no hreflang points at the alias.
    assert re.search(r'aria-current="true" lang="ar"', body)
    assert 'rel="alternate" hreflang="ar"' not in body


def test_the_notice_in_german(client, page_by_slug):
    swedish = page_by_slug("om-ta-steget")
    body = client.get("/de" + swedish.url).content.decode()
    assert "Diese Seite gibt es noch nicht in Ihrer Sprache" in body
    assert "Sie wird unten auf Schwedisch angezeigt." in body


def test_a_translated_page_links_to_the_alias_only_from_the_switcher(client, page_by_slug):
    body = client.get(page_by_slug("moving-guidance", "en").url).content.decode()
    assert 'rel="alternate" hreflang="de"' not in body
    assert 'href="/de/flyttvagledning/" hreflang="de"' in body


def test_a_page_an_editor_creates_appears_at_once_in_every_locale(admin_client, home, client):
    url = reverse("wagtailadmin_pages:add", args=("home", "contentpage", home.pk))
    data = nested_form_data(
        {
            "title": "Midnattssol",
            "slug": "midnattssol",
            "intro": "Ljusa nätter i juni.",
            "body": streamfield([]),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = ContentPage.objects.get(slug="midnattssol", locale__language_code="sv")
    for code in ("de", "ar"):
        alias = Page.objects.get(translation_key=page.translation_key, locale__language_code=code)
        assert alias.alias_of_id == page.pk
        body = client.get(alias.url).content.decode()
        assert "Ljusa nätter i juni." in body
        assert 'class="notice language-fallback"' in body


def test_right_to_left_pages_load_the_sites_own_arabic_font(client):
    css = b"".join(client.get("/static/css/site.css").streaming_content).decode()
    assert 'url("../fonts/noto-sans-arabic-arabic-400-normal.woff2")' in css
    assert ":lang(ar)" in css
    font = client.get("/static/fonts/noto-sans-arabic-arabic-400-normal.woff2")
    assert font.status_code == 200
    assert b"".join(font.streaming_content)[:4] == b"wOF2"
    # Layout mirrors through logical properties only.
    assert not re.search(r"(margin|padding|border)-(left|right)|\bleft:|\bright:|float:", css)


def test_guide_pages_and_the_checklist_block_are_previewable_and_explained(admin_client, page_by_slug):
    for page in (newcomer_guide("ar"), page_by_slug("internationellt-hus")):
        response = page.specific.make_preview_request()
        assert response.status_code == 200
    for model in (GuideIndexPage, GuidePage):
        for name in ("intro", "body"):
            assert model._meta.get_field(name).help_text, (model, name)
    checklist = GuidePage._meta.get_field("body").stream_block.child_blocks["checklist"]
    assert checklist.meta.description and checklist.meta.preview_value
    response = admin_client.get(reverse("wagtailadmin_block_preview"), {"id": checklist.definition_prefix})
    assert response.status_code == 200
    assert "Folkbokför dig hos Skatteverket" in response.content.decode()


def test_the_sitemap_lists_every_translation_and_no_alias(client):
    body = client.get("/sitemap.xml").content.decode()
    assert "/en/moving-guidance/</loc>" in body
    assert "/ar/international-house/first-weeks/</loc>" in body
    assert "/de/international-house/first-weeks/</loc>" in body
    assert "/flyttvagledning/</loc>" in body
    assert "/ar/flyttvagledning/" not in body and "/de/flyttvagledning/" not in body


def test_search_results_not_in_the_visitors_language_are_marked_with_their_own(client):
    call_command("update_index", verbosity=0)
    body = client.get("/ar/search/", {"q": "kommun"}).content.decode()
    results = body[body.index('class="search-results"') :]
    assert re.search(r'<li lang="sv" dir="ltr"><a href="/ar/[^"]+">[^<]*kommun', results)
    arabic = client.get("/ar/search/", {"q": "السويد"}).content.decode()
    found = arabic[arabic.index('class="search-results"') :]
    assert re.search(r'<li><a href="/ar/international-house/first-weeks/">أسابيعك الأولى في السويد</a>', found)


def test_an_editor_translates_an_alias_into_arabic_and_the_notice_goes(
    admin_client, page_by_slug, locales, django_capture_on_commit_callbacks, client
):
    from urllib.parse import urlencode

    from wagtail_localize.models import StringSegment, Translation

    swedish = page_by_slug("tillganglighet")
    alias = swedish.get_translation(locales["ar"])
    assert alias.alias_of_id == swedish.pk
    response = admin_client.post(
        reverse("wagtail_localize:submit_page_translation", args=[swedish.pk]), {"locales": [locales["ar"].pk]}
    )
    assert response.status_code == 302
    translation = Translation.objects.get(source__object_id=swedish.translation_key, target_locale=locales["ar"])
    draft = swedish.get_translation(locales["ar"])
    assert draft.pk == alias.pk and draft.alias_of_id is None  # the alias became the translation
    # Begun, not yet translated: still the Swedish text, so still shown as Swedish with the notice.
    waiting = client.get(alias.url).content.decode()
    assert html_tag(waiting) == '<html lang="sv" dir="ltr">' and "language-fallback" in waiting
    assert 'rel="alternate" hreflang="ar"' not in waiting
    assert alias.url not in client.get("/sitemap.xml").content.decode()
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string"):
        response = admin_client.put(
            reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
            data=urlencode({"value": "إمكانية الوصول " + segment.string.data[:20]}),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in {200, 201}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[draft.pk]), {"action": "publish"})
    assert response.status_code == 302
    arabic = Page.objects.get(pk=draft.pk)
    body = client.get(arabic.url).content.decode()
    assert html_tag(body) == '<html lang="ar" dir="rtl">'
    assert "<h1>إمكانية الوصول" in body
    assert "language-fallback" not in body and 'name="robots"' not in body
    assert 'rel="alternate" hreflang="ar"' in body
    assert arabic.url in client.get("/sitemap.xml").content.decode()


def test_section_query_count_stays_fixed_as_guides_grow(client, page_by_slug, uncached):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    index = page_by_slug("internationellt-hus")

    def count():
        client.get(index.url)  # warm caches (site root paths, settings)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(index.url).status_code == 200
        return len(queries)

    def add_guides(start, number):
        for position in range(start, start + number):
            guide = GuidePage(title=f"Guide {position}", slug=f"guide-{position}", intro="Steg för steg.")
            index.add_child(instance=guide)
            guide.save_revision().publish()
            index.refresh_from_db()

    add_guides(0, 2)
    few = count()
    add_guides(2, 28)
    many = count()
    body = client.get(index.url).content.decode()
    assert body.count('<li class="card">') == 31  # the demo guide and 30 more
    assert many == few, (few, many)


def test_untranslated_pages_listed_on_an_arabic_page_are_marked_swedish(client):
    body = client.get("/ar/").content.decode()
    # A menu section whose page is untranslated: marked once, on the section.
    assert re.search(
        r'<li class="main-nav__item main-nav__item--section" lang="sv" dir="ltr">\s*'
        r'<details class="main-nav__section">\s*<summary>Flyttvägledning</summary>',
        body,
    )
    assert re.search(r'<li><a href="/ar/international-house/"[^>]*>البيت الدولي</a>', body)
    section = client.get("/ar/international-house/").content.decode()
    assert re.search(
        r'<section class="guide-section" lang="sv" dir="ltr"[^>]*>\s*<h2[^>]*><a[^>]*>För arbetsgivare', section
    )
    assert re.search(r'<li class="card">\s*<h3 class="card__title"><a[^>]*>أسابيعك الأولى', section)
    # On Swedish pages nothing needs marking.
    assert ' lang="sv" dir="ltr"' not in client.get("/").content.decode().split("<main", 1)[0].split("<body", 1)[1]


def test_a_missing_item_under_a_fallback_page_gets_a_404_in_the_visitors_language(client):
    response = client.get("/ar/ambassadorer/99999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert html_tag(body) == '<html lang="ar" dir="rtl">'
    assert "لم نتمكن من العثور على هذه الصفحة" in body and "language-fallback" not in body


def test_the_notice_is_in_english_for_a_language_the_site_has_no_texts_for(rf):
    from home.templatetags.tasteget_tags import has_catalogue, notice_language

    request = rf.get("/uk/")
    request.requested_language = "uk"
    assert not has_catalogue("uk") and has_catalogue("ar")
    assert notice_language({"request": request}) == "en"
    request.requested_language = "ar"
    assert notice_language({"request": request}) == "ar"


def test_the_switcher_does_not_promise_a_home_page_when_it_links_to_the_alias(client):
    body = client.get("/flyttvagledning/").content.decode()
    link = re.search(r'<a href="/de/flyttvagledning/"[^>]*>', body).group(0)
    assert "title=" not in link
