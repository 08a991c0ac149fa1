"""The cookie-less page view counter (docs/data-protection.md, "Counting page views").

The page carries a small script (`reports/beacon.js`) that posts the page's
id here once it is really shown. We add one to that page's count of the
day and keep nothing else: no IP address, no user agent, no identifier,
no cookie. The answer is always an empty 204, whatever is sent, so the
endpoint tells nothing and never fails on bad input.

CSRF exemption is safe here: the only effect of a request is +1 on a live
page's daily count, the same effect as visiting the page; a request from
another site (by `Sec-Fetch-Site` or `Origin`) is ignored all the same.

One client counts at most once per page per PAGE_VIEW_WINDOW:
the cache keeps a keyed hash of the client's address (its /64 for IPv6),
the page and the window, and forgets it when the window ends; no address
is stored anywhere. A request must carry a same-origin signal
(`Sec-Fetch-Site: same-origin`, or an Origin or Referer on our own host),
so a script posting from elsewhere, or a bare HTTP client, counts nothing.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from wagtail.models import Page

from tasteget.helpers import public_origin
from tasteget.security import client_network_address, first_in_window

from .models import PageViewDay

# Read to decide, never stored.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|preview|fetch|monitor|headless|lighthouse|curl|wget|python|java/|httpclient|go-http",
    re.IGNORECASE,
)
MAX_PAGE_ID = 2**31 - 1


def wants_no_tracking(request):
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def is_prefetch(request):
    purpose = f"{request.headers.get('Sec-Purpose', '')} {request.headers.get('Purpose', '')}".lower()
    return "prefetch" in purpose or "prerender" in purpose


def is_same_origin(request):
    """The browser says the request comes from one of our own pages."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    own = public_origin()
    origin = request.headers.get("Origin")
    if origin:
        return origin == own
    referer = urlsplit(request.headers.get("Referer", ""))
    return bool(referer.netloc) and f"{referer.scheme}://{referer.netloc}" == own


def first_view_in_window(request, pk):
    """True once per client, page and window; the cache forgets it afterwards."""
    return first_in_window("page-view", client_network_address(request), pk, window=settings.PAGE_VIEW_WINDOW)


def page_id(request):
    value = request.POST.get("p", "")
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_PAGE_ID else None


def counts(request):
    return not (
        wants_no_tracking(request)
        or is_prefetch(request)
        or not is_same_origin(request)
        or BOTS.search(request.headers.get("User-Agent", "") or "bot")
    )


@csrf_exempt
@never_cache
def page_view(request):
    response = HttpResponse(status=204)
    if request.method != "POST":
        response.status_code = 405
        response["Allow"] = "POST"
        return response
    try:
        pk = page_id(request) if counts(request) else None
        if pk and Page.objects.live().filter(pk=pk, depth__gt=1).exists() and first_view_in_window(request, pk):
            PageViewDay.count(pk)
    except DatabaseError:
        pass  # a lost count is better than an error on every page
    return response
