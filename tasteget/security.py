"""Who the client is, and what a locked-out login sees (docs/security.md)."""

import functools
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.crypto import salted_hmac


def client_ip(request):
    """The visitor's address. Behind N trusted proxies (TRUSTED_PROXY_COUNT),
    the Nth address from the right in X-Forwarded-For; the rest is forgeable.

    X-Forwarded-For is read only when the connection comes from a proxy
    address (TRUSTED_PROXY_NETWORKS: loopback and private networks by
    default): anyone who reaches gunicorn directly from outside is their own
    address, whatever they put in the header."""
    remote = request.META.get("REMOTE_ADDR", "unknown")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies and _from_trusted_proxy(remote):
        forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return remote


def _from_trusted_proxy(address):
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXY_NETWORKS)))


@functools.cache
def _trusted_networks(networks):
    return [ipaddress.ip_network(network, strict=False) for network in networks]


def client_network_address(request):
    """The client's address as one counter counts it: IPv4 as it is, IPv6 as
    its /64 (one household or host has a whole /64, so counting each address
    would give it 2^64 tries), written as the /64's first address."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def axes_client_ip(request):
    """django-axes counts failed logins per user name and this address: the
    same client as the form limits (intake/ratelimit.py), IPv6 per /64."""
    return client_network_address(request)


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """Too many wrong passwords for this user name from this address: a clear, translated page."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "tasteget/login_locked.html", {"minutes": minutes}, status=429)


def security_txt(request):
    """/.well-known/security.txt (RFC 9116): how to report a vulnerability (docs/security.md)."""
    import datetime

    from django.http import HttpResponse
    from django.utils import timezone

    from tasteget.helpers import absolute_url

    expires = (timezone.now() + datetime.timedelta(days=180)).replace(microsecond=0)
    lines = [
        *(f"Contact: {contact}" for contact in settings.SECURITY_CONTACTS),
        f"Expires: {expires.astimezone(datetime.UTC).isoformat().replace('+00:00', 'Z')}",
        "Preferred-Languages: sv, en",
        f"Canonical: {absolute_url('/.well-known/security.txt')}",
        f"Policy: {absolute_url('/.well-known/security-policy.txt')}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def security_policy(request):
    from django.http import HttpResponse

    text = (
        "Ta steget (tasteget.nu) - reporting a vulnerability\n\n"
        "Write to the contact in security.txt; Swedish or English. Tell us what you found and how to\n"
        "reproduce it; do not access, change or keep other people's personal data, and give us 90 days\n"
        "before publishing. We answer within 5 working days and do not take legal action against good-faith\n"
        "research that follows these rules.\n"
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def _window_key(scope, parts, window):
    period = int(time.time() // window)
    digest = salted_hmac(f"tasteget.window.{scope}", "|".join(map(str, parts)), algorithm="sha256").hexdigest()[:32]
    return f"window:{scope}:{digest}:{period}"


def first_in_window(scope, *parts, window):
    """True the first time these parts are seen in this window (a keyed hash
    in the shared cache, forgotten when the window ends); False after, and
    when the cache cannot answer."""
    try:
        return cache.add(_window_key(scope, parts, window), 1, timeout=window + 5)
    except Exception:  # noqa: BLE001 - no cache: count nothing rather than fail
        return False


def within_limit(scope, *parts, limit, window):
    """Count one more for these parts in this window; False once over `limit`."""
    key = _window_key(scope, parts, window)
    try:
        if hasattr(cache, "count"):  # Redis (tasteget/redis_cache.py): one round trip
            return cache.count(key, window + 5) <= limit
        cache.add(key, 0, timeout=window + 5)
        return cache.incr(key) <= limit
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        return True
    except Exception:  # noqa: BLE001 - no cache: refuse rather than send without a limit
        return False
