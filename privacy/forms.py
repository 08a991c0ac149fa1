from django import forms
from django.utils.translation import gettext_lazy as _


class PersonForm(forms.Form):
    q = forms.CharField(
        label=_("E-mail address or phone number"),
        max_length=254,
        help_text=_(
            "Searches registrations, consents, newsletter subscriptions, ambassador profiles and applications."
        ),
    )


class EraseForm(PersonForm):
    q = forms.CharField(widget=forms.HiddenInput, max_length=254)
    confirm = forms.BooleanField(
        label=_("I have checked the person's identity and that nothing requires us to keep these data."),
        required=True,
    )
