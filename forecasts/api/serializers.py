from __future__ import annotations

from rest_framework import serializers

from forecasts.models import Forecast, ForecastModel
from indicators.api.serializers import CountryRefSerializer


class DriverSerializer(serializers.Serializer):
    feature = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    effect = serializers.FloatField(help_text="Change in the one-year probability this feature accounts for.")
    direction = serializers.ChoiceField(choices=["raises", "lowers"])


class ForecastSerializer(serializers.ModelSerializer):
    country = CountryRefSerializer()
    model_version = serializers.IntegerField(source="model.version")
    trained_through = serializers.IntegerField(source="model.trained_through")
    data_year = serializers.IntegerField(source="model.data_year")
    drivers = DriverSerializer(many=True)
    missing_features = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Forecast
        fields = [
            "country",
            "year",
            "probability_1y",
            "probability_2y",
            "rank_1y",
            "rank_2y",
            "countries_ranked",
            "model_version",
            "trained_through",
            "data_year",
            "drivers",
            "missing_features",
        ]


class ForecastHistorySerializer(serializers.Serializer):
    country = CountryRefSerializer()
    forecasts = ForecastSerializer(many=True)


class ForecastModelSerializer(serializers.ModelSerializer):
    run = serializers.IntegerField(source="run_id")

    class Meta:
        model = ForecastModel
        fields = [
            "version",
            "created_at",
            "run",
            "forecast_year",
            "data_year",
            "training_first_year",
            "trained_through",
            "features",
            "horizons",
            "backtest",
            "seed",
            "library_versions",
        ]
