"""An editor translates a page with wagtail-localize in the admin and publishes it."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, Translation

from home.models import ContentPage, MunicipalityPage
from places.models import Municipality
from stories.models import StoryIndexPage, StoryTopic
from tests.factories import StoryPageFactory

pytestmark = pytest.mark.django_db

ENGLISH = {
    "Vintern i Jämtland": "Winter in Jämtland",
    "Snö från november till april.": "Snow from November to April.",
    "vintern-i-jamtland": "winter-in-jamtland",
}


def test_editor_translates_a_page_in_the_admin_and_it_is_served_in_english(
    admin_client, home, locales, django_capture_on_commit_callbacks
):
    page = ContentPage(title="Vintern i Jämtland", slug="vintern-i-jamtland", intro="Snö från november till april.")
    home.add_child(instance=page)
    page.save_revision().publish()

    # 1. Submit the page for translation into English.
    response = admin_client.post(
        reverse("wagtail_localize:submit_page_translation", args=[page.pk]), {"locales": [locales["en"].pk]}
    )
    assert response.status_code == 302
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=locales["en"])
    draft = page.get_translation(locales["en"])
    # Submitting starts a draft: the Swedish text is not published as English.
    assert not draft.live
    assert admin_client.get("/en/vintern-i-jamtland/").status_code == 404

    # 2. Translate every string in the translation editor.
    segments = StringSegment.objects.filter(source=translation.source).select_related("string")
    assert {segment.string.data for segment in segments} >= {"Vintern i Jämtland", "Snö från november till april."}
    for segment in segments:
        response = admin_client.put(
            reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk]),
            data=urlencode({"value": ENGLISH.get(segment.string.data, segment.string.data)}),
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in {200, 201}, response.content

    # 3. Publish from the translation editor.
    # wagtail-localize publishes after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("wagtailadmin_pages:edit", args=[draft.pk]), {"action": "publish"})
    assert response.status_code == 302

    english = Page.objects.get(pk=draft.pk)
    assert english.live and english.title == "Winter in Jämtland"
    url = english.url
    assert url.startswith("/en/")

    en_body = admin_client.get(url).content.decode()
    sv_body = admin_client.get(page.url).content.decode()
    assert "Snow from November to April." in en_body
    for body in (en_body, sv_body):
        assert f'hreflang="en" href="http://testserver{url}"' in body
        assert f'hreflang="sv" href="http://testserver{page.url}"' in body
    assert f'<a href="{url}" hreflang="en" lang="en">English</a>' in sv_body
    assert f'<a href="{page.url}" hreflang="sv" lang="sv">Svenska</a>' in en_body


def submit_translation(admin_client, page, *locales):
    response = admin_client.post(
        reverse("wagtail_localize:submit_page_translation", args=[page.pk]),
        {"locales": [locale.pk for locale in locales]},
    )
    assert response.status_code == 302


def test_a_translated_story_points_at_the_municipality_and_topics_in_its_own_language(admin_client, locales):
    german = Locale.objects.get(language_code="de")
    index = StoryIndexPage.objects.get(locale=locales["sv"])
    are = Municipality.objects.get(slug="are", locale=locales["sv"])
    nature, family = StoryTopic.objects.filter(locale=locales["sv"], slug__in=["natur", "familj"]).order_by("slug")
    story = StoryPageFactory(parent=index, municipality=are, slug="till-fjallet")
    story.topics = [nature, family]
    story.save_revision().publish()
    municipalities, topics = Municipality.objects.count(), StoryTopic.objects.count()

    submit_translation(admin_client, story, locales["en"], german)

    # No Swedish-named copies of the snippets in English or German.
    assert (Municipality.objects.count(), StoryTopic.objects.count()) == (municipalities, topics)
    english = story.get_translation(locales["en"]).specific
    assert english.municipality == are.get_translation(locales["en"])
    assert {topic.locale_id for topic in english.topics.all()} == {locales["en"].pk}
    assert {topic.translation_key for topic in english.topics.all()} == {nature.translation_key, family.translation_key}
    # No German municipality or topic exists: the Swedish ones stay chosen.
    deutsch = story.get_translation(german).specific
    assert deutsch.municipality == are
    assert set(deutsch.topics.all()) == {nature, family}


def test_a_translated_municipality_page_shows_its_municipality_in_its_own_language(admin_client, locales):
    german = Locale.objects.get(language_code="de")
    page = MunicipalityPage.objects.get(slug="are", locale=locales["sv"])
    english = page.get_translation(locales["en"]).specific
    english_are = Municipality.objects.get(slug="are", locale=locales["en"])
    assert english.municipality == english_are
    municipalities = Municipality.objects.count()
    # Re-submitting the translations (an editor updating them) creates no snippet either.
    admin_client.post(reverse("wagtail_localize:update_translations", args=[page.pk]), {"publish_translations": ""})
    submit_translation(admin_client, page, german)
    assert Municipality.objects.count() == municipalities
    assert page.get_translation(german).specific.municipality.locale_id in {locales["sv"].pk, german.pk}
    assert Municipality.objects.filter(locale=german).count() == 0
    html = admin_client.get(english.url).content.decode()
    assert english_are.name in html
