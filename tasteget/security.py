"""Who the client is, and what a locked-out login sees (docs/security.md)."""

from django.conf import settings
from django.shortcuts import render


def client_ip(request):
    """The visitor's address. Behind N trusted proxies (TRUSTED_PROXY_COUNT),
    the Nth address from the right in X-Forwarded-For; the rest is forgeable."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def axes_client_ip(request):
    return client_ip(request)


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """Too many wrong passwords for this user name from this address: a clear, translated page."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "tasteget/login_locked.html", {"minutes": minutes}, status=429)
