"""Thin views: validate, call a service, redirect."""

from django.core import signing
from django.db import DatabaseError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from home.models import Municipality

from . import ratelimit
from .forms import GuidanceForm
from .models import Kind, Registration
from .services import register

THANKS_SALT = "intake.thanks"
NEWSLETTER_SALT = "intake.newsletter"


def process(request, form_class, *, source, form_kwargs=None):
    """Handle a GET or POST of a registration form.

    Returns (form, outcome, status): outcome is set when something was stored
    (or had been stored before); otherwise the form is shown again, with its
    errors and every valid answer kept.
    """
    form_kwargs = form_kwargs or {}
    if request.method != "POST":
        return form_class(**form_kwargs), None, 200
    form = form_class(request.POST, **form_kwargs)
    status = check_submission(request, form)
    if status:
        return form, None, status
    cleaned = form.cleaned_data
    municipality = cleaned.get("municipality") or Municipality.objects.in_default_locale().get(kind="region")
    language = cleaned.get("language") or translation.get_language()
    try:
        outcome = register(
            kind=form.kind,
            cleaned=cleaned,
            municipality=municipality,
            source=source,
            language=language,
            submission_key=form.submission_key,
            consent_version=cleaned["consent_version"],
        )
    except DatabaseError:
        form.add_error(
            None, _("We could not save your registration just now. Nothing was stored: please send it again.")
        )
        form.rebound_token()
        return form, None, 503
    return form, outcome, 200


def check_submission(request, form):
    """Validate a posted intake form and count it against the sender's rate limit.

    Returns None when the form may be processed; otherwise the status to show
    it again with (429 when rate limited, 200 with errors), every valid answer
    kept and a fresh token for the next try. Every public form goes through
    here (registrations, the ambassador contact form and application).
    """
    if not ratelimit.allow(request):
        form.is_valid()
        form.add_error(
            None, _("Too many forms have been sent from your address. Please wait a few minutes and send again.")
        )
        form.rebound_token()
        return 429
    if not form.is_valid():
        form.rebound_token()
        return 200
    return None


def thanks_token(outcome):
    return signing.dumps({"r": outcome.registration.pk, "d": outcome.duplicate_order}, salt=THANKS_SALT)


def read_thanks(request):
    try:
        data = signing.loads(request.GET.get("r", ""), salt=THANKS_SALT, max_age=3600)
    except signing.BadSignature:
        return None, False
    return Registration.objects.select_related("municipality").filter(pk=data["r"]).first(), data.get("d", False)


# --- Embedding on municipality websites -------------------------------------


def embed_policy(municipality):
    """CSP for a framed form: only the municipality's listed sites may frame it."""
    from django.conf import settings

    return {**settings.SECURE_CSP, "frame-ancestors": ["'self'", *municipality.allowed_origins]}


def embedded(view):
    """Exempt from X-Frame-Options and CSRF cookies; protected by the signed form token."""
    return xframe_options_exempt(csrf_exempt(view))


def municipality_for_embed(slug):
    return get_object_or_404(Municipality.objects.in_default_locale(), slug=slug)


@embedded
@require_http_methods(["GET", "POST"])
def embed_form(request, slug):
    municipality = municipality_for_embed(slug)
    parent = request.GET.get("origin", "")
    if parent not in municipality.allowed_origins:
        parent = ""
    source = parent or f"embed:{municipality.slug}"
    form, outcome, status = process(request, GuidanceForm, source=source, form_kwargs={"municipality": municipality})
    if outcome:
        url = reverse("intake_embed_thanks", args=[slug]) + f"?r={thanks_token(outcome)}"
        if parent:
            url += "&origin=" + parent
        response = HttpResponseRedirect(url)
    else:
        response = TemplateResponse(
            request,
            "intake/embed_form.html",
            {"form": form, "municipality": municipality, "parent_origin": parent},
            status=status,
        )
    response._csp_config = embed_policy(municipality)
    return response


@embedded
def embed_thanks(request, slug):
    municipality = municipality_for_embed(slug)
    registration, _duplicate = read_thanks(request)
    parent = request.GET.get("origin", "")
    response = render(
        request,
        "intake/embed_thanks.html",
        {
            "registration": registration,
            "municipality": municipality,
            "parent_origin": parent if parent in municipality.allowed_origins else "",
        },
    )
    response._csp_config = embed_policy(municipality)
    return response


def embed_script(request):
    """The loader a municipality pastes: enhances the plain iframe to resize."""
    response = render(
        request,
        "intake/embed_loader.js",
        {"site_origin": request.build_absolute_uri("/")[:-1]},
        content_type="text/javascript",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Newsletter double opt-in and unsubscribe ---------------------------------


def newsletter_link(registration, action):
    token = signing.dumps({"r": registration.pk, "a": action}, salt=NEWSLETTER_SALT)
    return reverse(f"intake_newsletter_{action}", args=[token])


def registration_from_link(token, action):
    try:
        data = signing.loads(token, salt=NEWSLETTER_SALT)
    except signing.BadSignature as error:
        raise Http404 from error
    if data.get("a") != action:
        raise Http404
    return get_object_or_404(Registration, pk=data["r"], kind=Kind.NEWSLETTER)


@require_http_methods(["GET", "POST"])
def newsletter_confirm(request, token):
    from .services import confirm_newsletter

    return newsletter_action(request, token, "confirm", "confirmed_at", confirm_newsletter)


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts from mail clients without cookies
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request, token):
    from .services import unsubscribe_newsletter

    return newsletter_action(request, token, "unsubscribe", "unsubscribed_at", unsubscribe_newsletter)


def newsletter_action(request, token, action, done_field, perform):
    """GET shows a button; only the POST changes anything."""
    registration = registration_from_link(token, action)
    done = getattr(registration, done_field) is not None
    if request.method == "POST" and not done:
        perform(registration)
        done = True
    return render(request, "intake/newsletter_action.html", {"action": action, "done": done})
