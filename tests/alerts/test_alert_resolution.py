"""An open alert whose condition the next score run no longer finds is resolved, naming that run, in the audit trail."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from core.models import AuditEvent
from indicators.models import CountryScore
from tests.alerts.factories import CountryScoreFactory, ScoreRunFactory
from tests.factories import AssessmentFactory, indicator

OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def band_alert_for(country, overall=62.0):
    run = ScoreRunFactory()
    CountryScoreFactory(country=country, run=run, month=OCTOBER, overall=overall)
    [alert] = services.alerts_evaluate(run=run, kinds=["band_reached"])
    return alert


@pytest.mark.django_db
def test_a_band_alert_resolves_when_the_next_run_scores_the_country_below_high(country_a):
    alert = band_alert_for(country_a)
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=NOVEMBER, overall=41.0)
    assert services.alerts_evaluate(run=run, kinds=["band_reached"]) == []

    alert.refresh_from_db()
    assert alert.status == "resolved" and not alert.is_open
    assert alert.resolved_by_run == run and alert.handled_by is None and alert.handled_at is not None
    event = AuditEvent.objects.get(kind="alert_resolved", alert=alert)
    assert event.actor is None and event.country == country_a
    assert f"no longer fires after score run {run.pk}" in event.summary
    assert event.reason == "Latest overall score 41.0, band Moderate (November 2026)."


@pytest.mark.django_db
def test_an_acknowledged_alert_also_resolves(country_a, alice):
    alert = services.alert_acknowledge(alert=band_alert_for(country_a), user=alice)
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=NOVEMBER, overall=30.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    alert.refresh_from_db()
    assert alert.status == "resolved"


@pytest.mark.django_db
def test_an_alert_still_firing_stays_open(country_a):
    alert = band_alert_for(country_a)
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=NOVEMBER, overall=58.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    alert.refresh_from_db()
    assert alert.status == "open"
    assert not AuditEvent.objects.filter(kind="alert_resolved").exists()


@pytest.mark.django_db
def test_dismissed_alerts_are_not_resolved_again(country_a, alice):
    alert = services.alert_dismiss(alert=band_alert_for(country_a), user=alice, reason="Known.")
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=NOVEMBER, overall=20.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    alert.refresh_from_db()
    assert alert.status == "dismissed" and alert.resolved_by_run is None


@pytest.mark.django_db
def test_a_run_scoped_to_other_countries_leaves_the_alert_alone(country_a, country_b):
    alert = band_alert_for(country_a)
    run = ScoreRunFactory(country_scope=["QBB"])
    CountryScoreFactory(country=country_b, run=run, month=NOVEMBER, overall=10.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    alert.refresh_from_db()
    assert alert.status == "open"


@pytest.mark.django_db
def test_an_evaluation_without_a_score_run_resolves_nothing(country_a, alice):
    """Assessment-triggered checks only raise alerts; resolving is the score run's judgement."""
    assessment = AssessmentFactory(country=country_a, indicator=indicator("10.1"), severity=3, author=alice)
    [alert] = services.alerts_evaluate(country_ids=[country_a.pk], kinds=["serious_specific_indicator"])
    AssessmentFactory(
        country=country_a, indicator=indicator("10.1"), severity=1, author=alice, observed_on=dt.date(2026, 3, 1)
    )
    services.alerts_evaluate(country_ids=[country_a.pk], kinds=["serious_specific_indicator"])
    alert.refresh_from_db()
    assert alert.status == "open"

    run = ScoreRunFactory()
    services.alerts_evaluate(run=run, kinds=["serious_specific_indicator"])
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by_run == run
    assert assessment.pk in alert.details["assessment_ids"]


@pytest.mark.django_db
def test_a_trigger_event_alert_is_not_resolved_by_a_score_run(country_a, alice):
    services.trigger_event_record(
        country=country_a,
        user=alice,
        kind="court_finding",
        title="ICJ order",
        occurred_on=timezone.localdate(),
        owner=alice,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=NOVEMBER, overall=10.0)
    services.alerts_evaluate(run=run)
    assert Alert.objects.get(rule_kind="trigger_event").status == "open"


@pytest.mark.django_db
def test_a_condition_that_returns_after_resolving_raises_a_new_alert(country_a):
    first = band_alert_for(country_a)
    october = CountryScore.objects.filter(country=country_a, month=OCTOBER)
    run = ScoreRunFactory()
    october.update(run=run, overall=40.0, band="moderate")  # a correction rescored October
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    run = ScoreRunFactory()
    october.update(run=run, overall=63.0, band="high")  # and a later one brought it back to high
    [second] = services.alerts_evaluate(run=run, kinds=["band_reached"])
    first.refresh_from_db()
    assert first.status == "resolved" and second.status == "open" and second.pk != first.pk


@pytest.mark.django_db
def test_resolved_alerts_show_the_run_on_the_alerts_page_and_the_country_timeline(client, country_a, victor):
    band_alert_for(country_a)
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=NOVEMBER, overall=41.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    client.force_login(victor)
    alerts_page = client.get(reverse("alerts:alert_list")).content.decode()
    assert f"Resolved (condition cleared) by score run {run.pk}" in alerts_page
    assert "No open alerts match these filters." in alerts_page
    country_page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "Alert resolved" in country_page


@pytest.mark.django_db
def test_a_run_that_did_not_succeed_neither_raises_nor_resolves(country_a, country_b):
    """A failed run's scores may be partial: whoever evaluates it, the open alert stays and nothing new is raised."""
    alert = band_alert_for(country_a)
    failed = ScoreRunFactory(status="failed")
    CountryScoreFactory(country=country_a, run=failed, month=NOVEMBER, overall=20.0)
    CountryScoreFactory(country=country_b, run=failed, month=NOVEMBER, overall=80.0)
    assert services.alerts_evaluate(run=failed) == []
    alert.refresh_from_db()
    assert alert.status == "open"
    assert not Alert.objects.filter(country=country_b).exists()
