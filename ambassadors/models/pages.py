"""The ambassador directory: profiles, the relay contact form, applications."""

from django.conf import settings
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from intake.pipeline import handle_form, read_thanks, thanks_token
from places.models import Municipality, with_local_names
from tasteget.helpers import clean_slug
from tasteget.locales import language_code_of
from tasteget.paging import page_of

from ..forms import AmbassadorApplicationForm, AmbassadorContactForm
from ..services import relay_message, submit_application
from .records import Ambassador, interest_key

AMBASSADORS_PER_PAGE = 20


class AmbassadorDirectoryPage(RoutablePageMixin, Page):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("ambassador directory")

    @path("")
    def directory(self, request):
        chosen_municipality = clean_slug(request.GET.get("kommun", ""))
        chosen_language = clean_slug(request.GET.get("sprak", "")).lower()[:10]
        chosen_interest = interest_key(request.GET.get("intresse", "")[:60])
        ambassadors = Ambassador.objects.published().select_related("municipality", "photo")
        # A list of the interests that exist, not free text: an
        # unknown one (an old link, a hand-typed address) is said, not applied.
        interests, ambassadors_by_interest = Ambassador.objects.published().interest_index()
        unknown_interest = chosen_interest if chosen_interest and chosen_interest not in interests else ""
        if unknown_interest:
            chosen_interest = ""
        if chosen_municipality:
            ambassadors = ambassadors.filter(municipality__slug=chosen_municipality)
        if chosen_language:
            ambassadors = ambassadors.filter(languages__iregex=rf"(^|,)\s*{chosen_language}\s*(,|$)")
        if chosen_interest:
            ambassadors = ambassadors.filter(pk__in=ambassadors_by_interest[chosen_interest])
        page_of_ambassadors = page_of(ambassadors, request, AMBASSADORS_PER_PAGE)
        municipalities = list(Municipality.objects.localized(self.locale_id).municipalities())
        return self.render(
            request,
            context_overrides={
                "ambassadors": with_local_names(page_of_ambassadors.object_list, municipalities),
                "page_of_ambassadors": page_of_ambassadors,
                "municipalities": municipalities,
                "chosen_municipality": chosen_municipality,
                "chosen_language": chosen_language,
                "chosen_interest": chosen_interest,
                "unknown_interest": unknown_interest,
                "interests": interests,
                "languages": [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
                "apply_url": self.url + self.reverse_subpage(self.apply_route()),
            },
        )

    @path("<int:pk>/", name="profile")
    def profile(self, request, pk):
        ambassador = get_object_or_404(Ambassador.objects.published().select_related("municipality", "photo"), pk=pk)
        here = self.url + self.reverse_subpage("profile", args=[pk])
        return handle_form(
            request,
            AmbassadorContactForm,
            save=lambda form: relay_message(ambassador, form.cleaned_data, form.submission_key),
            thanks_url=lambda _outcome: here + "?r=" + thanks_token({"sent": "relay", "to": pk}),
            render=lambda form: self.render(
                request,
                context_overrides={
                    "ambassador": ambassador,
                    "form": form,
                    "sent": (read_thanks(request) or {}).get("to") == pk,
                    # The profile, not the directory, in link previews and as
                    # each language's alternate (the same route under every translation).
                    "share_title": ambassador.name,
                    "share_description": Truncator(ambassador.text).words(30, truncate=" …"),
                    "share_image": ambassador.photo,
                    "alternate_suffix": self.reverse_subpage("profile", args=[pk]),
                },
                template="ambassadors/ambassador_profile.html",
            ),
        )

    def get_sitemap_urls(self, request=None):
        """The directory and every published profile under it (their
        alternates are the same profile under each translation: home/sitemaps.py)."""
        urls = super().get_sitemap_urls(request)
        directory = urls[0]["location"] if urls and urls[0]["location"] else None
        if directory is None:
            return urls
        for pk in Ambassador.objects.published().order_by("pk").values_list("pk", flat=True):
            urls.append({"location": directory + self.reverse_subpage("profile", args=[pk])})
        return urls

    def apply_route(self):
        """`bli-ambassador/` on Swedish pages (and their untranslated copies, whose
        addresses are Swedish too), `become-an-ambassador/` on translations."""
        swedish = language_code_of(self.locale_id) == settings.LANGUAGE_CODE or self.alias_of_id
        return "apply" if swedish else "apply_translated"

    @path("bli-ambassador/", name="apply")
    @path("become-an-ambassador/", name="apply_translated")
    def apply(self, request):
        """Become an ambassador: the application goes to the Region's coordinator."""
        here = self.url + self.reverse_subpage(self.apply_route())
        return handle_form(
            request,
            AmbassadorApplicationForm,
            save=lambda form: submit_application(form.cleaned_data, form.submission_key, language=get_language()),
            thanks_url=lambda _outcome: here + "?r=" + thanks_token({"sent": "application"}),
            render=lambda form: self.render(
                request,
                context_overrides={"form": form, "sent": (read_thanks(request) or {}).get("sent") == "application"},
                template="ambassadors/ambassador_application.html",
            ),
        )
