from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from intake import consent
from intake.consent import AMBASSADOR_APPLICATION, AMBASSADOR_CONTACT, AMBASSADOR_PROFILE
from intake.forms import MunicipalityChoices, PublicForm, normalise_phone, phone_field


class AmbassadorContactForm(PublicForm):
    """A message to an ambassador, relayed by e-mail: the visitor never sees
    the ambassador's address; the ambassador sees the visitor's only in it."""

    kind = AMBASSADOR_CONTACT
    submit_label = _("Send the message")
    unavailable_message = _("We could not send your message just now. Nothing was sent: please send it again.")

    name = forms.CharField(label=_("Your name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The ambassador answers you here."),
    )
    message = forms.CharField(label=_("Your message"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def build_layout(self):
        return Layout(Fieldset(_("Your message"), "name", "email", "message"), *self.tail())


class AmbassadorApplicationForm(PublicForm):
    """An application to become a place ambassador, for the Region's coordinator.

    The consent to store the application is required (PublicForm's); the
    consent to a public profile is a separate, optional one with its own
    versioned text, so that saying no to it costs nothing.
    """

    kind = AMBASSADOR_APPLICATION
    submit_label = _("Send my application")
    unavailable_message = _("We could not save your application just now. Nothing was stored: please send it again.")

    name = forms.CharField(label=_("Your name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("The coordinator answers you here."),
    )
    phone = phone_field()
    municipality = forms.ChoiceField(label=_("Which municipality do you live in?"))
    place = forms.CharField(
        label=_("Town or village"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    moved_from = forms.CharField(
        label=_("Where did you move from?"),
        max_length=120,
        required=False,
        help_text=_("A town, a region or a country."),
    )
    languages = forms.CharField(
        label=_("Languages you speak"), max_length=200, help_text=_("For example Swedish, English and Arabic.")
    )
    interests = forms.CharField(
        label=_("Your interests"),
        max_length=300,
        required=False,
        help_text=_("For example skiing, music or starting a business. Separate them with commas."),
    )
    text = forms.CharField(
        label=_("Tell us a little about yourself"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why you moved here and how you would like to help newcomers. At most 1,000 characters."),
    )
    public_profile = forms.BooleanField(required=False)
    profile_consent_version = forms.CharField(widget=forms.HiddenInput, max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = MunicipalityChoices(include_region=False)
        self.fields["municipality"].choices = [("", _("Choose…")), *self.municipalities.choices()]
        version, text = consent.current(AMBASSADOR_PROFILE)
        self.fields["public_profile"].label = text
        if not self.is_bound:
            self.initial["profile_consent_version"] = version

    def build_layout(self):
        return Layout(
            Fieldset(_("About you"), "name", "email", "phone"),
            Fieldset(_("Where you live"), "municipality", "place", "moved_from"),
            Fieldset(_("You as an ambassador"), "languages", "interests", "text"),
            Fieldset(_("A public profile (optional)"), "public_profile", "profile_consent_version"),
            *self.tail(),
        )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone"))

    def clean_municipality(self):
        return self.municipalities.chosen(self.cleaned_data["municipality"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("public_profile") and not consent.is_known(
            AMBASSADOR_PROFILE, cleaned.get("profile_consent_version", "")
        ):
            # Not a field error: the hidden field has no label to show.
            self.add_error(None, _("The consent text you saw is not known. Please reload the page."))
        return cleaned
