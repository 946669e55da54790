"""The onset-forecast rule: evaluated whenever a forecast model is published, against the newest published model."""

from __future__ import annotations

from alerts import rules as rule_engine
from alerts.models import Alert, AlertRule, RuleKind
from alerts.services.alerts import alert_raise, alert_resolve
from forecasts.models import Forecast, ForecastModel
from forecasts.selectors import forecast_model_latest


def _forecast_rows(model: ForecastModel) -> list[rule_engine.ForecastRow]:
    rows = Forecast.objects.filter(model=model).values_list(
        "country_id", "year", "probability_1y", "rank_1y", "countries_ranked"
    )
    return [
        rule_engine.ForecastRow(
            country_id=country_id,
            year=year,
            probability_1y=probability,
            rank_1y=rank,
            countries_ranked=ranked,
            model_version=model.version,
        )
        for country_id, year, probability, rank, ranked in rows
    ]


def alerts_evaluate_forecast() -> list[Alert]:
    """Judge every country's latest one-year onset probability: open an alert where the published onset-forecast
    rule fires, resolve the open ones the newest model no longer supports. Returns the alerts opened."""
    rule = AlertRule.objects.filter(kind=RuleKind.ONSET_FORECAST, is_active=True).first()
    model = forecast_model_latest()
    if rule is None or model is None:
        return []
    forecasts = _forecast_rows(model)
    candidates = rule_engine.evaluate_rules(
        [rule_engine.Rule(id=rule.pk, kind=rule.kind, parameters=rule.parameters)],
        forecasts=forecasts,
        today=model.created_at.date(),
    )
    open_alerts = [
        rule_engine.OpenAlertRow(id=pk, rule_kind=kind, country_id=country_id)
        for pk, kind, country_id in Alert.objects.filter(
            status__in=Alert.OPEN_STATUSES, rule_kind=RuleKind.ONSET_FORECAST
        ).values_list("pk", "rule_kind", "country_id")
    ]
    for cleared in rule_engine.forecast_alerts_cleared(open_alerts, candidates, forecasts):
        alert_resolve(
            alert_id=cleared.alert_id,
            run=None,
            reason=cleared.reason,
            after=f"forecast model v{model.version}",
            details={"forecast_model_id": model.pk, "forecast_model_version": model.version},
        )
    raised = [alert_raise(candidate=candidate) for candidate in candidates]
    return [alert for alert in raised if alert is not None]
