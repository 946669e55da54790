"""One FilterSet for the ranked country scores: it drives the overview table, its CSV export and the API list."""

from __future__ import annotations

import django_filters
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django_filters.constants import EMPTY_VALUES

from core import extensions
from core.roles import user_desk_ids
from indicators.models import Band, ConfidenceLevel, CountryScore, Desk
from indicators.scoring.core import DEFAULT_BAND_THRESHOLDS, band_bounds
from indicators.selectors import regions_list

CRIME_GROUP_CHOICES = (
    ("overall", "Overall"),
    ("genocide", "Genocide"),
    ("crimes_against_humanity", "Crimes against humanity"),
    ("war_crimes", "War crimes"),
)
MY_DESKS = "mine"  # the desk filter's value for every desk of the signed-in user
ORDERING_FIELDS = (
    ("country__name", "country"),
    ("focus_score", "score"),
    ("overall", "overall"),
    ("genocide", "genocide"),
    ("crimes_against_humanity", "crimes_against_humanity"),
    ("war_crimes", "war_crimes"),
    ("change_3m", "change_3m"),
    ("change_12m", "change_12m"),
    ("coverage", "coverage"),
    ("data_confidence", "data_confidence"),
    ("last_assessed", "last_assessed"),
)
# Scores with insufficient data are ranked apart: after every banded score, whatever the sort.
INSUFFICIENT_LAST = Case(
    When(data_confidence_level=ConfidenceLevel.INSUFFICIENT, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


class _DeskChoices(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield (MY_DESKS, "My desks")
        for desk in self.queryset:
            yield self.choice(desk)

    def __len__(self) -> int:
        return super().__len__() + 1


class DeskChoiceField(ModelChoiceField):
    """A desk by slug, or "mine" for every desk of the signed-in user; the desks are read only when listed."""

    iterator = _DeskChoices

    def to_python(self, value):
        return MY_DESKS if value == MY_DESKS else super().to_python(value)


class DeskFilter(django_filters.ModelChoiceFilter):
    field_class = DeskChoiceField


class NullsLastOrderingFilter(django_filters.OrderingFilter):
    """Sort by one column, countries without a value last in either direction, ties by name; scores with
    insufficient data after all others (ranked apart)."""

    def filter(self, qs, value):
        # "sort=," splits into empty names; they ask for nothing, so they sort as if no order was given.
        value = [param for param in value or () if param and param.strip("-")]
        if value in EMPTY_VALUES:
            return qs.order_by(INSUFFICIENT_LAST, F("focus_score").desc(nulls_last=True), "country__name")
        expressions = []
        for param in value:
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            column = F(field.lstrip("-"))
            expressions.append(column.desc(nulls_last=True) if descending else column.asc(nulls_last=True))
        return qs.order_by(INSUFFICIENT_LAST, *expressions, "country__name")


class CountryScoreFilter(django_filters.FilterSet):
    """Filters the latest score per country by region, desk, band and crime group, and sorts it.

    The crime group chooses which score ranks the table, colours the map and decides the band filter; `focus_score`
    holds it on every row.
    """

    region = django_filters.ChoiceFilter(field_name="country__region", label="Region", empty_label="All regions")
    desk = DeskFilter(
        queryset=Desk.objects.order_by("name"),
        to_field_name="slug",
        method="filter_desk",
        label="Desk",
        empty_label="All desks",
    )
    band = django_filters.ChoiceFilter(
        choices=Band.choices, method="filter_band", label="Band", empty_label="All bands"
    )
    crime_group = django_filters.ChoiceFilter(
        choices=CRIME_GROUP_CHOICES, method="filter_crime_group", label="Crime group", empty_label=None
    )
    sort = NullsLastOrderingFilter(fields=ORDERING_FIELDS, label="Sort by")

    class Meta:
        model = CountryScore
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, band_thresholds=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.band_thresholds = band_thresholds or DEFAULT_BAND_THRESHOLDS
        self.filters["region"].extra["choices"] = [(region, region) for region in regions_list()]
        self.user = getattr(request, "user", None)
        self._sort_by_extension_columns()

    def _sort_by_extension_columns(self) -> None:
        """Columns other apps add to the overview (core.extensions.overview_columns) sort too when they give an
        expression: `?sort=<column name>` becomes a valid choice, ordered like the others (nulls last)."""
        self.extension_sorts = {column.name: column.sort for column in extensions.overview_columns if column.sort}
        if not self.extension_sorts:
            return
        sort = self.filters["sort"]
        names = {name: name for name in self.extension_sorts}
        sort.param_map.update(names)
        sort.extra["choices"] = [*sort.extra["choices"], *sort.build_choices(names, {})]
        sort.__dict__.pop("_field", None)  # a form field built before would list the old choices

    @property
    def my_desk_ids(self) -> frozenset[int]:
        return user_desk_ids(self.user) if self.user is not None else frozenset()

    def desk_ids(self) -> frozenset[int] | None:
        """The desks the valid desk filter selects (None: every desk), for counting what the ranking leaves out."""
        value = self.form.cleaned_data.get("desk") if self.form.is_valid() else ""
        if not value:
            return None
        if value == MY_DESKS:
            return self.my_desk_ids
        return frozenset({value.pk})

    @property
    def score_column(self) -> str:
        """The CountryScore column the chosen crime group ranks by."""
        if self.is_bound and self.form.is_valid():
            return self.form.cleaned_data.get("crime_group") or "overall"
        return "overall"

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = queryset.annotate(focus_score=F(self.score_column))
        # An extension column's expression is computed only when the ranking is sorted by it.
        wanted = {param.lstrip("-") for param in self.form.cleaned_data.get("sort") or () if param}
        for name in wanted & set(self.extension_sorts):
            queryset = queryset.annotate(**{name: self.extension_sorts[name]()})
        return super().filter_queryset(queryset)

    def filter_crime_group(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The choice is applied in filter_queryset through focus_score; nothing is excluded here.
        return queryset

    def filter_desk(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == MY_DESKS:
            return queryset.filter(country__desk_id__in=self.my_desk_ids)
        return queryset.filter(country__desk=value)

    def filter_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        low, high = band_bounds(self.band_thresholds)[value]
        if low is not None:
            queryset = queryset.filter(focus_score__gte=low)
        if high is not None:
            queryset = queryset.filter(focus_score__lt=high)
        # A score with insufficient data has no band.
        return queryset.exclude(focus_score__isnull=True).exclude(data_confidence_level=ConfidenceLevel.INSUFFICIENT)
