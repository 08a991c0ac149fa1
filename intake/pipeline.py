"""One pipeline for every public form (docs/architecture.md).

Registrations for guidance, the magazine and the newsletter, the message to
an ambassador and the application to become one all go through `handle_form`:

    GET  → the empty form;
    POST → `check_submission` (signed token, honeypot, minimum fill time,
           consent version, the form's own rules; then the rate limit,
           which counts only valid submissions)
         → the form's service stores what was sent
         → a redirect to a signed thank-you address.

Whatever goes wrong, the visitor keeps every valid answer: invalid input
shows the form again with its errors (200), too many posts from one address
429, and a database that cannot store just now 503 with `Retry-After`.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from . import ratelimit

THANKS_SALT = "intake.thanks"
THANKS_MAX_AGE = 3600
RETRY_AFTER_SECONDS = 30


class Refused(Exception):
    """Raised by a form's `save` to show the form again with a message.

    For what only the service can know: a target that received enough today,
    a token already used by other answers. Nothing was stored.
    """

    def __init__(self, message, status=200):
        super().__init__(message)
        self.message = message
        self.status = status


def reused_token_message():
    return _(
        "This form was already sent with other answers, perhaps by someone else. "
        "Your answers are kept: please check them and send again."
    )


def too_many_message():
    return _("Too many forms have been sent from your address. Please wait a few minutes and send again.")


def check_submission(request, form):
    """Validate a posted public form; a valid one counts against the sender's rate limit.

    Returns None when the form may be processed; otherwise the status to show
    it again with (429 when rate limited, 200 with errors), every valid answer
    kept and a fresh token for the next try. Invalid posts do not count: an
    empty POST costs an attacker as much as it costs us, and behind a
    misconfigured proxy it would otherwise block every visitor.
    """
    if not form.is_valid():
        form.rebound_token()
        return 200
    if not ratelimit.allow(request):
        form.add_error(None, too_many_message())
        form.rebound_token()
        return 429
    return None


def handle_form(request, form_class, *, save, thanks_url, render, form_kwargs=None):
    """GET or POST of a public form; returns the response.

    `save(form)` stores what the valid form holds and returns the outcome;
    `thanks_url(outcome)` is where the visitor goes next; `render(form)`
    returns the page showing the form (its status is set here).
    """
    form_kwargs = form_kwargs or {}
    if request.method != "POST":
        return finish(render(form_class(**form_kwargs)), 200)
    form = form_class(request.POST, **form_kwargs)
    status = check_submission(request, form)
    if status is None:
        try:
            outcome = save(form)
        except Refused as refused:
            form.add_error(None, refused.message)
            form.rebound_token()
            status = refused.status
        except DatabaseError:
            form.add_error(None, form.unavailable_message)
            form.rebound_token()
            status = 503
        else:
            redirect = HttpResponseRedirect(thanks_url(outcome))
            add_never_cache_headers(redirect)  # the answer to a personal POST
            return redirect
    return finish(render(form), status)


def finish(response, status):
    """A page with a personal form is never cached and carries the form's status."""
    response.status_code = status
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _thanks_cipher():
    """Fernet keys derived from SECRET_KEY (and its fallbacks, so a key rotation
    does not break a thank-you page that is being opened)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(salted_hmac(THANKS_SALT, "fernet", secret=key, algorithm="sha256").digest())
            )
            for key in keys
        ]
    )


def thanks_token(data):
    """An encrypted, short-lived value for the thank-you address (`?r=…`).

    Encrypted, not only signed, and different on every call (Fernet's random
    IV): the address says nothing about the registration, and a repeated
    magazine order gets an address just like a first one."""
    plain = json.dumps(data, separators=(",", ":")).encode()
    return _thanks_cipher().encrypt(plain).decode().rstrip("=")


def read_thanks(request):
    """The value `thanks_token` encrypted, or None when missing, forged or old."""
    token = request.GET.get("r", "")
    if not token or len(token) > 1000 or not token.isascii():
        return None
    try:
        plain = _thanks_cipher().decrypt((token + "=" * (-len(token) % 4)).encode(), ttl=THANKS_MAX_AGE)
        return json.loads(plain)
    except (InvalidToken, ValueError):
        return None
