"""The admin's password reset form, with limits (docs/security.md).

Wagtail uses it through WAGTAILADMIN_USER_PASSWORD_RESET_FORM. Every request
gets the same answer ("if the address is known, a message is on its way"),
whether a message is sent, the address is unknown or a limit is reached:
the page tells nothing about the address, and nobody can fill a mailbox.
The link in the message is built on the configured host (WAGTAILADMIN_BASE_URL),
never on the request's Host header.
"""

from urllib.parse import urlsplit

from django.conf import settings
from wagtail.admin.forms.auth import PasswordResetForm

from .security import client_network_address, within_limit

HOUR = 3600
DAY = 24 * HOUR


class LimitedPasswordResetForm(PasswordResetForm):
    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        per_client = within_limit(
            "password-reset-client",
            client_network_address(request) if request else "",
            limit=settings.PASSWORD_RESET_PER_CLIENT_HOURLY,
            window=HOUR,
        )
        per_address = per_client and within_limit(
            "password-reset-address", email, limit=settings.PASSWORD_RESET_PER_ADDRESS_DAILY, window=DAY
        )
        if not (per_client and per_address):
            return  # the same "sent" page; no message
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        kwargs["domain_override"] = base.netloc
        kwargs["use_https"] = base.scheme == "https"
        super().save(*args, request=request, **kwargs)
