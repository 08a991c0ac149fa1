from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, Site

from places.models import Adviser, Municipality
from tasteget import pagecache
from tasteget.helpers import absolute_url
from tasteget.translations import (
    HAND_TRANSLATED,
    awaiting_translation,
    content_language,
    has_catalogue,
    visitor_language,
    with_content_languages,
)

from .. import listings, sharing
from ..models import MunicipalityPage, SiteSettings, localized_pages

register = template.Library()


@register.filter
def absolute(path):
    """An absolute address on the configured public host, never the request's Host."""
    return absolute_url(path or "/")


@register.simple_tag(takes_context=True)
def share_meta(context):
    """What link previews and search engines read: home/sharing.py."""
    return sharing.share(context)


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """The current page in every configured language.

    Each item says whether a real translation exists (`is_translation`): those
    become `hreflang` alternates. For the others the switcher offers the
    page's alias in that locale (shown with a notice) or the home page of that
    language, so a visitor is never sent to a missing page.
    """
    request = context["request"]
    page = context.get("page")
    # The language the visitor chose, even when this page is shown in another.
    current = getattr(request, "requested_language", None) or translation.get_language()
    if not (isinstance(page, Page) and page.pk):
        return build_alternates(request, page, current)
    # A page's links change when it or a translation is published, moved or
    # unpublished: home/purge.py purges its path then.
    alternates = pagecache.page_part(
        request, f"alternates:{current}", lambda: build_alternates(request, page, current), page_path(request, page)
    )
    # A sub-page of a routable page (an ambassador's profile) has the same
    # route under each translation of the page: its alternates are those.
    suffix = context.get("alternate_suffix")
    if suffix:
        alternates = [
            {**item, "url": item["url"] + suffix} if item["is_translation"] or item.get("is_alias") else item
            for item in alternates
        ]
    return alternates


def page_path(request, page):
    """The address a page is purged by (home/purge.py), also when a sub-page of it is shown."""
    parts = page.get_url_parts(request)
    return parts[2] if parts else None


def build_alternates(request, page, current):
    translations = {}
    if isinstance(page, Page) and page.pk:
        for item in page.get_translations(inclusive=True).live().public().select_related("locale"):
            translations[item.locale.language_code] = item
    # Aliases, and translations begun but not published, are not alternates.
    awaiting = awaiting_translation(
        [item.pk for code, item in translations.items() if code not in HAND_TRANSLATED and not item.alias_of_id]
    )
    alternates = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        item = {
            "code": code,
            "name": info["name_local"],
            "is_current": code == current,
            "is_translation": False,
        }
        if code in translations:
            item["url"] = translations[code].get_url(request)
            # An alias is the untranslated page in that locale's tree: a link, not an hreflang.
            item["is_translation"] = translations[code].alias_of_id is None and translations[code].pk not in awaiting
            item["is_alias"] = not item["is_translation"]
        elif page is None or not isinstance(page, Page):
            # A view outside the page tree (search, errors): same path, other prefix.
            item["url"] = translate_url(local_path(request), code)
            item["is_translation"] = True
        else:
            with translation.override(code):
                item["url"] = reverse("wagtail_serve", args=[""])
        alternates.append(item)
    return alternates


def local_path(request):
    """The request's path and query as a path on this site.

    `//evil.example/x/` (or `/\\evil.example/`) would be a link to another
    host: leading slashes and backslashes collapse to one.
    """
    return "/" + request.get_full_path().lstrip("/\\")


def active_locale_id(context):
    """The page's own locale when rendering a page (no query), else the active one."""
    page = context.get("page")
    if isinstance(page, Page):
        return page.locale_id
    return Locale.get_active().pk


def site_frame(context):
    """The menu, the registration and newsletter pages, the footer links and
    the home page in the page's language: the same on every page of a
    language, so kept in the page cache's store until the whole site is purged
    (home/purge.py: the site settings, a page they choose, the registration,
    newsletter or home pages), and read once per request."""
    request = context["request"]
    locale_id = active_locale_id(context)
    cached = getattr(request, "_tasteget_frame", None)
    if cached is None or cached["locale_id"] != locale_id:
        site = Site.find_for_request(request)
        site_id = site.pk if site else 0
        cached = pagecache.site_wide(f"frame:{site_id}:{locale_id}", lambda: build_frame(request, site, locale_id))
        request._tasteget_frame = cached
    return cached


def build_frame(request, site, locale_id):
    site_settings = SiteSettings.for_request(request)
    ids = [block.value.pk for block in site_settings.footer_links if block.value]
    root = None
    if site is not None:
        root = Page.objects.live().filter(translation_key=site.root_page.translation_key, locale_id=locale_id).first()
        root = root or site.root_page
        with_content_languages([root])
    return {
        "locale_id": locale_id,
        "contact": {
            "postal_address": site_settings.postal_address,
            "email": site_settings.contact_email,
            "phone": site_settings.contact_phone,
            "social_links": [(link.value["url"], link.value["service"]) for link in site_settings.social_links],
        },
        "sections": listings.menu(site_settings.navigation, locale_id),
        **listings.site_actions(locale_id),
        "footer_links": localized_pages(ids, locale_id),
        "root": root,
    }


@register.simple_tag(takes_context=True)
def main_navigation(context):
    """The menu, the registration and newsletter pages in the page's language."""
    return site_frame(context)


@register.simple_tag(takes_context=True)
def footer_links(context):
    return site_frame(context)["footer_links"]


@register.simple_tag(takes_context=True)
def site_contact(context):
    """The Region's address, e-mail, phone and social links (the site settings), read with the menu."""
    return site_frame(context)["contact"]


@register.simple_tag(takes_context=True)
def localized_root(context):
    """The home page in the visitor's language (the site root when untranslated)."""
    return site_frame(context)["root"]


@register.simple_tag(takes_context=True)
def notice_language(context):
    """The visitor's language for the fallback notice, if the site speaks it;
    else English (Django would show the Swedish text under a wrong lang)."""
    requested = context["request"].requested_language
    return requested if has_catalogue(requested) else "en"


@register.simple_tag(takes_context=True)
def frame_language(context):
    """The language of the site's frame (header, footer): the visitor's when
    the page's text is shown in another and the site has texts in theirs."""
    return visitor_language(context["request"]) or translation.get_language()


@register.simple_tag(takes_context=True)
def shown_language(context):
    """The language the page's text is written in, also when a form page
    shows its interface in the visitor's (tasteget.translations.follow_visitor_language)."""
    return getattr(context["request"], "shown_language", None) or translation.get_language()


@register.filter
def text_direction(language_code):
    return "rtl" if get_language_info(language_code).get("bidi") else "ltr"


@register.filter
def lang_attrs(page):
    """` lang=… dir=…` for a page whose text is in another language than the
    one being shown (an untranslated page listed on an Arabic page), else ``."""
    language = content_language(page)
    if not language or language == translation.get_language():
        return ""
    return format_html(' lang="{}" dir="{}"', language, text_direction(language))


@register.simple_tag(takes_context=True)
def registration_next_steps(context, registration):
    """For a guidance registration's thank-you page: who will call, and what
    to read meanwhile about the chosen municipality, in the page's language."""
    if registration is None or registration.kind != "guidance":
        return None
    locale_id = active_locale_id(context)
    municipality = registration.municipality
    local = Municipality.objects.localized(locale_id).filter(pk=municipality.pk).first()
    return {
        "advisers": list(Adviser.objects.serving(registration.municipality)),
        "municipality_name": local.local_name if local else municipality.name,
        "municipality_page": MunicipalityPage.objects.live()
        .filter(locale_id=locale_id, municipality__translation_key=municipality.translation_key)
        .first(),
        **listings.for_municipality(municipality, locale_id),
    }


@register.simple_tag(takes_context=True)
def municipality_page_url(context, municipality):
    """The URL of a municipality's page in the page's language ("" if none)."""
    page = (
        MunicipalityPage.objects.live()
        .filter(locale_id=active_locale_id(context), municipality__translation_key=municipality.translation_key)
        .first()
    )
    return page.get_url(context["request"]) if page else ""


@register.simple_tag
def page_view_url():
    """Where the page view beacon posts: the site's own counter, or the
    Region's self-hosted analytics server (PAGE_VIEW_BEACON_URL)."""
    return settings.PAGE_VIEW_BEACON_URL or reverse("page_view")


class PagePartNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        request, page = context.get("request"), context.get("page")
        if request is None:
            return self.nodelist.render(context)
        path = page_path(request, page) if isinstance(page, Page) and page.pk else None
        return pagecache.page_part(request, self.name.resolve(context), lambda: self.nodelist.render(context), path)


@register.tag
def pagepart(parser, token):
    """`{% pagepart "sections" %}…{% endpagepart %}`: the enclosed output is
    kept with the page's generations (tasteget.pagecache.page_part). Only for
    output that is the same for every visitor of the page: no form, no token."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("pagepart takes one argument: the part's name")
    nodelist = parser.parse(("endpagepart",))
    parser.delete_first_token()
    return PagePartNode(parser.compile_filter(bits[1]), nodelist)
