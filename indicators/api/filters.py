"""API-only filters; the latest-scores list reuses indicators.filters.CountryScoreFilter, shared with the overview."""

from __future__ import annotations

import django_filters

from core.api.filters import IntegerFilter, StrictBooleanFilter, UtcIsoDateTimeFilter
from indicators.models import Assessment, Confidence, Country, CrimeGroup, Indicator, ScoreRun, Severity, UnStatus


class CountryFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region", lookup_expr="iexact")
    desk = django_filters.CharFilter(field_name="desk__slug", help_text="Desk slug.")
    un_status = django_filters.ChoiceFilter(choices=UnStatus.choices)

    class Meta:
        model = Country
        fields: list[str] = []


class IndicatorFilter(django_filters.FilterSet):
    risk_factor = IntegerFilter(field_name="risk_factor__number", min_value=1, max_value=99)
    crime_group = django_filters.ChoiceFilter(field_name="risk_factor__crime_group", choices=CrimeGroup.choices)
    is_retired = StrictBooleanFilter()

    class Meta:
        model = Indicator
        fields: list[str] = []


class AssessmentFilter(django_filters.FilterSet):
    country = django_filters.CharFilter(method="filter_country", help_text="ISO-3 code.")
    indicator = django_filters.CharFilter(field_name="indicator__code", help_text="Indicator code, e.g. 7.4.")
    risk_factor = IntegerFilter(field_name="indicator__risk_factor__number", min_value=1, max_value=99)
    crime_group = django_filters.ChoiceFilter(
        field_name="indicator__risk_factor__crime_group", choices=CrimeGroup.choices
    )
    region = django_filters.CharFilter(field_name="country__region", lookup_expr="iexact")
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    min_severity = IntegerFilter(field_name="severity", lookup_expr="gte", min_value=0, max_value=3)
    confidence = django_filters.ChoiceFilter(choices=Confidence.choices)
    observed_after = django_filters.DateFilter(field_name="observed_on", lookup_expr="gte", help_text="On or after.")
    observed_before = django_filters.DateFilter(field_name="observed_on", lookup_expr="lte", help_text="On or before.")
    author = django_filters.CharFilter(field_name="author__username", help_text="Username of the analyst.")
    dataset_import = IntegerFilter(field_name="dataset_import_id", min_value=1, max_value=2**31 - 1)
    include_superseded = StrictBooleanFilter(
        method="filter_include_superseded",
        help_text=(
            "Also list the rows of imports that a re-import of the same file under a newer mapping version "
            "superseded, and the demonstration data once real data was imported (they no longer count; each such "
            "row says `superseded: true`). Left out by default."
        ),
    )

    class Meta:
        model = Assessment
        fields: list[str] = []

    def filter_country(self, queryset, name, value):
        return queryset.filter(country__iso3=value.strip().upper())

    def filter_include_superseded(self, queryset, name, value):
        return queryset  # applied in filter_queryset, because leaving them out is the default

    def filter_queryset(self, queryset):
        """A list leaves out superseded imports' rows unless asked; one assessment fetched by its id is always found.
        Only rows that may be superseded are annotated `superseded`: the others read False (the serializer's
        default), which spares the default list a subquery per row."""
        queryset = super().filter_queryset(queryset)
        view = getattr(self.request, "parser_context", {}).get("view")
        if getattr(view, "action", "list") != "list" or self.form.cleaned_data.get("include_superseded"):
            return queryset.with_superseded()
        return queryset.not_superseded()


class ScoreRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ScoreRun.Status.choices)
    trigger = django_filters.ChoiceFilter(choices=ScoreRun.Trigger.choices)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = ScoreRun
        fields: list[str] = []
