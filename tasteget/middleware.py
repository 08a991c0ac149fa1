import re

from django.conf import settings
from django.http import Http404, QueryDict
from django.middleware import csp


class ContentSecurityPolicyMiddleware(csp.ContentSecurityPolicyMiddleware):
    """Django's CSP middleware, with the admin's own policy.

    Public pages get the strict `SECURE_CSP` (no inline script). The Wagtail
    admin still uses inline scripts and styles, so paths under
    `ADMIN_CSP_PATH_PREFIXES` get `ADMIN_CSP` instead. Views may still set
    their own policy with `django.views.decorators.csp.csp_override`.
    """

    def process_response(self, request, response):
        if not hasattr(response, "_csp_config") and request.path.startswith(settings.ADMIN_CSP_PATH_PREFIXES):
            response._csp_config = settings.ADMIN_CSP
        # ASCII by construction: one non-ASCII source (a pasted origin with
        # U+200B) made Django MIME-encode the whole header, which browsers
        # ignore: no frame-ancestors at all.
        response._csp_config = ascii_policy(getattr(response, "_csp_config", settings.SECURE_CSP))
        response._csp_ro_config = ascii_policy(getattr(response, "_csp_ro_config", settings.SECURE_CSP_REPORT_ONLY))
        return super().process_response(request, response)


# One CSP source: printable ASCII without space, comma or semicolon.
CSP_SOURCE = re.compile(r"[!-+\--:<-~]+")


def ascii_policy(config):
    """`config` without any source that is not plain ASCII (or would break the header's syntax)."""
    if not config:
        return config
    cleaned = {}
    for directive, values in config.items():
        if isinstance(values, (list, tuple)):
            values = [value for value in values if not isinstance(value, str) or CSP_SOURCE.fullmatch(value)]
        cleaned[directive] = values
    return cleaned


# C0 control characters and DEL, except tab, line feed and carriage return.
CONTROL_CHARACTERS = {chr(code) for code in [*range(0, 9), 11, 12, *range(14, 32), 127]}
_STRIP = str.maketrans(dict.fromkeys(CONTROL_CHARACTERS))


def without_control_characters(value):
    return value.translate(_STRIP)


class HostileInputMiddleware:
    """Query parameters lose their control characters; a path with NUL is not found.

    PostgreSQL refuses NUL in a string, so `?intresse=%00` used to give a 500
    on any filter that reached the database. Cleaning here covers
    every view's query parameters at once; form fields reject them on their
    own (Django's CharField refuses NUL, `intake.forms` the rest).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("NUL in path")
        query = request.GET
        if any(set(key + "".join(values)) & CONTROL_CHARACTERS for key, values in query.lists()):
            cleaned = QueryDict(mutable=True)
            for key, values in query.lists():
                cleaned.setlist(without_control_characters(key), [without_control_characters(v) for v in values])
            cleaned._mutable = False
            request.GET = cleaned
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Switch off browser features the site never uses (PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SchemeRedirectNoStoreMiddleware:
    """The redirect to HTTPS (SecurityMiddleware, SECURE_SSL_REDIRECT) is never
    stored by a shared cache: it carries no Cache-Control of its own, so
    Varnish would keep it and could serve it on HTTPS, to itself, in a loop.
    Sits just outside SecurityMiddleware (deploy/varnish/default.vcl also
    keeps the scheme in its key and stores no redirect not marked public)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            300 <= response.status_code < 400
            and not request.is_secure()
            and response.get("Location", "").startswith("https://")
            and not response.has_header("Cache-Control")
        ):
            response["Cache-Control"] = "no-store, private"
        return response
