import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .figures import Period

FIRST_YEAR = 2021  # the cooperation agreement's first year
LONGEST = datetime.timedelta(days=731)


def quarter_choices(today):
    current = Period.quarter_of(today)
    choices = []
    period = current
    while period.start.year >= FIRST_YEAR:
        choices.append((period.quarter_label, period.quarter_label.replace("-", " ")))
        period = period.previous_quarter()
    return choices


class ReportForm(forms.Form):
    """The period (a quarter, or any from–to) and the municipality of the report."""

    quarter = forms.ChoiceField(label=_("Quarter"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)

    def __init__(self, *args, municipalities, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["quarter"].choices = quarter_choices(self.today)
        choices = [(m.slug, m.name) for m in municipalities]
        if len(choices) > 1:
            choices.insert(0, ("", _("All, side by side")))
        self.fields["municipality"].choices = choices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Give both dates of the period, or choose a quarter."))
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The period must end on or after the day it starts."))
            if end - start > LONGEST:
                raise forms.ValidationError(_("Choose a period of at most two years."))
        return cleaned

    def period(self):
        """The chosen period; this quarter when the form is empty or wrong."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start"):
            return Period(data["start"], data["end"])
        label = data.get("quarter") or ""
        if label:
            year, number = label.split("-Q")
            return Period.quarter(int(year), int(number))
        return Period.quarter_of(self.today)

    def chosen_slug(self):
        return (self.cleaned_data.get("municipality") or "") if self.is_bound and self.is_valid() else ""
