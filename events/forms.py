"""The meet-up sign-up form: the public-form pipeline's base (signed token,
honeypot, minimum fill time, consent) with the person's name and address."""

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from intake.choices import Kind
from intake.forms import PublicForm, first_name_field, last_name_field, normalise_phone, phone_field


class SignupForm(PublicForm):
    kind = Kind.EVENT
    submit_label = _("Sign me up")
    unavailable_message = _("We could not save your sign-up just now. Nothing was stored: please send it again.")

    first_name = first_name_field()
    last_name = last_name_field()
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Your confirmation, the calendar file and the link to cancel are sent here."),
    )
    phone = phone_field()

    def build_layout(self):
        return Layout(Fieldset(_("About you"), "first_name", "last_name", "email", "phone"), *self.tail())

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))
