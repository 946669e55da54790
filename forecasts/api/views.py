"""Forecast API: the latest forecast of every country, one country's history, and the model versions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from core.api.renderers import CsvListMixin
from forecasts import selectors
from forecasts.api import serializers as api_serializers
from forecasts.filters import ForecastFilter
from forecasts.models import Forecast, ForecastModel
from indicators.models import Country

ISO3_REGEX = "[A-Za-z]{3}"


@extend_schema_view(
    list=extend_schema(
        summary="Latest onset forecasts of all countries",
        description=(
            "Each country's forecast from the newest published model: the probability of a new mass killing (EWP's "
            "definition) starting in year T, and in T or T+1, from data up to the end of T-1; ranks, main drivers "
            "and the features that were missing. Filters as on the scores list (region, desk) plus `top`."
        ),
    ),
    retrieve=extend_schema(
        summary="One country's forecast history",
        description="Every published model's forecast for the country, oldest forecast year first.",
        responses={200: api_serializers.ForecastHistorySerializer},
    ),
)
class ForecastViewSet(CsvListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api_serializers.ForecastSerializer
    filterset_class = ForecastFilter
    lookup_field = "iso3"
    lookup_value_regex = ISO3_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Forecast.objects.none()
        return selectors.forecasts_latest()

    def retrieve(self, request, iso3: str):
        country = get_object_or_404(Country, iso3=iso3.upper())
        history = selectors.forecast_history(country=country)
        return Response(
            {
                "country": {"iso3": country.iso3, "name": country.name, "region": country.region},
                "forecasts": api_serializers.ForecastSerializer(history, many=True).data,
            }
        )


@extend_schema_view(
    list=extend_schema(summary="Forecast model versions", description="Newest first, each with its full record."),
    retrieve=extend_schema(summary="One forecast model version"),
)
class ForecastModelViewSet(CsvListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = api_serializers.ForecastModelSerializer
    lookup_field = "version"
    lookup_value_regex = "[0-9]{1,9}"
    filterset_class = None

    def get_queryset(self):
        return ForecastModel.objects.filter(is_published=True).order_by("-version")
