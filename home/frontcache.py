"""Purging the Varnish front caches (deploy/varnish/default.vcl) by path.

Varnish keys a page by its whole URL, so a PURGE of `/berattelser/` leaves
`/berattelser/?kommun=are` and `?sida=2` as they were. Instead every object
carries its path (`x-path`) and the application sends BAN requests: one
regular expression of exact paths per request (`^(/a/|/b/)$`, at most
MAX_BAN_LENGTH characters, so a large purge is a few requests), which drops
each path with every query string; a full-site purge is one BAN of
everything. Bans match the path on every host (the Host Varnish keys on need
not be the hostname of a Wagtail site, and purging a page on a second host
is harmless).

Why not xkey (soft purges by tag): Debian's and the official image's Varnish
do not load it without varnish-modules; bans need nothing but stock Varnish.
Why not Wagtail's HTTPBackend: it sends PURGE per URL from a task and only
logs a failure; here a failure raises `FrontCacheError`, and home/purge.py
keeps the purge (home.PendingPurge) until every Varnish has taken it.

Every Varnish in FRONTEND_CACHE_PURGE_URLS gets every ban, with the header
X-Purge-Token (FRONTEND_CACHE_PURGE_TOKEN). Varnish refuses a ban while its
backend is sick (503): that is a failure too, sent again later.
"""

from urllib.parse import quote

import requests
from django.conf import settings

MAX_BAN_LENGTH = 4000
TIMEOUT_SECONDS = 5


class FrontCacheError(Exception):
    """A Varnish did not take a ban; `locations` are those that failed."""

    def __init__(self, locations, reasons):
        super().__init__("; ".join(reasons))
        self.locations = locations


def locations():
    return list(getattr(settings, "FRONTEND_CACHE_PURGE_URLS", []))


def path_pattern(path):
    """The path as Varnish sees it (percent-encoded), as a literal in a regular expression."""
    encoded = quote(path, safe="/-_~%")
    return "".join(ch if ch.isalnum() or ch in "/-_%~" else f"[{ch}]" for ch in encoded)


def ban_patterns(paths):
    """Regular expressions matching exactly `paths`, each short enough for one header."""
    patterns, current = [], []
    for literal in sorted({path_pattern(path) for path in paths}):
        if current and len("^()$") + sum(len(each) + 1 for each in current) + len(literal) > MAX_BAN_LENGTH:
            patterns.append("^(" + "|".join(current) + ")$")
            current = []
        current.append(literal)
    if current:
        patterns.append("^(" + "|".join(current) + ")$")
    return patterns


def ban(paths=(), everything=False, only=None):
    """Send the bans to every Varnish (or those in `only`); raise FrontCacheError
    naming those that did not take all of them."""
    if everything:
        headers = [{"X-Ban-Everything": "yes"}]
    else:
        headers = [{"X-Ban-Path": pattern} for pattern in ban_patterns(paths)]
    if not headers:
        return
    failed, reasons = [], []
    for location in only if only is not None else locations():
        try:
            for header in headers:
                response = requests.request(
                    "BAN",
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
