"""The onset-forecast rule, pure: forecast rows in, alerts to open and to clear out, no database."""

import datetime as dt

from alerts.rules import (
    DEFAULT_PARAMETERS,
    ONSET_FORECAST,
    ForecastRow,
    OpenAlertRow,
    Rule,
    evaluate_onset_forecast,
    evaluate_rules,
    forecast_alerts_cleared,
    rule_parameters_errors,
)

RULE = Rule(id=7, kind=ONSET_FORECAST, parameters={"threshold_percent": 10, "top": 2})


def forecast(country_id, probability, rank, ranked=5, year=2026, version=3):
    return ForecastRow(
        country_id=country_id,
        year=year,
        probability_1y=probability,
        rank_1y=rank,
        countries_ranked=ranked,
        model_version=version,
    )


ROWS = [
    forecast(1, 0.25, 1),  # over the threshold and in the top 2
    forecast(2, 0.06, 2),  # in the top 2 only
    forecast(3, 0.10, 3),  # exactly at the threshold
    forecast(4, 0.02, 4),
    forecast(5, 0.001, 5),
]


def test_the_rule_fires_for_a_probability_at_or_over_the_threshold_or_a_rank_within_the_top():
    """Countries 1-3 fire (threshold, top or both); 4 and 5 are below the threshold and outside the top."""
    candidates = evaluate_onset_forecast(RULE, ROWS)
    assert [candidate.country_id for candidate in candidates] == [1, 2, 3]
    first, second, third = candidates
    assert first.message == (
        "The one-year onset probability 25.0% for 2026 (rank 1 of 5, forecast model v3) passes the 10% threshold "
        "and is in the top 2."
    )
    assert second.message.endswith("(rank 2 of 5, forecast model v3) is in the top 2.")
    assert third.message.endswith("passes the 10% threshold.")
    assert first.fingerprint == "forecast:2026" and first.rule_id == 7
    assert first.details == {
        "forecast_year": 2026,
        "probability_1y": 0.25,
        "rank_1y": 1,
        "countries_ranked": 5,
        "model_version": 3,
    }


def test_evaluate_rules_runs_the_forecast_rule_only_on_the_forecasts_given():
    """Without forecast rows the rule finds nothing; with them it fires as on its own."""
    today = dt.date(2026, 1, 20)
    assert evaluate_rules([RULE], today=today) == []
    assert [c.country_id for c in evaluate_rules([RULE], forecasts=ROWS, today=today)] == [1, 2, 3]


def test_an_open_forecast_alert_clears_when_the_newest_model_puts_the_country_below_and_outside():
    """Country 4's alert clears naming its new figures; country 1 still fires; a country the model lacks clears too."""
    candidates = evaluate_onset_forecast(RULE, ROWS)
    open_alerts = [
        OpenAlertRow(id=11, rule_kind=ONSET_FORECAST, country_id=1),
        OpenAlertRow(id=12, rule_kind=ONSET_FORECAST, country_id=4),
        OpenAlertRow(id=13, rule_kind=ONSET_FORECAST, country_id=99),
        OpenAlertRow(id=14, rule_kind="band_reached", country_id=5),
    ]
    cleared = forecast_alerts_cleared(open_alerts, candidates, ROWS)
    assert [(c.alert_id, c.reason) for c in cleared] == [
        (
            12,
            "Now below the threshold and outside the top: one-year onset probability 2.0% for 2026 "
            "(rank 4 of 5, forecast model v3).",
        ),
        (13, "The newest forecast model has no forecast for this country."),
    ]


def test_the_published_defaults_are_valid_and_bad_parameters_are_named():
    """The defaults pass; a threshold over 100%, a fractional top or a missing parameter are each named."""
    assert rule_parameters_errors(ONSET_FORECAST, DEFAULT_PARAMETERS[ONSET_FORECAST]) == []
    assert rule_parameters_errors(ONSET_FORECAST, {"threshold_percent": 150, "top": 10}) == [
        "threshold_percent must be at most 100; got 150."
    ]
    assert rule_parameters_errors(ONSET_FORECAST, {"threshold_percent": 5, "top": 2.5}) == [
        "top must be a whole number of countries; got 2.5."
    ]
    assert rule_parameters_errors(ONSET_FORECAST, {"threshold_percent": 0, "top": 10}) == [
        "threshold_percent must be a positive number; got 0."
    ]
    assert rule_parameters_errors(ONSET_FORECAST, {"top": 10}) == ["Missing parameters: threshold_percent."]
