"""The base of every public form, and the three registration forms.
Validation lives here; layout is crispy's; `intake.pipeline` handles a post.

Every form carries a signed, short-lived token instead of relying on the CSRF
cookie: the same form works embedded in a municipality's site where
third-party cookies are blocked (docs/crm-bridge.md explains the choice). The
token also gives the minimum fill time and makes a double submit idempotent.
"""

import secrets
import time
import unicodedata

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from places.models import Municipality, locale_id_of, normalise_origin
from places.postal import in_sweden, swedish_postal_code
from tasteget import pagecache

from . import consent
from .choices import ContactMethod, Kind, MoveWhen, Topic

TOKEN_SALT = "intake.form-token"  # noqa: S105 - a signing namespace, not a secret


# Control characters (Unicode Cc: C0, DEL and C1 such as U+0085) and
# invisible format characters (Cf: bidi overrides, zero-width space, soft
# hyphen, BOM); line breaks and tabs only in multi-line fields.
# The joiners and direction marks that Persian, Arabic and emoji need stay.
_CONTROL = {chr(code) for code in [*range(0, 32), 127]}
_MULTILINE_ALLOWED = {"\n", "\r", "\t"}
_FORMAT_ALLOWED = {"\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}


def _invisible(character):
    return character in _CONTROL or (
        unicodedata.category(character) in ("Cc", "Cf") and character not in _FORMAT_ALLOWED
    )


def reject_control_characters(field_name, value, *, multiline):
    """A clear error instead of a stored or mailed control character.

    A line break in a one-line field (a name) ends up in an e-mail header,
    where the mailer refuses it, after the visitor was told it was sent.
    """
    allowed = _MULTILINE_ALLOWED if multiline else set()
    if isinstance(value, str) and {character for character in set(value) if _invisible(character)} - allowed:
        if not multiline and set(value) & _MULTILINE_ALLOWED:
            message = _("Write this on one line, without line breaks.")
        else:
            message = _("Remove the invisible control characters from this field.")
        raise forms.ValidationError(message, code="control_characters")


def issue_token(kind, started=None):
    """A signed token for a form of `kind`; `started` is when the person began (now by default)."""
    started = int(time.time()) if started is None else started
    return signing.dumps({"k": kind, "t": started, "n": secrets.token_hex(8)}, salt=TOKEN_SALT)


# What a person is asked to do when a required field is empty: the field's own
# words, never "This field is required".
REQUIRED_MESSAGES = {
    "first_name": _("Enter your first name."),
    "last_name": _("Enter your last name."),
    "name": _("Enter your name."),
    "email": _("Enter your e-mail address."),
    "phone": _("Enter your phone number."),
    "preferred_contact": _("Choose how you want us to contact you."),
    "municipality": _("Choose a municipality."),
    "street_address": _("Enter the postal address the magazine should go to."),
    "postal_code": _("Enter your postal code."),
    "town": _("Enter your town."),
    "country": _("Enter your country."),
    "language": _("Choose the language of the newsletter."),
    "languages": _("Enter the languages you speak."),
    "message": _("Write your message."),
    "text": _("Write a little about yourself."),
}
INVALID_EMAIL = _("Enter an e-mail address in the form name@example.org.")


class PublicForm(forms.Form):
    """Signed token (no CSRF cookie needed when embedded), honeypot, minimum
    fill time, and the consent text of the form's purpose (`kind`)."""

    kind = None
    unavailable_message = _("We could not save your registration just now. Nothing was stored: please send it again.")

    form_token = forms.CharField(widget=forms.HiddenInput)
    consent_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    # Honeypot: hidden from people and screen readers; bots fill it in.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    consent = forms.BooleanField(required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version, text = consent.current(self.kind)
        self.fields["consent"].label = text
        self.fields["consent"].error_messages["required"] = _("You need to agree before we can store your details.")
        for name, field in self.fields.items():
            if name in REQUIRED_MESSAGES:
                field.error_messages["required"] = REQUIRED_MESSAGES[name]
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = INVALID_EMAIL
        if not self.is_bound:
            self.initial.update({"form_token": issue_token(self.kind), "consent_version": version})
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = self.build_layout()
        # Errors (the summary lists `form` in field order) in the order people see the fields.
        self.order_fields([pointer.name for pointer in self.helper.layout.get_field_names()])

    def build_layout(self):
        raise NotImplementedError

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if name not in self.cleaned_data or not isinstance(field, forms.CharField):
                continue
            try:
                reject_control_characters(
                    name, self.cleaned_data[name], multiline=isinstance(field.widget, forms.Textarea)
                )
            except forms.ValidationError as error:
                self.add_error(name, error)

    def tail(self):
        return [
            Fieldset(_("Your consent"), "consent", "consent_version", "form_token"),
            HTML('<div class="hp-field" aria-hidden="true">'),
            "website",
            HTML("</div>"),
            Submit("submit", self.submit_label, css_class="button button--large"),
        ]

    def clean_form_token(self):
        try:
            data = signing.loads(self.cleaned_data["form_token"], salt=TOKEN_SALT, max_age=settings.INTAKE_FORM_MAX_AGE)
        except signing.SignatureExpired as error:
            raise forms.ValidationError(
                _("The form was open too long. Your answers are kept: please send it again."), code="expired"
            ) from error
        except signing.BadSignature as error:
            raise forms.ValidationError(
                _("The form could not be verified. Please send it again."), code="bad"
            ) from error
        if data.get("k") != self.kind:
            raise forms.ValidationError(_("The form could not be verified. Please send it again."), code="kind")
        if time.time() - data["t"] < settings.INTAKE_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("That was quicker than a person can fill in the form. Please check your answers and send again."),
                code="too_fast",
            )
        self.submission_key = self.cleaned_data["form_token"].rsplit(":", 1)[-1][:64]
        return self.cleaned_data["form_token"]

    def clean_consent_version(self):
        version = self.cleaned_data["consent_version"]
        if not consent.is_known(self.kind, version):
            raise forms.ValidationError(_("The consent text you saw is not known. Please reload the page."))
        return version

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."), code="honeypot")
        return ""

    def rebound_token(self):
        """After an error, the next submit must get a fresh token (and key).

        The new token keeps the time the person began filling in the form, so
        the minimum fill time never blocks someone correcting an error: only a
        first send quicker than a person can fill in the form is refused.
        """
        if self.is_bound:
            try:
                previous = signing.loads(self.data.get("form_token", ""), salt=TOKEN_SALT)
            except signing.BadSignature:
                previous = {}
            started = previous.get("t") if previous.get("k") == self.kind else None
            data = self.data.copy()
            data["form_token"] = issue_token(self.kind, started=started if isinstance(started, int) else None)
            self.data = data


def phone_field(required=False):
    return forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("With country code if you live outside Sweden, for example +47 …"),
    )


def normalise_phone(value):
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "SE")
    except phonenumbers.NumberParseException as error:
        raise forms.ValidationError(_("Enter a phone number, for example 070-123 45 67."), code="phone") from error
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(_("Enter a phone number, for example 070-123 45 67."), code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def first_name_field():
    return forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )


def last_name_field():
    return forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )


def localized_municipalities():
    """`Municipality.objects.localized()` in the active language, kept in the
    cache until a municipality is saved (home/purge.py): no query per form."""
    locale_id = locale_id_of(None)
    return pagecache.site_wide(
        f"municipalities:{locale_id}",
        lambda: list(Municipality.objects.localized(locale_id)),
        topic="municipalities",
    )


class MunicipalityChoices:
    """The municipalities a form offers, in the visitor's language, read once
    (one query) both to show the choices and to check the one sent back."""

    def __init__(self, include_region=True):
        self.rows = localized_municipalities()
        self.include_region = include_region

    def choices(self):
        """(slug, name) pairs; Swedish names where untranslated, the Region last as "not decided"."""
        choices = [(row.slug, row.local_name) for row in self.rows if not row.is_region]
        region = next((row for row in self.rows if row.is_region), None)
        if self.include_region and region is not None:
            choices.append((region.slug, _("I have not decided yet")))
        return choices

    def chosen(self, slug):
        """The canonical municipality for a submitted slug; a forged one is an error."""
        municipality = next(
            (row for row in self.rows if row.slug == slug and (self.include_region or not row.is_region)), None
        )
        if municipality is None:
            raise forms.ValidationError(_("Choose a municipality from the list."))
        return municipality


def require_phone_for_calls(form, cleaned):
    """A person who wants to be called gives a number."""
    if (
        cleaned.get("preferred_contact") == ContactMethod.PHONE
        and not cleaned.get("phone")
        and "phone" not in form.errors
    ):
        form.add_error("phone", _("Give a phone number, since you want us to call you."))
    return cleaned


class GuidanceForm(PublicForm):
    kind = Kind.GUIDANCE
    submit_label = _("Send my registration")

    first_name = first_name_field()
    last_name = last_name_field()
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = phone_field()
    preferred_contact = forms.ChoiceField(
        label=_("How do you want us to contact you?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=ContactMethod.EMAIL,
    )
    municipality = forms.ChoiceField(label=_("Where would you like to live?"))
    country = forms.CharField(
        label=_("Country"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    town = forms.CharField(
        label=_("Town"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    adults = forms.IntegerField(
        label=_("Adults"),
        min_value=1,
        max_value=20,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    children = forms.IntegerField(
        label=_("Children"),
        min_value=0,
        max_value=20,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    move_when = forms.ChoiceField(
        label=_("When do you plan to move?"), choices=MoveWhen.choices, widget=forms.RadioSelect, required=False
    )
    topics = forms.MultipleChoiceField(
        label=_("What would you like help with?"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    message = forms.CharField(
        label=_("Anything else you want to tell us?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    newsletter_opt_in = forms.BooleanField(label=_("I also want the Ta steget newsletter."), required=False)

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = MunicipalityChoices()
        self.fields["municipality"].choices = [("", _("Choose…")), *self.municipalities.choices()]
        if municipality is not None and not self.is_bound:
            self.initial["municipality"] = municipality.slug

    def build_layout(self):
        return Layout(
            Fieldset(_("About you"), "first_name", "last_name", "email", "phone", "preferred_contact"),
            Fieldset(_("Your move"), "municipality", "move_when", "country", "town", "adults", "children"),
            Fieldset(_("What you need"), "topics", "message", "newsletter_opt_in"),
            *self.tail(),
        )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean_municipality(self):
        return self.municipalities.chosen(self.cleaned_data["municipality"])

    def clean(self):
        return require_phone_for_calls(self, super().clean())


class MagazineForm(PublicForm):
    kind = Kind.MAGAZINE
    submit_label = _("Order the magazine")

    first_name = first_name_field()
    last_name = last_name_field()
    street_address = forms.CharField(
        # One line: "street-address" is for a multi-line field (HTML's autofill rules).
        label=_("Postal address"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=20, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    town = forms.CharField(
        label=_("Town"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=80,
        initial=_("Sweden"),
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Optional: we send a confirmation."),
    )

    def __init__(self, *args, magazine_issue="", **kwargs):
        self.magazine_issue = magazine_issue
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        cleaned["magazine_issue"] = self.magazine_issue
        # A Swedish address needs a postal code PostNord can deliver to; an
        # address abroad keeps the format of its own country.
        if cleaned.get("postal_code") and "country" not in self.errors and in_sweden(cleaned.get("country")):
            written, problem = swedish_postal_code(cleaned["postal_code"])
            if problem:
                self.add_error("postal_code", problem)
            else:
                cleaned["postal_code"] = written
        return cleaned

    def build_layout(self):
        return Layout(
            Fieldset(
                _("Where should we send it?"),
                "first_name",
                "last_name",
                "street_address",
                "postal_code",
                "town",
                "country",
                "email",
            ),
            *self.tail(),
        )


def newsletter_language_field():
    return forms.ChoiceField(
        label=_("Language of the newsletter"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )


def newsletter_topics_field():
    return forms.MultipleChoiceField(
        label=_("What interests you?"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


def newsletter_municipality_field():
    return forms.ChoiceField(label=_("Which municipality interests you most?"), required=False)


def offer_newsletter_municipalities(form):
    form.municipalities = MunicipalityChoices(include_region=False)
    form.fields["municipality"].choices = [("", _("All of the county")), *form.municipalities.choices()]


def newsletter_municipality(form):
    """No choice is the whole county (the Region)."""
    slug = form.cleaned_data.get("municipality")
    if not slug:
        return Municipality.objects.region()
    return form.municipalities.chosen(slug)


class NewsletterForm(PublicForm):
    kind = Kind.NEWSLETTER
    submit_label = _("Subscribe")

    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    language = newsletter_language_field()
    topics = newsletter_topics_field()
    municipality = newsletter_municipality_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_newsletter_municipalities(self)
        if not self.is_bound:
            self.initial.setdefault("language", get_language())

    def build_layout(self):
        return Layout(Fieldset(_("Your subscription"), "email", "language", "topics", "municipality"), *self.tail())

    def clean_municipality(self):
        return newsletter_municipality(self)


class NewsletterPreferencesForm(forms.Form):
    """A subscriber's choices on their preference page (reached by a signed link)."""

    language = newsletter_language_field()
    topics = newsletter_topics_field()
    municipality = newsletter_municipality_field()

    def __init__(self, *args, registration, **kwargs):
        municipality = registration.municipality
        kwargs.setdefault(
            "initial",
            {
                "language": registration.language,
                "topics": registration.topics or [],
                "municipality": "" if municipality.is_region else municipality.slug,
            },
        )
        super().__init__(*args, **kwargs)
        offer_newsletter_municipalities(self)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(_("Your newsletter"), "language", "topics", "municipality"),
            Submit("save", _("Save my choices"), css_class="button button--large"),
        )

    def clean_municipality(self):
        return newsletter_municipality(self)


class PreferenceLinkForm(forms.Form):
    """Ask for a new link (newsletter settings, a mover's page): only the address, and a honeypot."""

    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    website = PublicForm.base_fields["website"]

    def __init__(self, *args, legend=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(legend or _("The address you subscribe with"), "email"),
            HTML('<div class="hp-field" aria-hidden="true">'),
            "website",
            HTML("</div>"),
            Submit("send", _("Send me a new link"), css_class="button button--large"),
        )

    def clean_email(self):
        email = self.cleaned_data["email"]
        reject_control_characters("email", email, multiline=False)
        return email.strip()

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."), code="honeypot")
        return ""


def plain_helper(form, *layout):
    """Crispy without a form tag or CSRF token (a signed link is the credential: no cookie)."""
    form.helper = FormHelper(form)
    form.helper.form_tag = False
    form.helper.disable_csrf = True
    form.helper.layout = Layout(*layout)


class MoverChangeForm(forms.Form):
    """What a mover may change on their own page (home/my_page.py)."""

    phone = phone_field()
    preferred_contact = GuidanceForm.base_fields["preferred_contact"]
    topics = GuidanceForm.base_fields["topics"]
    move_when = GuidanceForm.base_fields["move_when"]

    def __init__(self, *args, registration, **kwargs):
        kwargs.setdefault("initial", {name: getattr(registration, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.fields["preferred_contact"].error_messages["required"] = REQUIRED_MESSAGES["preferred_contact"]
        plain_helper(
            self,
            Fieldset(_("Your details"), "phone", "preferred_contact", "move_when", "topics"),
            Submit("change", _("Save my changes"), css_class="button button--large"),
        )

    def clean_phone(self):
        value = self.cleaned_data.get("phone")
        reject_control_characters("phone", value, multiline=False)
        return normalise_phone(value)

    def clean(self):
        return require_phone_for_calls(self, super().clean())


class MoverQuestionForm(forms.Form):
    """A question to the mover's advisers, relayed by e-mail."""

    question = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your question.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_helper(
            self,
            Fieldset(_("Ask your adviser"), "question"),
            Submit("ask", _("Send my question"), css_class="button button--large"),
        )

    def clean_question(self):
        value = self.cleaned_data["question"]
        reject_control_characters("question", value, multiline=True)
        return value.strip()


class MoverErasureForm(forms.Form):
    """The mover asks to be erased: a confirmation, then the data protection officer acts."""

    confirm = forms.BooleanField(
        label=_("Yes, erase my registration and what I told you."),
        error_messages={"required": _("Tick the box to confirm that you want your data erased.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_helper(
            self,
            Fieldset(_("Erase my data"), "confirm"),
            Submit("erase", _("Ask for erasure"), css_class="button"),
        )


class AllowedWebsitesForm(forms.Form):
    """A municipality web editor's list of websites that may show the form."""

    origins = forms.CharField(
        label=_("Websites allowed to show the form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text=_("One per line: only the scheme and host, such as https://www.krokom.se."),
    )

    def clean_origins(self):
        """Each line checked on its own; an error names the line."""
        origins, errors = [], []
        for number, line in enumerate(self.cleaned_data["origins"].splitlines(), start=1):
            origin = line.strip(" \t").rstrip("/")
            if not origin:
                continue
            try:
                origin = normalise_origin(origin)
            except forms.ValidationError as error:
                errors.append(
                    forms.ValidationError(
                        _("Line %(number)s (%(line)s): %(problem)s"),
                        params={"number": number, "line": origin[:80], "problem": " ".join(error.messages)},
                    )
                )
                continue
            if origin not in origins:
                origins.append(origin)
        if errors:
            raise forms.ValidationError(errors)
        return origins
