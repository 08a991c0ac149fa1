from django.conf import settings
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
        return super().process_response(request, response)
