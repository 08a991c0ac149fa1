"""Purging the Varnish front caches (deploy/varnish/default.vcl) by surrogate key.

Varnish keys a page by its whole URL, so a PURGE of `/berattelser/` alone
would leave `/berattelser/?kommun=are` and `?sida=2` as they were. Instead
the VCL gives every object surrogate keys (xkey, from varnish-modules): its
path without the query string, in capitals, and `site`. The application
sends PURGE with `X-Purge-Keys` (the paths' keys, space-separated, at most
MAX_KEYS_LENGTH characters per request, so a large purge is a few requests)
or with `X-Purge-Everything`:

- paths (a publish): Varnish drops them at once while gunicorn is healthy
  (the next reader gets the new content), and only expires them, keeping
  them in grace, while gunicorn is down (readers get the page Varnish has,
  not a 503);
- everything, soft (the menu, the site settings): every object expires but
  stays in grace; each page's next reader gets it stale while one
  background fetch renders it anew, so readers never wait for the purge;
- everything, at once (a view restriction changed): every object dropped,
  a page that became private is never served again.

Keys match the path on every host (the Host Varnish keys on need not be the
hostname of a Wagtail site, and purging a page on a second host is harmless).

Why not Wagtail's HTTPBackend: it sends PURGE per URL from a task and only
logs a failure; here a failure raises `FrontCacheError`, and home/purge.py
keeps the purge (home.PendingPurge) until every Varnish has taken it.
Every Varnish in FRONTEND_CACHE_PURGE_URLS gets every purge, with the header
X-Purge-Token (FRONTEND_CACHE_PURGE_TOKEN).
"""

import requests
from django.conf import settings
from django.utils.encoding import iri_to_uri

MAX_KEYS_LENGTH = 4000
TIMEOUT_SECONDS = 5


class FrontCacheError(Exception):
    """A Varnish did not take a purge; `locations` are those that failed."""

    def __init__(self, locations, reasons):
        super().__init__("; ".join(reasons))
        self.locations = locations


def locations():
    return list(getattr(settings, "FRONTEND_CACHE_PURGE_URLS", []))


def path_key(path):
    """The surrogate key the VCL gives the objects of `path`: the path as
    Varnish sees it (percent-encoded), commas escaped, in capitals."""
    return iri_to_uri(path).replace(",", "%2C").upper()


def key_lists(paths):
    """The keys of `paths`, space-separated, each list short enough for one header."""
    lists, current = [], []
    for key in sorted({path_key(path) for path in paths}):
        if current and sum(len(each) + 1 for each in current) + len(key) > MAX_KEYS_LENGTH:
            lists.append(" ".join(current))
            current = []
        current.append(key)
    if current:
        lists.append(" ".join(current))
    return lists


def purge(paths=(), everything=False, at_once=False, only=None):
    """Send the purges to every Varnish (or those in `only`); raise
    FrontCacheError naming those that did not take all of them. A full-site
    purge is soft unless `at_once`."""
    if everything:
        headers = [{"X-Purge-Everything": "hard" if at_once else "soft"}]
    else:
        headers = [{"X-Purge-Keys": keys} for keys in key_lists(paths)]
    if not headers:
        return
    failed, reasons = [], []
    for location in only if only is not None else locations():
        try:
            for header in headers:
                response = requests.request(
                    "PURGE",
                    location.rstrip("/") + "/",
                    headers={**header, "X-Purge-Token": settings.FRONTEND_CACHE_PURGE_TOKEN},
                    timeout=TIMEOUT_SECONDS,
                )
                if response.status_code != 200:
                    raise FrontCacheError([location], [f"{location}: {response.status_code} {response.reason}"])
        except (requests.RequestException, FrontCacheError) as error:
            failed.append(location)
            reasons.append(str(error) if isinstance(error, FrontCacheError) else f"{location}: {error}")
    if failed:
        raise FrontCacheError(failed, reasons)
