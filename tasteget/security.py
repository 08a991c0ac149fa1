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
