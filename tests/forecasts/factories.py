"""A published forecast model with forecasts for given countries, without training one (for page and API tests)."""

from __future__ import annotations

from forecasts.models import Forecast, ForecastModel, ForecastRun

BACKTEST = {
    "first_year": 1994,
    "last_year": 2010,
    "figures": {
        "1y": {
            "ours": {
                "rows": 2700,
                "onsets": 23,
                "roc_auc": 0.86,
                "average_precision": 0.08,
                "brier": 0.0083,
                "top_hits": 16,
            },
            "same_rows_as_ewp": {
                "ours": {
                    "rows": 2699,
                    "onsets": 23,
                    "roc_auc": 0.838,
                    "average_precision": 0.037,
                    "brier": 0.0084,
                    "top_hits": 13,
                },
                "ewp": {
                    "rows": 2699,
                    "onsets": 23,
                    "roc_auc": 0.851,
                    "average_precision": 0.044,
                    "brier": 0.0093,
                    "top_hits": 15,
                },
            },
            "same_rows_as_framework": {
                "ours": {
                    "rows": 2700,
                    "onsets": 23,
                    "roc_auc": 0.86,
                    "average_precision": 0.08,
                    "brier": 0.0083,
                    "top_hits": 16,
                },
                "framework": {
                    "rows": 2700,
                    "onsets": 23,
                    "roc_auc": 0.77,
                    "average_precision": 0.05,
                    "brier": None,
                    "top_hits": 11,
                },
            },
            "calibration": [
                {
                    "low": 0.0,
                    "high": 0.02,
                    "rows": 2400,
                    "onsets": 6,
                    "mean_forecast": 0.004,
                    "observed": 0.0025,
                    "interval": [0.001, 0.005],
                },
                {
                    "low": 0.02,
                    "high": 1.0,
                    "rows": 300,
                    "onsets": 17,
                    "mean_forecast": 0.06,
                    "observed": 0.057,
                    "interval": [0.036, 0.089],
                },
            ],
        }
    },
}


def published_model(
    forecasts: dict, *, version: int = 1, year: int = 2026, horizons: dict | None = None
) -> ForecastModel:
    """forecasts: {country: (probability_1y, probability_2y)}; ranks follow the one-year probability."""
    run = ForecastRun.objects.create(trigger=ForecastRun.Trigger.MANUAL, status=ForecastRun.Status.SUCCEEDED)
    model = ForecastModel.objects.create(
        version=version,
        run=run,
        features=[{"name": "population_log2", "label": "Population, log2", "source": "EWP model matrix"}],
        training_first_year=1961,
        trained_through=2010,
        forecast_year=year,
        data_year=year - 1,
        horizons=horizons
        or {"1y": {"chosen": "elastic_net C=0.1", "coefficients": {"population_log2": 0.4}}, "2y": {}},
        backtest=BACKTEST,
    )
    ordered = sorted(forecasts.items(), key=lambda item: -item[1][0])
    for rank, (country, (one, two)) in enumerate(ordered, start=1):
        Forecast.objects.create(
            model=model,
            country=country,
            year=year,
            probability_1y=one,
            probability_2y=two,
            rank_1y=rank,
            rank_2y=rank,
            countries_ranked=len(forecasts),
            drivers=[
                {
                    "feature": "population_log2",
                    "label": "Population, log2",
                    "value": 24.0,
                    "effect": 0.01,
                    "direction": "raises",
                }
            ],
        )
    return model
