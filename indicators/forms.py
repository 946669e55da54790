from __future__ import annotations

from django import forms
from django.utils import timezone

from indicators.models import Confidence, Country, Indicator, Severity

MAX_BATCH_ROWS = 40
MAX_COMPARED = 4


class IsoDateInput(forms.DateInput):
    """A browser date picker: type=date inputs accept only ISO dates, whatever the locale's display format, so an
    initial value in the locale's format would show as an empty field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def indicator_choices(indicators: list[Indicator]) -> list:
    """Indicators grouped by risk factor for an <optgroup> select, keyed by primary key."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for indicator in indicators:
        label = f"{indicator.risk_factor.number}. {indicator.risk_factor.name}"
        groups.setdefault(label, []).append((str(indicator.pk), f"{indicator.code} {indicator.short_title}"))
    return [("", "Choose an indicator")] + list(groups.items())


class AssessmentForm(forms.Form):
    """One indicator assessment with its evidence; validation here mirrors the service's.

    `indicators` is evaluated once and shared, so a formset of many rows reads the indicator list one time.
    """

    indicator = forms.ChoiceField(choices=())
    observed_on = forms.DateField(widget=IsoDateInput(), label="Observed on")
    severity = forms.TypedChoiceField(
        choices=[("", "Choose severity"), *((value, f"{value} · {label}") for value, label in Severity.choices)],
        coerce=int,
    )
    confidence = forms.ChoiceField(choices=Confidence.choices, initial=Confidence.MEDIUM)
    source = forms.CharField(max_length=500)
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, indicators=None, indicator_choices_cached=None, **kwargs):
        super().__init__(*args, **kwargs)
        indicators = list(indicators) if indicators is not None else []
        self.indicators_by_pk = {str(indicator.pk): indicator for indicator in indicators}
        self.fields["indicator"].choices = indicator_choices_cached or indicator_choices(indicators)
        self.fields["observed_on"].initial = timezone.localdate

    def has_changed(self) -> bool:
        """A row counts as filled in once it names an indicator, a severity, a source or evidence; the date and
        confidence have defaults, so changing only those leaves a row blank (and ignored)."""
        return any(self[name].data not in (None, "") for name in ("indicator", "severity", "source", "evidence"))

    def clean_indicator(self) -> Indicator:
        value = self.cleaned_data["indicator"]
        try:
            return self.indicators_by_pk[value]
        except KeyError as exc:
            raise forms.ValidationError("Choose one of the framework's active indicators.") from exc

    def clean_observed_on(self):
        observed_on = self.cleaned_data["observed_on"]
        if observed_on > timezone.localdate():
            raise forms.ValidationError("The observation date is in the future.")
        return observed_on


class BaseAssessmentFormSet(forms.BaseFormSet):
    """Several assessments for one country; blank rows are ignored, at least one row must be filled."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.filled_rows():
            raise forms.ValidationError("Fill in at least one row: indicator, date, severity, confidence and source.")

    def filled_rows(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


AssessmentFormSet = forms.formset_factory(
    AssessmentForm,
    formset=BaseAssessmentFormSet,
    extra=3,
    max_num=MAX_BATCH_ROWS,
    validate_max=True,
    absolute_max=MAX_BATCH_ROWS,
)


def assessment_formset(*, data=None, indicators: list[Indicator]) -> BaseAssessmentFormSet:
    choices = indicator_choices(indicators)
    return AssessmentFormSet(
        data,
        prefix="rows",
        form_kwargs={"indicators": indicators, "indicator_choices_cached": choices},
    )


class CompareForm(forms.Form):
    """Up to four other countries to compare with, chosen by ISO-3 code."""

    compare = forms.MultipleChoiceField(required=False, label="Compare with")

    def __init__(self, *args, countries: list[Country], current: Country, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        self.countries_by_iso3 = {country.iso3: country for country in countries}
        self.fields["compare"].choices = [(country.iso3, country.name) for country in countries]

    def clean_compare(self) -> list[Country]:
        codes = [code for code in dict.fromkeys(self.cleaned_data["compare"]) if code != self.current.iso3]
        if len(codes) > MAX_COMPARED:
            raise forms.ValidationError(f"Compare with at most {MAX_COMPARED} countries; you chose {len(codes)}.")
        return [self.countries_by_iso3[code] for code in codes]
