from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import my_page
from home.sitemaps import TranslatedSitemap
from intake import answers, health
from intake import views as intake_views
from reports import beacon
from reports import views as report_views
from search import views as search_views

from . import observability, security

handler404 = "tasteget.views.page_not_found"
handler500 = "tasteget.views.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("livez", health.livez, name="livez"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path(".well-known/security.txt", security.security_txt, name="security_txt"),
    path(".well-known/security-policy.txt", security.security_policy, name="security_policy"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": TranslatedSitemap}}, name="sitemap"),
    path("embed/tasteget.js", intake_views.embed_script, name="intake_embed_script"),
    path("page-view", beacon.page_view, name="page_view"),
    path("report/<str:token>/", report_views.shared_report, name="reports_shared"),
    path("crm/superoffice/webhook/", answers.superoffice_webhook, name="intake_superoffice_webhook"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)


def localized_route(routes):
    """A route in the active language's words (`routes["en"]` under /en/ …),
    the Swedish one where a language has none.

    Django's translated URL patterns (resolving, `reverse`, `translate_url`
    in the language switcher) work with any lazy string; this one reads a
    table here instead of the gettext catalogue, because an address is not
    prose: it is printed in e-mails and on paper, and must not move when a
    translator edits a catalogue (docs/architecture.md, "Addresses")."""
    return lazy(lambda: routes.get((get_language() or "").split("-")[0], routes[settings.LANGUAGE_CODE]), str)()


SEARCH = {"sv": "sok/", "en": "search/", "de": "suche/", "ar": "search/"}
EMBED_THANKS = {
    "sv": "embed/<slug:slug>/tack/",
    "en": "embed/<slug:slug>/thanks/",
    "de": "embed/<slug:slug>/danke/",
    "ar": "embed/<slug:slug>/thanks/",
}
NEWSLETTER_CONFIRM = {
    "sv": "nyhetsbrev/bekrafta/<str:token>/",
    "en": "newsletter/confirm/<str:token>/",
    "de": "newsletter/bestaetigen/<str:token>/",
    "ar": "newsletter/confirm/<str:token>/",
}
NEWSLETTER_UNSUBSCRIBE = {
    "sv": "nyhetsbrev/avsluta/<str:token>/",
    "en": "newsletter/unsubscribe/<str:token>/",
    "de": "newsletter/abmelden/<str:token>/",
    "ar": "newsletter/unsubscribe/<str:token>/",
}
NEWSLETTER_PREFERENCES_REQUEST = {
    "sv": "nyhetsbrev/installningar/",
    "en": "newsletter/preferences/",
    "de": "newsletter/einstellungen/",
    "ar": "newsletter/preferences/",
}
NEWSLETTER_PREFERENCES = {key: route + "<str:token>/" for key, route in NEWSLETTER_PREFERENCES_REQUEST.items()}
# The mover's own page (home/my_page.py) and where a new link to it is asked for.
MOVER_PAGE_REQUEST = {"sv": "min-sida/", "en": "my-page/", "de": "meine-seite/", "ar": "my-page/"}
MOVER_PAGE = {key: route + "<str:token>/" for key, route in MOVER_PAGE_REQUEST.items()}


def moved(name):
    """The Swedish address under another language's prefix (/en/sok/, links in
    e-mails sent before the addresses were translated): 301 to its own."""
    return RedirectView.as_view(pattern_name=name, permanent=True, query_string=True)


# Swedish lives at /, other languages under their prefix (/en/…).
urlpatterns += i18n_patterns(
    path(localized_route(SEARCH), search_views.search, name="search"),
    path("embed/<slug:slug>/", intake_views.embed_form, name="intake_embed_form"),
    path(localized_route(EMBED_THANKS), intake_views.embed_thanks, name="intake_embed_thanks"),
    path(localized_route(NEWSLETTER_CONFIRM), intake_views.newsletter_confirm, name="intake_newsletter_confirm"),
    path(
        localized_route(NEWSLETTER_UNSUBSCRIBE),
        intake_views.newsletter_unsubscribe,
        name="intake_newsletter_unsubscribe",
    ),
    path(
        localized_route(NEWSLETTER_PREFERENCES_REQUEST),
        intake_views.newsletter_preferences_request,
        name="intake_newsletter_preferences_request",
    ),
    path(
        localized_route(NEWSLETTER_PREFERENCES),
        intake_views.newsletter_preferences,
        name="intake_newsletter_preferences",
    ),
    path(localized_route(MOVER_PAGE_REQUEST), my_page.mover_page_request, name="mover_page_request"),
    path(localized_route(MOVER_PAGE), my_page.mover_page, name="mover_page"),
    # Under /en/, /de/, /ar/ only: in Swedish the routes above match first.
    path(SEARCH["sv"], moved("search")),
    path(EMBED_THANKS["sv"], moved("intake_embed_thanks")),
    path(NEWSLETTER_CONFIRM["sv"], moved("intake_newsletter_confirm")),
    path(NEWSLETTER_UNSUBSCRIBE["sv"], moved("intake_newsletter_unsubscribe")),
    path(NEWSLETTER_PREFERENCES_REQUEST["sv"], moved("intake_newsletter_preferences_request")),
    path(NEWSLETTER_PREFERENCES["sv"], moved("intake_newsletter_preferences")),
    path(MOVER_PAGE_REQUEST["sv"], moved("mover_page_request")),
    path(MOVER_PAGE["sv"], moved("mover_page")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
