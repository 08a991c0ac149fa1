from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home.sitemaps import TranslatedSitemap
from intake import answers, health
from intake import views as intake_views
from reports import beacon
from search import views as search_views

from . import security

handler404 = "tasteget.views.page_not_found"
handler500 = "tasteget.views.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(".well-known/security.txt", security.security_txt, name="security_txt"),
    path(".well-known/security-policy.txt", security.security_policy, name="security_policy"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": TranslatedSitemap}}, name="sitemap"),
    path("embed/tasteget.js", intake_views.embed_script, name="intake_embed_script"),
    path("page-view", beacon.page_view, name="page_view"),
    path("crm/superoffice/webhook/", answers.superoffice_webhook, name="intake_superoffice_webhook"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Swedish lives at /, other languages under their prefix (/en/…).
urlpatterns += i18n_patterns(
    path("sok/", search_views.search, name="search"),
    path("embed/<slug:slug>/", intake_views.embed_form, name="intake_embed_form"),
    path("embed/<slug:slug>/tack/", intake_views.embed_thanks, name="intake_embed_thanks"),
    path("nyhetsbrev/bekrafta/<str:token>/", intake_views.newsletter_confirm, name="intake_newsletter_confirm"),
    path("nyhetsbrev/avsluta/<str:token>/", intake_views.newsletter_unsubscribe, name="intake_newsletter_unsubscribe"),
    path(
        "nyhetsbrev/installningar/",
        intake_views.newsletter_preferences_request,
        name="intake_newsletter_preferences_request",
    ),
    path(
        "nyhetsbrev/installningar/<str:token>/",
        intake_views.newsletter_preferences,
        name="intake_newsletter_preferences",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
