"""What a shared link and a search engine see: `og:` tags and a canonical
address on every public page, JSON-LD, hreflang alternates in the sitemap
(ambassador profiles included), and Atom entries with `updated` and an author."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from wagtail.models import Locale

from ambassadors.models import Ambassador
from home.sharing import json_ld
from stories.models import StoryIndexPage, StoryPage

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


class Head(HTMLParser):
    """The <meta property>, <link rel> and JSON-LD blocks of a page."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.json_ld, self._in_json = {}, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "property" in attrs:
            self.meta[attrs["property"]] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json = True
            self.json_ld.append("")

    def handle_data(self, data):
        if self._in_json:
            self.json_ld[-1] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json = False


def head_of(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    parser = Head()
    parser.feed(response.content.decode())
    return parser


def canonical(head):
    return [link["href"] for link in head.links if link.get("rel") == "canonical"]


def hreflangs(head):
    return {
        link["hreflang"]: link["href"] for link in head.links if link.get("rel") == "alternate" and "hreflang" in link
    }


def a_story(language="sv"):
    return StoryPage.objects.live().filter(locale__language_code=language, hero_image__isnull=False).first()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/are/",
        "/berattelser/",
        "/en/stories/",
        "/magasinet/",
        "/ambassadorer/",
        "/de/",
        "/ar/",
        "/en/search/",
    ],
)
def test_every_public_page_has_og_tags_and_a_canonical_address_of_its_own(client, path):
    head = head_of(client, path)
    assert canonical(head) == [ORIGIN + path]
    assert head.meta["og:url"] == ORIGIN + path
    assert head.meta["og:title"] and head.meta["og:description"]
    assert head.meta["og:image"].startswith(ORIGIN + "/")
    assert head.meta["og:type"] == "website"


def test_a_filtered_listing_is_canonical_without_its_filters(client):
    assert canonical(head_of(client, "/en/stories/?kommun=are")) == [ORIGIN + "/en/stories/"]


def test_a_page_with_a_hero_image_shares_its_rendition_and_one_without_the_sites_picture(client):
    story = a_story()
    head = head_of(client, story.url)
    assert re.fullmatch(ORIGIN + r"/media/images/.+\.format-jpeg\.fill-1440x810\.jpg", head.meta["og:image"])
    assert (head.meta["og:image:width"], head.meta["og:image:height"]) == ("1440", "810")
    plain = head_of(client, "/om-ta-steget/")
    assert plain.meta["og:image"] == ORIGIN + "/static/img/share.png"
    assert client.get("/static/img/share.png").status_code in {200, 404}  # served by whitenoise in production
    assert (plain.meta["og:image:width"], plain.meta["og:image:height"]) == ("1200", "630")


def test_a_story_is_an_article_in_json_ld(client):
    story = a_story("en")
    head = head_of(client, story.url)
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == (story.seo_title or story.title)
    assert head.meta["og:description"] == story.intro or story.intro.startswith(head.meta["og:description"][:40])
    [data] = [json.loads(block) for block in head.json_ld]
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["headline"] == story.title
    assert data["datePublished"] == story.date.isoformat()
    assert data["dateModified"].startswith(story.last_published_at.date().isoformat())
    assert data["author"]["@type"] == data["publisher"]["@type"] == "Organization"
    assert data["image"] == [head.meta["og:image"]]
    assert data["mainEntityOfPage"] == ORIGIN + story.url
    assert data["inLanguage"] == "en"


def test_the_home_page_describes_the_organisation_and_other_pages_have_no_json_ld(client):
    [data] = [json.loads(block) for block in head_of(client, "/").json_ld]
    assert (data["@type"], data["name"], data["url"]) == ("Organization", "Ta steget", ORIGIN + "/")
    assert head_of(client, "/om-ta-steget/").json_ld == []


def test_json_ld_cannot_close_its_script_block_and_needs_no_inline_script_permission(client):
    text = json_ld({"headline": "</script><script>alert(1)</script> & <!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"headline": "</script><script>alert(1)</script> & <!--"}
    # A data block is never run, so the strict policy stays as it is and needs no nonce for it.
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert '<script type="application/ld+json">{' in response.content.decode()


def test_the_404_page_names_no_canonical_address(client):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    parser = Head()
    parser.feed(response.content.decode())
    assert canonical(parser) == []


def published_ambassador():
    return Ambassador.objects.published().order_by("pk").first()


def test_an_ambassadors_profile_points_at_itself_in_each_language(client):
    ambassador = published_ambassador()
    head = head_of(client, f"/en/ambassadors/{ambassador.pk}/")
    assert hreflangs(head) == {
        "sv": f"{ORIGIN}/ambassadorer/{ambassador.pk}/",
        "en": f"{ORIGIN}/en/ambassadors/{ambassador.pk}/",
        "x-default": f"{ORIGIN}/ambassadorer/{ambassador.pk}/",
    }
    assert canonical(head) == [f"{ORIGIN}/en/ambassadors/{ambassador.pk}/"]
    assert head.meta["og:title"] == ambassador.name
    # The directory itself keeps the directory's alternates.
    assert hreflangs(head_of(client, "/en/ambassadors/"))["sv"] == f"{ORIGIN}/ambassadorer/"


def sitemap(client):
    """{path: {hreflang: path}}: the sitemap names the Wagtail site's host, the pages the public one."""
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own sitemap, in a test
    return {
        urlsplit(url.find(f"{SITEMAP}loc").text).path: {
            link.get("hreflang"): urlsplit(link.get("href")).path
            for link in url.findall(f"{XHTML}link[@rel='alternate']")
        }
        for url in root.findall(f"{SITEMAP}url")
    }


def test_the_sitemap_gives_each_translation_its_alternates(client):
    urls = sitemap(client)
    story = a_story("en")
    swedish = story.get_translation(Locale.objects.get(language_code="sv"))
    expected = {"sv": swedish.url, "en": story.url, "x-default": swedish.url}
    assert urls[story.url] == expected
    assert urls[swedish.url] == expected
    # German and Arabic guides are real translations: all four languages.
    guide = urls["/ar/international-house/first-weeks/"]
    assert set(guide) >= {"sv", "en", "de", "ar", "x-default"}
    # A page with no translation has no alternates.
    assert all(len(links) != 1 for links in urls.values())


def test_the_sitemap_lists_published_ambassador_profiles_with_their_alternates(client):
    urls = sitemap(client)
    ambassador = published_ambassador()
    swedish, english = f"/ambassadorer/{ambassador.pk}/", f"/en/ambassadors/{ambassador.pk}/"
    assert urls[swedish] == urls[english] == {"sv": swedish, "en": english, "x-default": swedish}
    hidden = Ambassador.objects.exclude(pk__in=Ambassador.objects.published()).first()
    if hidden is None:
        hidden = Ambassador.objects.create(name="Dold", municipality=ambassador.municipality, languages="sv", text="x")
        urls = sitemap(client)
    assert f"/ambassadorer/{hidden.pk}/" not in urls


def test_atom_entries_have_updated_and_an_author(client):
    index = StoryIndexPage.objects.live().get(locale__language_code="en")
    root = ET.fromstring(client.get(index.url + "feed/").content)  # noqa: S314 - our own feed, in a test
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Ta steget"
    entries = root.findall(f"{ATOM}entry")
    assert entries
    newest = index.stories().first()
    for entry in entries:
        assert entry.find(f"{ATOM}updated").text
        assert entry.find(f"{ATOM}author/{ATOM}name").text == "Ta steget"
    first = next(entry for entry in entries if entry.find(f"{ATOM}title").text == newest.title)
    assert first.find(f"{ATOM}updated").text.startswith(newest.last_published_at.date().isoformat())


def test_a_profile_published_later_reaches_the_cached_sitemap(client, django_capture_on_commit_callbacks):
    ambassador = published_ambassador()
    before = sitemap(client)  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        added = Ambassador.objects.create(
            name="Ny",
            municipality=ambassador.municipality,
            languages="sv",
            text="x",
            email="ny@example.org",
            is_published=True,
            consent_given_at=ambassador.consent_given_at,
        )
    assert f"/ambassadorer/{added.pk}/" not in before
    assert f"/ambassadorer/{added.pk}/" in sitemap(client)
