"""The published onset-forecast rule opens an alert per country when a forecast model is published, and resolves it
when the newest model no longer puts the country over the threshold or in the top N."""

import pytest

from alerts import services
from alerts.models import Alert, AlertRule
from core.models import AuditEvent, OutboxMessage
from forecasts import services as forecast_services
from tests.forecasts.factories import published_model
from tests.forecasts.test_services import synthetic_database  # noqa: F401  (fixture)


@pytest.fixture
def top_one_rule(ada):
    """A second version of the migration's rule: 10% or the single highest country."""
    return services.alert_rule_publish(
        kind="onset_forecast",
        name="Onset forecast high or the highest",
        description="Fires at 10% or more, or for the country with the highest one-year probability.",
        parameters={"threshold_percent": 10, "top": 1},
        actor=ada,
    )


@pytest.mark.django_db
def test_the_migration_publishes_the_onset_forecast_rule_with_its_parameters():
    """Version 1 is active out of the box, 10% or the top 10, described in plain words."""
    rule = AlertRule.objects.get(kind="onset_forecast", is_active=True)
    assert rule.version == 1 and rule.parameters == {"threshold_percent": 10, "top": 10}
    assert "new mass killing" in rule.description


def test_a_published_forecast_opens_one_alert_for_the_country_in_the_top_and_only_one(
    top_one_rule, country_a, country_b
):
    """Alphaland ranks first at 4% and fires; Betaland at 1% does not; evaluating again opens nothing new."""
    published_model({country_a: (0.04, 0.07), country_b: (0.01, 0.02)}, version=1, year=2026)
    [alert] = services.alerts_evaluate_forecast()
    assert alert.country == country_a and alert.rule == top_one_rule and alert.status == "open"
    assert alert.message == (
        "The one-year onset probability 4.0% for 2026 (rank 1 of 2, forecast model v1) is in the top 1."
    )
    assert alert.run is None and alert.details["model_version"] == 1
    assert AuditEvent.objects.filter(kind="alert_raised", alert=alert).exists()
    assert services.alerts_evaluate_forecast() == []
    assert Alert.objects.filter(rule_kind="onset_forecast").count() == 1


def test_the_alert_resolves_when_the_newest_model_puts_the_country_below_and_outside(
    top_one_rule, country_a, country_b
):
    """Model v2 ranks Betaland first (12%) and Alphaland second at 3%: Alphaland's alert resolves, Betaland fires."""
    published_model({country_a: (0.04, 0.07), country_b: (0.01, 0.02)}, version=1, year=2026)
    [first] = services.alerts_evaluate_forecast()
    newer = published_model({country_a: (0.03, 0.05), country_b: (0.12, 0.2)}, version=2, year=2026)
    [second] = services.alerts_evaluate_forecast()

    first.refresh_from_db()
    assert first.status == "resolved" and first.resolved_by_run is None and first.handled_at is not None
    event = AuditEvent.objects.get(kind="alert_resolved", alert=first)
    assert "no longer fires after forecast model v2" in event.summary
    assert event.reason == (
        "Now below the threshold and outside the top: one-year onset probability 3.0% for 2026 "
        "(rank 2 of 2, forecast model v2)."
    )
    assert event.details == {"forecast_model_id": newer.pk, "forecast_model_version": 2}
    assert second.country == country_b
    assert "passes the 10% threshold and is in the top 1" in second.message


def test_a_dismissed_forecast_alert_stays_dismissed_when_the_model_is_retrained_for_the_same_year(
    top_one_rule, country_a, country_b, alice
):
    """The forecast year names the finding: a retrained model for 2026 does not reopen it, a 2027 model does."""
    published_model({country_a: (0.04, 0.07), country_b: (0.01, 0.02)}, version=1, year=2026)
    [alert] = services.alerts_evaluate_forecast()
    services.alert_dismiss(alert=alert, user=alice, reason="Known; monitored through the desk.")
    published_model({country_a: (0.05, 0.08), country_b: (0.01, 0.02)}, version=2, year=2026)
    assert services.alerts_evaluate_forecast() == []
    published_model({country_a: (0.05, 0.08), country_b: (0.01, 0.02)}, version=3, year=2027)
    [again] = services.alerts_evaluate_forecast()
    assert again.country == country_a and again.details["forecast_year"] == 2027


def test_training_a_model_evaluates_the_rule_through_the_outbox(
    synthetic_database,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    """forecast_train publishes a model; after commit the worker opens an alert for each of the ten highest."""
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2008
    with django_capture_on_commit_callbacks(execute=True):
        model = forecast_services.forecast_train()
    assert OutboxMessage.objects.get(task_name="alerts.tasks.alerts_evaluate_forecast_task").status == "sent"
    alerts = Alert.objects.filter(rule_kind="onset_forecast", status="open")
    top_ten = set(model.forecasts.filter(rank_1y__lte=10).values_list("country_id", flat=True))
    assert len(top_ten) == 10 and top_ten <= set(alerts.values_list("country_id", flat=True))
    assert all(alert.details["model_version"] == model.version for alert in alerts)
