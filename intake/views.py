"""Thin views: validate, call a service, redirect."""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from places.models import Municipality
from tasteget.helpers import public_origin

from . import ratelimit
from .choices import Kind
from .forms import GuidanceForm, NewsletterPreferencesForm, PreferenceLinkForm
from .models import EmbedLoad, Registration, RegistrationPage, read_registration_thanks, registration_thanks
from .pipeline import finish, handle_form, too_many_message
from .services import (
    confirm_newsletter,
    register_form,
    request_preference_link,
    unsubscribe_newsletter,
    update_newsletter_preferences,
)
from .subscribers import NEWSLETTER_SALT, preferences_link, preferences_link_days, subscription_from_preferences_token

# --- Embedding on municipality websites -------------------------------------


def embed_policy(municipality):
    """CSP for a framed form: only the municipality's listed sites may frame it."""
    return {**settings.SECURE_CSP, "frame-ancestors": ["'self'", *municipality.allowed_origins]}


def embedded(view):
    """Exempt from X-Frame-Options and CSRF cookies; protected by the signed form token."""
    return xframe_options_exempt(csrf_exempt(view))


def municipality_for_embed(slug):
    return get_object_or_404(Municipality.objects.in_default_locale(), slug=slug)


def claimed_origin(request, municipality):
    """The website the form says it is embedded in, when nothing contradicts it.

    `?origin=` (set by the loader script) counts only if it is one of the
    municipality's allowed websites and, where the browser sent a Referer,
    agrees with it: the page that framed the form (on the first load), or
    the form's own address carrying the same `origin` (on sending). Without a
    Referer (a site with `Referrer-Policy: no-referrer`) the allowed claim
    stands; CSP frame-ancestors lets only the allowed sites frame the form.
    """
    parent = request.GET.get("origin", "")
    if parent not in municipality.allowed_origins:
        return ""
    referer = urlsplit(request.headers.get("Referer", ""))
    if not referer.netloc:
        return parent
    if f"{referer.scheme}://{referer.netloc}" == parent:
        return parent
    own_form = referer.netloc == request.get_host() and parse_qs(referer.query).get("origin") == [parent]
    return parent if own_form else ""


@embedded
@require_http_methods(["GET", "POST"])
def embed_form(request, slug):
    municipality = municipality_for_embed(slug)
    parent = claimed_origin(request, municipality)
    source = parent or f"embed:{municipality.slug}"
    if parent and request.method == "GET":
        record_load(municipality, parent)

    def thanks_url(outcome):
        url = reverse("intake_embed_thanks", args=[slug]) + f"?r={registration_thanks(outcome)}"
        return url + ("&origin=" + parent if parent else "")

    def show(form):
        context = {"form": form, "municipality": municipality, "parent_origin": parent}
        return TemplateResponse(request, "intake/embed_form.html", context)

    response = handle_form(
        request,
        GuidanceForm,
        save=lambda form: register_form(form, source=source),
        thanks_url=thanks_url,
        render=show,
        form_kwargs={"municipality": municipality},
    )
    response._csp_config = embed_policy(municipality)
    return response


def record_load(municipality, origin):
    """Remember when the form was last shown on an allowed website (for its web editors)."""
    now = timezone.now()
    if not EmbedLoad.objects.filter(municipality=municipality, origin=origin).update(last_loaded_at=now):
        EmbedLoad.objects.get_or_create(municipality=municipality, origin=origin, defaults={"last_loaded_at": now})


@embedded
def embed_thanks(request, slug):
    municipality = municipality_for_embed(slug)
    registration, _duplicate = read_registration_thanks(request)
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
    add_never_cache_headers(response)  # names the person's municipality and due date
    return response


# A frame that loaded and has not reported in by then was refused by the
# browser (the form reports before its own load event ends).
EMBED_READY_GRACE_MS = 2000
# A frame that has not even loaded by then is given up for the link.
EMBED_REPORT_WAIT_MS = 15000


def registration_page_url():
    """The full registration page in Swedish (the municipality websites' language), absolute, or ""."""
    page = RegistrationPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE).first()
    url = page.url if page else ""
    return url if not url or url.startswith("http") else public_origin() + url


def embed_script(request):
    """The loader a municipality pastes: enhances the plain iframe to resize."""
    with translation.override(settings.LANGUAGE_CODE):  # municipality websites are Swedish, like the form
        response = render(
            request,
            "intake/embed_loader.js",
            {
                "site_origin": public_origin(),  # cached for an hour: never the request's Host
                "link_text": _("Register for moving guidance on tasteget.nu"),
                "loading_text": _("Loading the registration form…"),
                # The fallback: the form with the site around it, the municipality chosen.
                "registration_url": registration_page_url(),
                "grace_ms": EMBED_READY_GRACE_MS,
                "wait_ms": EMBED_REPORT_WAIT_MS,
            },
            content_type="text/javascript",
        )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- Newsletter double opt-in and unsubscribe ---------------------------------


# A confirmation link works for 30 days; an unsubscribe link always works.
LINK_MAX_AGE = {"confirm": 30 * 24 * 3600, "unsubscribe": None}


def registration_from_link(token, action):
    try:
        data = signing.loads(token, salt=NEWSLETTER_SALT, max_age=LINK_MAX_AGE[action])
    except signing.BadSignature as error:
        raise Http404 from error
    if data.get("a") != action:
        raise Http404
    return get_object_or_404(Registration, pk=data["r"], kind=Kind.NEWSLETTER)


@require_http_methods(["GET", "POST"])
def newsletter_confirm(request, token):
    return newsletter_action(request, token, "confirm", "confirmed_at", confirm_newsletter)


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts from mail clients without cookies
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe(request, token):
    return newsletter_action(request, token, "unsubscribe", "unsubscribed_at", unsubscribe_newsletter)


def newsletter_action(request, token, action, done_field, perform):
    """GET shows a button; only the POST changes anything."""
    registration = registration_from_link(token, action)
    done = getattr(registration, done_field) is not None
    if request.method == "POST" and not done:
        perform(registration)
        done = True
    context = {"action": action, "done": done}
    if action == "confirm" and done and registration.unsubscribed_at is None:
        context["preferences_url"] = preferences_link(registration)
    response = render(request, "intake/newsletter_action.html", context)
    if "preferences_url" in context:
        add_never_cache_headers(response)  # holds the subscriber's own link
    return response


# --- The subscriber's preference page -----------------------------------------


@require_http_methods(["GET", "POST"])
def newsletter_preferences(request, token):
    """Interests, municipality, language and unsubscribe, by a signed link.

    A tampered, expired or dead link gets a page (400) that offers a new
    one, never an error. Saving redirects back with `?sparat=1`.
    """
    registration = subscription_from_preferences_token(token)
    if registration is None:
        response = render(
            request, "intake/newsletter_preferences.html", {"invalid": True, "link_form": PreferenceLinkForm()}
        )
        return finish(response, 400)
    if registration.unsubscribed_at is not None:
        return finish(render(request, "intake/newsletter_preferences.html", {"unsubscribed": True}), 200)
    form = NewsletterPreferencesForm(registration=registration)
    if request.method == "POST":
        if "unsubscribe" in request.POST:
            unsubscribe_newsletter(registration)
            return finish(
                render(request, "intake/newsletter_preferences.html", {"unsubscribed": True, "just_now": True}), 200
            )
        form = NewsletterPreferencesForm(request.POST, registration=registration)
        if form.is_valid():
            update_newsletter_preferences(
                registration,
                topics=form.cleaned_data["topics"],
                municipality=form.cleaned_data["municipality"],
                language=form.cleaned_data["language"],
            )
            redirect = HttpResponseRedirect(request.path + "?sparat=1")
            add_never_cache_headers(redirect)
            return redirect
    context = {"form": form, "saved": request.method == "GET" and request.GET.get("sparat") == "1"}
    return finish(render(request, "intake/newsletter_preferences.html", context), 200)


@require_http_methods(["GET", "POST"])
def newsletter_preferences_request(request):
    """Enter the address, get a new preference link if it subscribes (`link_request`)."""
    return link_request(
        request,
        ask=request_preference_link,
        show=lambda context, status: finish(render(request, "intake/newsletter_preferences.html", context), status),
        context={"link_days": preferences_link_days()},
    )


def link_request(request, *, ask, show, context, form_kwargs=None):
    """The form that sends a new signed link (newsletter settings, a mover's page).

    Every valid request gets the same redirect and the same page: `ask`
    queues the look-up in a task (intake/tasks.py), never in the request.
    Valid requests count against the sender's rate limit. `show(context,
    status)` renders the page with `link_form` and `sent` in the context.
    """
    form_kwargs = form_kwargs or {}
    form = PreferenceLinkForm(**form_kwargs)
    status = 200
    if request.method == "POST":
        form = PreferenceLinkForm(request.POST, **form_kwargs)
        if form.is_valid():
            if ratelimit.allow(request):
                ask(form.cleaned_data["email"])
                redirect = HttpResponseRedirect(request.path + "?skickat=1")
                add_never_cache_headers(redirect)
                return redirect
            form.add_error(None, too_many_message())
            status = 429
    sent = request.method == "GET" and request.GET.get("skickat") == "1"
    return show({**context, "link_form": form, "sent": sent}, status)
