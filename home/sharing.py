"""What a page says about itself to link previews, search engines and feeds:
the `og:` tags, the canonical address and the JSON-LD (base.html).

Everything comes from the page (and the view's context) alone: whole pages
are cached, so nothing here may depend on who asks. The image is one of the
renditions `components/picture.html` already draws for the page's hero
(made on upload, home/renditions.py), so a page reads it from the rendition
cache and costs no query; a page without one shares the site's own picture.
"""

import json

from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.images.models import SourceImageIOError

from events.models import EventPage
from stories.models import StoryPage
from tasteget.helpers import absolute_url
from tasteget.locales import language_code_of

from .models import HomePage

SITE_NAME = "Ta steget"
# The largest JPEG of components/picture.html: 16:9, 1440 px wide.
SHARE_SPEC = "format-jpeg|fill-1440x810"
SHARE_SIZE = (1440, 810)
DEFAULT_IMAGE = "img/share.png"
DEFAULT_SIZE = (1200, 630)

# json_script's escapes: a "</script>" or "<!--" inside a text cannot end the block.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def description(page, fallback=None):
    """The page's summary in one or two sentences (meta description, og:description)."""
    for text in (
        getattr(page, "search_description", ""),
        strip_tags(getattr(page, "intro", "") or ""),
        getattr(page, "hero_text", ""),
    ):
        if text:
            return Truncator(text).words(30, truncate=" …")
    return fallback or _(
        "Ta steget helps you move to Jämtland Härjedalen: stories, facts about life and work, "
        "the magazine and free moving guidance."
    )


def page_image(page):
    """The image the page shows at its top, if it has one (no query when the page has none)."""
    if getattr(page, "hero_image_id", None):
        return page.hero_image
    return page.image if isinstance(page, EventPage) and page.image_id else None


def image(picture):
    """(absolute address, width, height) of the shared picture: `picture`'s rendition, or the site's own."""
    if picture is not None:
        try:
            # get_renditions, not get_rendition: the latter writes the
            # rendition cache on every call, hits included (tasteget/rendition_cache.py).
            rendition = picture.get_renditions(SHARE_SPEC)[SHARE_SPEC]
        except SourceImageIOError:
            pass  # the original is gone: share the site's picture rather than break the page
        else:
            return absolute_url(rendition.url), rendition.width, rendition.height
    return (absolute_url(static(DEFAULT_IMAGE)), *DEFAULT_SIZE)


def organization():
    return {
        "@type": "Organization",
        "name": SITE_NAME,
        "url": absolute_url("/"),
        "logo": absolute_url(static(DEFAULT_IMAGE)),
    }


def share(context):
    """The `og:` values, canonical address and JSON-LD of the page in `context`.

    A view that shows something other than the page itself (an ambassador's
    profile) names it with `share_title`, `share_description` and `share_image`."""
    request, page = context.get("request"), context.get("page")
    page = page if getattr(page, "pk", None) else None
    url = absolute_url(request.path if request else "/")
    title = context.get("share_title") or (page and (page.seo_title or page.title)) or SITE_NAME
    picture = context.get("share_image") or (page_image(page) if page else None)
    image_url, width, height = image(picture)
    data = structured_data(page, image_url, url) if page and not context.get("share_title") else None
    return {
        "title": title,
        "description": context.get("share_description") or description(page),
        "url": url,
        "type": "article" if isinstance(page, StoryPage) else "website",
        "image": image_url,
        "image_width": width,
        "image_height": height,
        "json_ld": json_ld(data) if data else "",
    }


def structured_data(page, image_url, url):
    """The page's JSON-LD object, or None: the organisation on a home page, an article for a story."""
    if isinstance(page, HomePage):
        return {"@context": "https://schema.org", **organization(), "description": description(page)}
    if isinstance(page, StoryPage):
        published = page.first_published_at
        return {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": page.seo_title or page.title,
            "description": description(page),
            "image": [image_url],
            "datePublished": page.date.isoformat(),
            "dateModified": (page.last_published_at or published).isoformat() if published else page.date.isoformat(),
            "inLanguage": language_code_of(page.locale_id),
            "mainEntityOfPage": url,
            # The stories are told by the people in them and written by the editors.
            "author": organization(),
            "publisher": organization(),
        }
    if isinstance(page, EventPage):
        return event(page, image_url, url)
    return None


def event(page, image_url, url):
    """A meet-up as a schema.org Event: where (a place, an online link or both) and who holds it."""
    places = []
    if page.venue:
        places.append(
            {
                "@type": "Place",
                "name": page.venue,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": page.address or page.venue,
                    "addressRegion": "Jämtlands län",
                    "addressCountry": "SE",
                },
            }
        )
    if page.online_url:
        places.append({"@type": "VirtualLocation", "url": page.online_url})
    if page.venue and page.online_url:
        mode = "https://schema.org/MixedEventAttendanceMode"
    elif page.online_url:
        mode = "https://schema.org/OnlineEventAttendanceMode"
    else:
        mode = "https://schema.org/OfflineEventAttendanceMode"
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": page.seo_title or page.title,
        "description": description(page),
        "image": [image_url],
        "startDate": page.start_local.isoformat(),
        "endDate": page.end_local.isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": mode,
        "location": places[0] if len(places) == 1 else places,
        "inLanguage": language_code_of(page.locale_id),
        "isAccessibleForFree": True,
        "url": url,
        "organizer": organization(),
    }


def json_ld(data):
    """`data` as the text of a <script type="application/ld+json"> block, safe inside HTML."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308 - escaped above
