"""Full-page cache for anonymous visitors, purged exactly by path.

Why our own and not Django's per-site cache middleware or wagtail-cache
(docs/performance.md): both key an entry by a hash of the whole URL and of the
`Vary` headers, so an entry can only be removed by rebuilding the request that
stored it; a purge "by page" then needs a key ring next to the cache. Here the
key is the path alone (plus the known filters), and every entry remembers the
*generation* of its path and of the whole site under which it was stored:

- a hit is one round trip to the cache (`get_many` of the entry and the two
  generations); an entry whose generations are not the current ones is a miss;
- a purge of a path writes a new generation for it: the plain page and every
  filtered or paginated variant (`?kommun=…&sida=2`) are gone at once;
- "purge everything" (the menu changed) writes a new site generation;
- a purge during a render cannot be lost: the entry is stored under the
  generations read *before* the render, so it is already stale.

What is stored: GET answers 200 (and 404, briefly) to requests without a
session or messages cookie, with no query string other than the listing
filters, that set no cookie, used no CSRF token (a page with a form), and
have no Cache-Control of their own (a view that says how it may be cached
is obeyed). Everything else passes through and is marked `private`.

The middleware sits inside the security headers (CSP, HSTS, Permissions-
Policy are added to every answer, cached or not) and inside GZip; it stores
the body compressed once and serves it as it is to clients that accept gzip.

Bounded: every key written here expires. Entries live
PAGE_CACHE_SECONDS (a 404 and the route of a path no page serves whole:
PAGE_CACHE_404_SECONDS); a generation is created with an expiry longer than
the entry about to be stored under it, and each store extends it to outlive
that entry (`keep_generations`, never shortening it). A generation that
expires anyway (or is evicted) is a miss for everything stored under it: it
is re-created as a new random value, so nothing stored under the old one can
match again. An entry whose generations are missing is never a hit.

When the cache fails (tasteget/redis_cache.py): reads are misses and writes
are skipped, so pages render uncached; but the purges below (`purge_paths`,
`purge_all`, `purge_topics`) RAISE when the cache cannot be written (they
write through `cache.strict`): a purge swallowed while Redis is down would
leave stale pages when Redis comes back with its data, so their caller
(home/purge.py) must see the failure and retry it.
"""

import gzip
import hashlib
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.regex_helper import _lazy_re_compile

from tasteget.observability import count_page_cache

# Query parameters of listings (filters, page numbers); any other parameter
# (search, tracking tags) means the page is not served from or put in the cache.
DEFAULT_QUERY_KEYS = ("kommun", "amne", "sida", "sprak", "intresse")
MAX_QUERY_VALUE_LENGTH = 60
SITE_GENERATION_KEY = "pagecache:site"
# Headers the view and the middleware inside this one set, kept with the body.
DROPPED_HEADERS = {"set-cookie", "content-length", "content-encoding", "vary", "cache-control"}
ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")


def page_cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def strictly(cache):
    """The cache that raises on failure (tasteget/redis_cache.py); other backends raise anyway."""
    return getattr(cache, "strict", cache)


def generation_seconds(seconds=None):
    """How long a generation is kept when it guards entries kept `seconds`."""
    seconds = settings.PAGE_CACHE_SECONDS if seconds is None else seconds
    return seconds + min(seconds, 3600)


def keep_generations(cache, keys, seconds):
    """After storing an entry kept `seconds` under these generations, make
    them outlive it, never shortening them (Redis: EXPIRE … GT, one round
    trip). Other backends (files in development, memory in tests) cannot
    compare: they are extended only for the longest entries, whose
    generations' expiry is the longest there is."""
    extend = getattr(cache, "extend", None)
    if extend is not None:
        extend(keys, generation_seconds(seconds))
    elif seconds >= settings.PAGE_CACHE_SECONDS:
        for key in keys:
            cache.touch(key, generation_seconds(seconds))


def entry_key(path, query=""):
    return f"pagecache:page:{short(path)}?{short(query)}"


def generation_key(path):
    return f"pagecache:path:{short(path)}"


def short(text, longest=120):
    """A path or query as it is if short, else its digest: keys stay valid for every backend."""
    return text if len(text) <= longest else hashlib.sha256(text.encode()).hexdigest()


def new_generation():
    return uuid.uuid4().hex[:12]


def purge_paths(paths):
    """Make every cached variant of these paths stale (no deletes needed)."""
    paths = set(paths)
    if paths:
        failed = strictly(page_cache()).set_many(
            {generation_key(path): new_generation() for path in paths}, timeout=generation_seconds()
        )
        if failed:
            raise RuntimeError(f"The page cache did not store the purge of {len(failed)} paths.")


def purge_all():
    strictly(page_cache()).set(SITE_GENERATION_KEY, new_generation(), timeout=generation_seconds())


def topic_key(topic):
    return f"pagecache:topic:{topic}"


def purge_topics(topics):
    """Make stale what `site_wide(…, topic=…)` keeps about these topics."""
    if topics:
        failed = strictly(page_cache()).set_many(
            {topic_key(topic): new_generation() for topic in topics}, timeout=generation_seconds()
        )
        if failed:
            raise RuntimeError(f"The page cache did not store the purge of {len(failed)} topics.")


def site_wide(key, build, topic=None, seconds=None, may_store=None):
    """A part of every page (the menu, the footer links) kept until the whole
    site is purged: one round trip to the cache, `build()` on a miss.

    With a `topic` ("municipalities"), data that no page's purge covers (the
    choices of a form) is kept until that topic is purged as well
    (home/purge.py purges a topic when a snippet of it is saved).

    `seconds` (default PAGE_CACHE_SECONDS) bounds how long it is kept;
    `may_store()`, asked on a miss after the build, may refuse to keep it
    (a client that has already stored its share of search results)."""
    seconds = settings.PAGE_CACHE_SECONDS if seconds is None else seconds
    cache = page_cache()
    key = f"pagecache:part:{key}"
    generation_keys = [SITE_GENERATION_KEY, topic_key(topic)] if topic else [SITE_GENERATION_KEY]
    found = cache.get_many([key, *generation_keys])
    generations, entry = tuple(found.get(name) for name in generation_keys), found.get(key)
    if entry is not None and None not in generations and entry[0] == generations:
        return entry[1]
    if None in generations:
        generations = fix_generations(cache, generation_keys, seconds)
    value = build()
    if may_store is None or may_store():
        store(cache, key, (generations, value), seconds, generation_keys)
    return value


def page_part(request, name, build, path=None, seconds=None):
    """A part of one page (its language links, the sections the home page
    lists) kept until that page's path or the whole site is purged: the same
    generations as the page itself (home/purge.py knows what shows what), so
    a part is never older than a cached copy of its page would be. An
    uncached render of the page (a miss in the page cache, a filtered
    listing, a visitor with a session) then costs the page's own queries
    only. Previews always build: a draft must not be kept or shown live.

    `path` is the page's own address when the request is for one of its
    sub-pages (a form's thank-you page), so the part is purged with it.
    `seconds` (default PAGE_CACHE_SECONDS) may be a function of the built
    value (a route that found no page is kept briefly)."""
    if getattr(request, "is_preview", False) or not settings.PAGE_PARTS_ENABLED:
        return build()
    cache = page_cache()
    path = path or request.path
    path_key = generation_key(path)
    key = f"pagecache:part:{short(path)}#{name}"
    found = cache.get_many([key, path_key, SITE_GENERATION_KEY])
    generations = (found.get(path_key), found.get(SITE_GENERATION_KEY))
    entry = found.get(key)
    if entry is not None and None not in generations and entry[0] == generations:
        return entry[1]
    generation_keys = [path_key, SITE_GENERATION_KEY]
    if None in generations:
        generations = fix_generations(cache, generation_keys, settings.PAGE_CACHE_404_SECONDS)
    value = build()
    if seconds is None:
        seconds = settings.PAGE_CACHE_SECONDS
    elif callable(seconds):
        seconds = seconds(value)
    store(cache, key, (generations, value), seconds, generation_keys)
    return value


def fix_generations(cache, keys, seconds):
    """The generations `keys` (a path's and the site's), written first if
    missing (expiring a little after an entry kept `seconds`), so a later
    eviction of one can never revive an entry stored before. Written before
    the render: a purge during it then makes what it stores stale."""
    for key in keys:
        cache.add(key, new_generation(), timeout=generation_seconds(seconds))
    found = cache.get_many(keys)
    return tuple(found.get(key) for key in keys)


def store(cache, key, entry, seconds, generation_keys):
    """Keep `entry` (its generations first) `seconds`, and its generations longer.
    Nothing is stored under a generation the cache could not give (a failure)."""
    if None in entry[0]:
        return
    cache.set(key, entry, seconds)
    keep_generations(cache, generation_keys, seconds)


def query_key(request):
    """The normalised query string of a cacheable request, or None."""
    allowed = getattr(settings, "PAGE_CACHE_QUERY_KEYS", DEFAULT_QUERY_KEYS)
    items = []
    for key, values in request.GET.lists():
        if key not in allowed or len(values) != 1 or len(values[0]) > MAX_QUERY_VALUE_LENGTH:
            return None
        if values[0]:
            items.append((key, values[0]))
    return urlencode(sorted(items))


def visitor_is_anonymous(request):
    """No session (an editor, a password-protected page opened) and no flash message."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def is_cacheable_request(request):
    return (
        settings.PAGE_CACHE_ENABLED
        and request.method in ("GET", "HEAD")
        and not request.path.startswith(settings.PAGE_CACHE_EXCLUDED_PREFIXES)
        and visitor_is_anonymous(request)
    )


def is_storable(request, response):
    return (
        request.method == "GET"
        and response.status_code in (200, 404)
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and "CSRF_COOKIE_NEEDS_UPDATE" not in request.META  # the page holds a form's token
        and not getattr(request, "is_preview", False)
        and response.get("Content-Type", "").split(";")[0] in settings.PAGE_CACHE_CONTENT_TYPES
    )


def public_headers(response, seconds):
    patch_cache_control(
        response, public=True, max_age=min(seconds, settings.PAGE_CACHE_BROWSER_SECONDS), s_maxage=seconds
    )
    # The language is in the path and the answer is the same for every
    # anonymous visitor: neither Accept-Language nor Cookie splits the cache.
    vary = [
        value.strip()
        for value in response.get("Vary", "").split(",")
        if value.strip() and value.strip().lower() not in ("cookie", "accept-language")
    ]
    if "accept-encoding" not in (value.lower() for value in vary):
        vary.append("Accept-Encoding")
    response["Vary"] = ", ".join(vary)


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.private(self.get_response(request))
        query = query_key(request)
        if query is None:
            return self.private(self.get_response(request))
        cache = page_cache()
        key, path_key = entry_key(request.path, query), generation_key(request.path)
        generation_keys = [path_key, SITE_GENERATION_KEY]
        found = cache.get_many([key, *generation_keys])
        generations = tuple(found.get(name) for name in generation_keys)
        entry = found.get(key)
        if entry is not None and None not in generations and entry[0] == generations:
            count_page_cache("hit")
            return self.hit(request, entry)
        count_page_cache("miss")
        if None in generations:
            generations = fix_generations(cache, generation_keys, settings.PAGE_CACHE_404_SECONDS)
        response = self.get_response(request)
        if not is_storable(request, response):
            return self.private(response)
        seconds = settings.PAGE_CACHE_SECONDS if response.status_code == 200 else settings.PAGE_CACHE_404_SECONDS
        public_headers(response, seconds)
        headers = [(name, value) for name, value in response.items() if name.lower() not in DROPPED_HEADERS]
        headers.append(("Cache-Control", response["Cache-Control"]))
        headers.append(("Vary", response["Vary"]))
        body = gzip.compress(response.content, compresslevel=6, mtime=0)
        store(cache, key, (generations, response.status_code, headers, body), seconds, generation_keys)
        response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def hit(request, entry):
        _generations, status, headers, body = entry
        if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            response = HttpResponse(body, status=status)
            response["Content-Encoding"] = "gzip"
        else:
            response = HttpResponse(gzip.decompress(body), status=status)
        for name, value in headers:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def private(response):
        """Answers that are not cached here must not be cached by a CDN either."""
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True)
        return response
