"""The registration form pages: one form each, and its thank-you page."""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from places.models import Municipality
from tasteget.helpers import clean_slug
from tasteget.locales import language_code_of
from tasteget.translations import follow_visitor_language

from ..forms import GuidanceForm, MagazineForm, NewsletterForm
from ..pipeline import handle_form, read_thanks, thanks_token
from ..services import register_form
from .registrations import Registration


def registration_thanks(outcome):
    """The signed value of a registration's thank-you address (`?r=…`)."""
    # A repeated magazine order looks exactly like a new one: otherwise anyone
    # could learn whether an address has ordered.
    # The date promised is the outcome's (a repeat on an open case promises
    # what a first registration that day would): the page then reads the
    # same whether or not the address had registered before.
    data = {"r": outcome.registration.pk}
    if outcome.due_date:
        data["u"] = outcome.due_date.isoformat()
    return thanks_token(data)


def read_registration_thanks(request):
    """The registration a signed thank-you address names (or None), and whether it was a repeated order."""
    data = read_thanks(request) or {}
    if not data.get("r"):
        return None, False
    registration = Registration.objects.select_related("municipality").filter(pk=data["r"]).first()
    if registration is not None and data.get("u"):
        registration.due_date = datetime.date.fromisoformat(data["u"])  # shown, never saved
    return registration, data.get("d", False)


class FormPage(RoutablePageMixin, Page):
    """A page that shows one registration form and its thank-you page."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link", "ul"])
    thank_you_title = models.CharField(_("thank-you title"), max_length=120, default="Tack!")
    thank_you_text = RichTextField(_("thank-you text"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("thank_you_title"), FieldPanel("thank_you_text")], heading=_("After sending")),
    ]
    parent_page_types = ["home.HomePage", "home.ContentPage", "home.MunicipalityPage"]
    subpage_types = []

    class Meta:
        abstract = True

    form_template = "intake/form_page.html"

    def serve(self, request, *args, **kwargs):
        # Not translated yet: the form, its errors, the thank-you page and the
        # e-mails still follow the visitor's language, and the registration
        # records it (the adviser and the CRM learn what the person reads).
        follow_visitor_language(request)
        return super().serve(request, *args, **kwargs)

    def form_kwargs(self, request):
        return {}

    def get_form_class(self):
        raise NotImplementedError

    def save_form(self, form):
        return register_form(form, source="tasteget.nu")

    @path("")
    def form_view(self, request):
        return handle_form(
            request,
            self.get_form_class(),
            save=self.save_form,
            thanks_url=lambda outcome: (
                self.url + self.reverse_subpage(self.thanks_route()) + f"?r={registration_thanks(outcome)}"
            ),
            render=lambda form: self.render(request, context_overrides={"form": form}, template=self.form_template),
            form_kwargs=self.form_kwargs(request),
        )

    def thanks_route(self):
        """`tack/` on Swedish pages (and their untranslated copies, whose addresses
        are Swedish too), `thanks/` on translations: addresses in the page's language."""
        swedish = language_code_of(self.locale_id) == settings.LANGUAGE_CODE or self.alias_of_id
        return "thanks" if swedish else "thanks_translated"

    @path("tack/", name="thanks")
    @path("thanks/", name="thanks_translated")
    def thanks(self, request):
        registration, _duplicate = read_registration_thanks(request)
        response = self.render(
            request, context_overrides={"registration": registration}, template="intake/thanks_page.html"
        )
        add_never_cache_headers(response)  # about one person's registration
        return response


class RegistrationPage(FormPage):
    class Meta:
        verbose_name = _("registration page (moving guidance)")

    def get_form_class(self):
        return GuidanceForm

    def form_kwargs(self, request):
        slug = clean_slug(request.GET.get("kommun") or request.GET.get("municipality"))
        chosen = Municipality.objects.in_default_locale().filter(slug=slug).first() if slug else None
        return {"municipality": chosen}


def registration_url_for(locale_id, municipality):
    """The guidance form in this language with the municipality chosen, or ""."""
    page = RegistrationPage.objects.live().filter(locale_id=locale_id).first()
    return f"{page.url}?kommun={municipality.slug}" if page else ""


def magazine_issue_on_order():
    """The magazine issue orders are taken for now, or "" when none.

    The magazine app owns issues and marks the current one; it answers
    through the `current_magazine_issue` hook (intake sits below it).
    """
    for hook in hooks.get_hooks("current_magazine_issue"):
        number = hook()
        if number:
            return number
    return ""


class MagazineOrderPage(FormPage):
    """The order form for the printed magazine: always the current issue."""

    class Meta:
        verbose_name = _("magazine order page")

    def get_form_class(self):
        return MagazineForm

    def form_kwargs(self, request):
        return {"magazine_issue": magazine_issue_on_order()}

    @path("")
    def form_view(self, request):
        if not magazine_issue_on_order():
            # Between issues: say so, and take no order for an issue that is not out.
            response = self.render(request, context_overrides={"orders_closed": True}, template=self.form_template)
            add_never_cache_headers(response)  # kept out of the page cache: it opens when an issue is published
            return response
        return super().form_view(request)


class NewsletterPage(FormPage):
    class Meta:
        verbose_name = _("newsletter page")

    def get_form_class(self):
        return NewsletterForm

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # For subscribers: where to ask for the link to their settings.
        context["preferences_request_url"] = reverse("intake_newsletter_preferences_request")
        return context
