"""Two factors for every admin user: TOTP with recovery codes, on django-otp.

Why django-otp and not wagtail-2fa, see docs/security.md (wagtail-2fa 1.8
does not import on Wagtail 8). The flow:

1. the Wagtail login (password; throttled by django-axes);
2. `RequireTwoFactorMiddleware`: while WAGTAIL_2FA_REQUIRED (production),
   an admin user who has not passed a second factor in this session sees
   no admin page but these: set up an authenticator app (`setup`), or enter
   a code from it or a recovery code (`verify`);
3. after the first code, ten one-time recovery codes are shown once
   (`recovery_codes` makes a new set and voids the old one).
"""

import base64
import io
import math
import re
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
THROTTLE_SHOWN_FROM_SECONDS = 10
RECOVERY_DEVICE_NAME = "recovery"
# Admin views an admin user reaches before the second factor.
OPEN_URL_NAMES = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "tasteget_2fa_verify",
    "tasteget_2fa_setup",
    "tasteget_2fa_unlock_request",
    "tasteget_2fa_unlock",
}


def needs_second_factor(user):
    """An admin user (anyone who may see personal data or publish) without a verified second factor."""
    if not settings.WAGTAIL_2FA_REQUIRED or not user.is_authenticated:
        return False
    if not (user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin")):
        return False
    return not user.is_verified()


def half_signed_in(user):
    """Signed in with the password only, while two factors are required:
    such a session does not count as signed in outside the 2FA steps."""
    return settings.WAGTAIL_2FA_REQUIRED and user.is_authenticated and not user.is_verified()


def anonymous():
    user = AnonymousUser()
    user.otp_device = None
    user.is_verified = lambda: False
    return user


def second_factor_url(user, next_url):
    target = "tasteget_2fa_verify" if user_has_device(user) else "tasteget_2fa_setup"
    return f"{reverse(target)}?{urlencode({'next': next_url})}"


def url_name_of(request):
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class RequireTwoFactorMiddleware:
    """After django_otp's OTPMiddleware: the admin asks for the second factor
    first, and outside the admin a password-only session is anonymous, so
    pages and document collections private "for logged-in users" ask for
    the second factor too (Wagtail's `/_util/login/` passes on to it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/admin/") and half_signed_in(request.user):
            if url_name_of(request) == "wagtailcore_login":
                next_url = request.GET.get("next") or "/"
                if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                    next_url = "/"
                response = redirect(second_factor_url(request.user, next_url))
                add_never_cache_headers(response)
                return response
            request.user = anonymous()
        if request.path.startswith("/admin/") and needs_second_factor(request.user):
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in OPEN_URL_NAMES:
                target = "tasteget_2fa_verify" if user_has_device(request.user) else "tasteget_2fa_setup"
                response = redirect(f"{reverse(target)}?next={request.get_full_path()}")
                add_never_cache_headers(response)
                return response
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        """As typed from paper or a phone: spaces and dashes out; recovery
        codes are stored in lower case (django-otp's StaticToken)."""
        return re.sub(r"[\s\-\u2010-\u2015]", "", self.cleaned_data["code"]).lower()


def throttled_until(user):
    """When the user's devices take codes again after too many wrong ones (None: now)."""
    until = None
    for device in devices_for_user(user):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            until = max(until, data["locked_until"]) if until else data["locked_until"]
    # django-otp pauses 1, 2, 4 … seconds after each wrong code; the short
    # ones pass while a person retypes, so they are not worth a word.
    if until and (until - timezone.now()).total_seconds() < THROTTLE_SHOWN_FROM_SECONDS:
        return None
    return until


def throttle_message(until):
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return ngettext(
        "Too many wrong codes. Try again in %(minutes)d minute.",
        "Too many wrong codes. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def reset_throttle(user):
    """Let the real user in again after someone typed wrong codes (an e-mailed
    link or a user administrator, tasteget/two_factor_unlock.py; manage.py
    reset_two_factor_throttle; docs/security.md); how many devices were paused."""
    count = 0
    for device in devices_for_user(user, confirmed=None):
        if getattr(device, "throttling_failure_count", 0):
            device.throttle_reset()
            count += 1
    return count


def verified(request, device):
    """The second factor passed: a new session key (no fixation from the password step)."""
    otp_login(request, device)
    request.session.cycle_key()


def safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or reverse("wagtailadmin_home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return reverse("wagtailadmin_home")
    if not target.startswith("/") or target.startswith("//"):
        return reverse("wagtailadmin_home")
    return target


def new_recovery_codes(user):
    """Ten new one-time codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def qr_svg(url):
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - generated here from our own URL


def render(request, template, context, status=200):
    response = TemplateResponse(request, template, {"next": safe_next(request), **context}, status=status)
    add_never_cache_headers(response)
    return response


@sensitive_post_parameters("code")
@never_cache
def verify(request):
    """Enter a code from the authenticator app, or a recovery code."""
    if not user_has_device(request.user):
        return redirect(f"{reverse('tasteget_2fa_setup')}?next={safe_next(request)}")
    form = CodeForm(request.POST or None)
    until = throttled_until(request.user)
    if request.method == "POST" and form.is_valid():
        # During a pause no code is tried, so a wrong one does not lengthen it.
        device = None if until else match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            verified(request, device)
            if isinstance(device, StaticDevice) and not device.token_set.exists():
                messages.warning(request, _("That was your last recovery code. Make new ones now."))
            return redirect(safe_next(request))
        if not until:
            form.add_error("code", _("That code is not right, or it has been used. Try the newest code."))
        until = throttled_until(request.user)
        if until:
            form.add_error("code", throttle_message(until))
    # On a GET while paused, the pause in words (a wrong code shows it as the field's error).
    context = {
        "form": form,
        "throttle": throttle_message(until) if until and not form.errors else "",
        # While paused, the way through: an unlock link to the account's address (two_factor_unlock.py).
        "paused": bool(until),
    }
    return render(request, "tasteget/two_factor/verify.html", context, status=200)


@sensitive_post_parameters("code")
@never_cache
def setup(request):
    """Connect an authenticator app (TOTP): scan the code, confirm with the first code it shows."""
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect(f"{reverse('tasteget_2fa_verify')}?next={safe_next(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=str(_("Authenticator app")), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            verified(request, device)
            codes = new_recovery_codes(request.user)
            return render(request, "tasteget/two_factor/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("That code is not right. Check the time on your phone and try the newest code."))
    secret = base64.b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    context = {"form": form, "qr": qr_svg(device.config_url), "secret": grouped}
    return render(request, "tasteget/two_factor/setup.html", context)


@never_cache
def recovery_codes(request):
    """How many recovery codes are left; POST makes a new set (shown once)."""
    if request.method == "POST":
        return render(request, "tasteget/two_factor/recovery_codes.html", {"codes": new_recovery_codes(request.user)})
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(request, "tasteget/two_factor/recovery_status.html", {"left": left})
