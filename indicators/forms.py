from django import forms
from django.utils import timezone

from indicators.models import Confidence, Indicator, Severity


class AssessmentForm(forms.Form):
    """One indicator assessment with its evidence; validation here mirrors the service's."""

    indicator = forms.ModelChoiceField(queryset=Indicator.objects.none())
    observed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Observed on")
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int)
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.MEDIUM)
    source = forms.CharField(max_length=500)
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators if indicators is not None else Indicator.objects.none()
        self.fields["indicator"].label_from_instance = lambda indicator: f"{indicator.code} {indicator.short_title}"
        self.fields["observed_on"].initial = timezone.localdate

    def clean_observed_on(self):
        observed_on = self.cleaned_data["observed_on"]
        if observed_on > timezone.localdate():
            raise forms.ValidationError("The observation date is in the future.")
        return observed_on
