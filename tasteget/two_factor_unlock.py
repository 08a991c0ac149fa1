"""Two ways through for the real user after someone typed wrong codes.

After repeated wrong codes django-otp pauses every device of the user (the
pause is said in words on *verify*, tasteget/two_factor.py). Besides
`manage.py reset_two_factor_throttle`:

- **An unlock link by e-mail.** On the paused *verify* page the user asks
  for a link to the account's own address. The link is signed
  (django.core.signing, its own salt), lives TWO_FACTOR_UNLOCK_LINK_MAX_AGE
  seconds and carries a digest of the pause itself, so once the pause is
  lifted (or a new wrong code changed it) the same link does nothing: it
  works once. At most one message per user per
  TWO_FACTOR_UNLOCK_MAIL_INTERVAL seconds, and the page says the same
  whether a message went or not. Following the link asks for the password
  first (it is an admin page), and lifts only the pause of the account that
  follows it: the code is still needed.
- **A reset by a user administrator** (*Settings → Users*, "⋯" on the user's
  row): whoever may change users in Wagtail (`auth.change_user`: superusers,
  and any group given it) confirms, and the reset is in Wagtail's history
  (*Reports → Site history*) with who did it for whom.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from .helpers import absolute_url
from .tasks import send_email
from .two_factor import render, reset_throttle, safe_next, throttle_message, throttled_until

UNLOCK_SALT = "tasteget.two_factor.unlock"
RESET_ACTION = "tasteget.two_factor.reset_throttle"
NEUTRAL = gettext_lazy(
    "If the account has an e-mail address, a link to lift the pause is on its way to it. "
    "It works once, for a short while. No new link is sent for a few minutes."
)


def pause_digest(user):
    """Changes whenever the pause does: a wrong code (count, time) or a reset."""
    state = sorted(
        f"{device.persistent_id}:{getattr(device, 'throttling_failure_count', 0)}:"
        f"{getattr(device, 'throttling_failure_timestamp', None)}"
        for device in devices_for_user(user, confirmed=None)
    )
    return hashlib.sha256("|".join(state).encode()).hexdigest()[:20]


def unlock_token(user):
    return signing.dumps({"u": user.pk, "p": pause_digest(user)}, salt=UNLOCK_SALT)


def user_for_token(token):
    """The user whose pause this link lifts now, or None (expired, forged, used)."""
    try:
        value = signing.loads(token, salt=UNLOCK_SALT, max_age=settings.TWO_FACTOR_UNLOCK_LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return None
    user = get_user_model().objects.filter(pk=value.get("u"), is_active=True).first()
    if user is None or value.get("p") != pause_digest(user) or throttled_until(user) is None:
        return None
    return user


def mail_due(user):
    """True at most once per TWO_FACTOR_UNLOCK_MAIL_INTERVAL for this user (a
    sliding interval from the last message, not a clock window); False when
    the cache cannot answer: no limit, no message."""
    try:
        return cache.add(f"2fa-unlock-mail:{user.pk}", 1, timeout=settings.TWO_FACTOR_UNLOCK_MAIL_INTERVAL)
    except Exception:  # noqa: BLE001 - refuse rather than send without a limit
        return False


def send_unlock_link(user):
    minutes = settings.TWO_FACTOR_UNLOCK_LINK_MAX_AGE // 60
    body = render_to_string(
        "tasteget/two_factor/unlock_email.txt",
        {"url": absolute_url(reverse("tasteget_2fa_unlock", args=[unlock_token(user)])), "minutes": minutes},
    )
    subject = str(_("Ta steget: lift the pause on your two-factor sign-in"))
    transaction.on_commit(lambda: send_email.enqueue([user.email], subject, body), robust=True)


@require_POST
@never_cache
def request_unlock(request):
    """From the paused *verify* page: a link to the account's own address."""
    user = request.user
    if user.email and throttled_until(user) and mail_due(user):
        send_unlock_link(user)
    messages.info(request, NEUTRAL)
    return redirect(f"{reverse('tasteget_2fa_verify')}?{urlencode({'next': safe_next(request)})}")


@never_cache
def unlock(request, token):
    """GET asks (a mail scanner that opens links lifts nothing), POST lifts the pause."""
    user = user_for_token(token)
    if user is None or user.pk != request.user.pk:
        return render(request, "tasteget/two_factor/unlock.html", {"valid": False}, status=400)
    if request.method == "POST":
        reset_throttle(user)
        log(instance=user, action=RESET_ACTION, user=user, data={"by": "e-mailed link"})
        messages.success(request, _("The pause is lifted. Enter the code your app shows now."))
        return redirect("tasteget_2fa_verify")
    return render(request, "tasteget/two_factor/unlock.html", {"valid": True})


def may_reset(request_user, user):
    """User administrators; only a superuser resets a superuser (as Wagtail edits them)."""
    if not request_user.has_perm(f"{get_user_model()._meta.app_label}.change_user"):
        return False
    return request_user.is_superuser or not user.is_superuser


@never_cache
def reset(request, user_id):
    """A user administrator lifts one user's pause, after a confirmation."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not may_reset(request.user, user):
        raise PermissionDenied
    if request.method == "POST":
        count = reset_throttle(user)
        log(instance=user, action=RESET_ACTION, user=request.user, data={"devices": count})
        messages.success(
            request, _("The two-factor pause of %(user)s is lifted; their next code counts.") % {"user": user}
        )
        return redirect("wagtailusers_users:index")
    until = throttled_until(user)
    context = {"target": user, "pause": throttle_message(until) if until else ""}
    return render(request, "tasteget/two_factor/reset_confirm.html", context)


def reset_button(user, request_user):
    if may_reset(request_user, user):
        yield Button(
            _("Lift two-factor pause"),
            reverse("tasteget_2fa_reset", args=[user.pk]),
            icon_name="key",
            priority=60,
        )
