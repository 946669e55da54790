"""Reads for the indicators app: list and detail queries that pages and the API share."""

from __future__ import annotations

from django.db.models import QuerySet

from indicators.models import Assessment, Country, Indicator


def countries_list() -> QuerySet[Country]:
    return Country.objects.select_related("desk").order_by("name")


def country_get(*, iso3: str) -> Country:
    return Country.objects.select_related("desk").get(iso3=iso3.upper())


def indicators_active() -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(framework__is_active=True, is_retired=False)
        .select_related("risk_factor", "framework")
        .order_by("risk_factor__number", "position")
    )


def assessments_for_country(*, country: Country, limit: int | None = None) -> QuerySet[Assessment]:
    queryset = (
        Assessment.objects.filter(country=country)
        .select_related("indicator", "indicator__risk_factor", "author", "dataset_import")
        .order_by("-observed_on", "-recorded_at")
    )
    return queryset[:limit] if limit else queryset
