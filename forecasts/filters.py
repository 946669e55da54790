"""One FilterSet for the latest forecasts: region and desk as on the scores endpoints, and a sort."""

from __future__ import annotations

import django_filters
from django.db.models import F

from forecasts.models import Forecast
from indicators.models import Desk
from indicators.selectors import regions_list

ORDERING_FIELDS = (
    ("country__name", "country"),
    ("probability_1y", "probability_1y"),
    ("probability_2y", "probability_2y"),
    ("rank_1y", "rank_1y"),
    ("rank_2y", "rank_2y"),
)


class ForecastOrderingFilter(django_filters.OrderingFilter):
    def filter(self, qs, value):
        if not value:
            return qs.order_by("rank_1y", "country__name")
        fields = [self.get_ordering_value(param) for param in value]
        expressions = [F(f.lstrip("-")).desc() if f.startswith("-") else F(f).asc() for f in fields]
        return qs.order_by(*expressions, "country__name")


class ForecastFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(field_name="country__region", label="Region", empty_label="All regions")
    desk = django_filters.ModelChoiceFilter(
        field_name="country__desk", queryset=Desk.objects.order_by("name"), to_field_name="slug", label="Desk"
    )
    top = django_filters.NumberFilter(
        field_name="rank_1y", lookup_expr="lte", min_value=1, max_value=500, label="Only the top N by one-year rank"
    )
    sort = ForecastOrderingFilter(fields=ORDERING_FIELDS, label="Sort by")

    class Meta:
        model = Forecast
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["region"].extra["choices"] = [(region, region) for region in regions_list()]
