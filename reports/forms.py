"""Forms of the reports page: generate a report, correct a published one, withdraw a draft."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports.editions import EDITIONS
from reports.periods import period_parse, quarter_before


class GenerateForm(forms.Form):
    period = forms.CharField(
        max_length=7,
        help_text="A quarter such as 2026-Q3, or a year such as 2026.",
        widget=forms.TextInput(attrs={"pattern": r"\d{4}(-[Qq][1-4])?", "autocomplete": "off", "size": 8}),
    )
    edition = forms.ChoiceField(choices=list(EDITIONS.items()), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = quarter_before(timezone.localdate()).code
        self.fields["edition"].initial = "internal"

    def clean_period(self) -> str:
        try:
            return period_parse(self.cleaned_data["period"]).code
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class CorrectionForm(forms.Form):
    note = forms.CharField(
        label="What the correction changes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Printed on the corrected report's cover, naming the version it replaces.",
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why", required=False, widget=forms.TextInput(attrs={"size": 40}))
