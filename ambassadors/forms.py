from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from intake.consent import AMBASSADOR_CONTACT
from intake.forms import IntakeForm


class AmbassadorContactForm(IntakeForm):
    """A message to an ambassador, relayed by e-mail: the visitor never sees
    the ambassador's address; the ambassador sees the visitor's only in it."""

    kind = AMBASSADOR_CONTACT
    submit_label = _("Send the message")

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
