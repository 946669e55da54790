"""Alert evaluation after score runs and assessments, one open alert per rule and country, alert actions, audit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from alerts import services
from alerts.models import Alert, AlertRule
from core.models import AppendOnlyError, AuditEvent
from core.services import audit_record
from indicators.signals import assessment_recorded, score_run_finished
from tests.alerts.factories import CountryScoreFactory, ScoreRunFactory
from tests.factories import AssessmentFactory, indicator


@pytest.mark.django_db
def test_a_finished_score_run_opens_a_band_alert_through_the_celery_task(
    country_a, country_b, django_capture_on_commit_callbacks
):
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, overall=62.0)
    CountryScoreFactory(country=country_b, run=run, overall=20.0)
    with django_capture_on_commit_callbacks(execute=True):
        score_run_finished.send(sender=type(run), run=run)
    # Alphaland has never been assessed, so its high band also rests on stale coverage.
    assert set(Alert.objects.values_list("country__iso3", "rule_kind")) == {
        ("QAA", "band_reached"),
        ("QAA", "stale_coverage"),
    }
    alert = Alert.objects.get(rule_kind="band_reached")
    assert alert.status == "open"
    assert alert.message == "Overall score 62.0 is in band High (October 2026)."
    assert AuditEvent.objects.filter(kind="alert_raised", country=country_a).exists()


@pytest.mark.django_db
def test_evaluating_twice_keeps_one_open_alert_per_rule_and_country(country_a):
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=dt.date(2026, 10, 1), overall=62.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    CountryScoreFactory(country=country_a, run=run, month=dt.date(2026, 11, 1), overall=80.0)
    services.alerts_evaluate(run=run, kinds=["band_reached"])
    assert Alert.objects.filter(rule_kind="band_reached", country=country_a).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_alert_for_the_same_rule_and_country(country_a):
    rule = AlertRule.objects.get(kind="band_reached", is_active=True)
    Alert.objects.create(rule=rule, rule_kind=rule.kind, country=country_a, message="a", fingerprint="1")
    with pytest.raises(IntegrityError):
        Alert.objects.create(rule=rule, rule_kind=rule.kind, country=country_a, message="b", fingerprint="2")


@pytest.mark.django_db
def test_a_dismissed_alert_does_not_fire_again_for_the_same_finding_but_does_for_a_new_one(country_a, alice):
    run = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=run, month=dt.date(2026, 10, 1), overall=62.0)
    [alert] = services.alerts_evaluate(run=run, kinds=["band_reached"])
    services.alert_dismiss(alert=alert, user=alice, reason="Already escalated last week.")
    assert services.alerts_evaluate(run=run, kinds=["band_reached"]) == []
    CountryScoreFactory(country=country_a, run=run, month=dt.date(2026, 11, 1), overall=64.0)
    [again] = services.alerts_evaluate(run=run, kinds=["band_reached"])
    assert again.message.endswith("(November 2026).")


@pytest.mark.django_db
def test_a_serious_assessment_of_factor_12_opens_an_alert_and_is_audited(
    country_a, alice, django_capture_on_commit_callbacks
):
    assessment = AssessmentFactory(country=country_a, indicator=indicator("12.1"), severity=3, author=alice)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_recorded.send(sender=type(assessment), assessment=assessment)
    # The scoring engine also recomputes Alphaland; band alerts may follow, but this one must be there.
    alert = Alert.objects.get(country=country_a, rule_kind="serious_specific_indicator")
    assert alert.message == "Specific-crime indicator 12.1 assessed serious."
    [audit] = AuditEvent.objects.filter(kind="assessment_recorded")
    assert audit.actor == alice and "12.1 assessed serious" in audit.summary


@pytest.mark.django_db
def test_alerts_can_be_acknowledged_and_dismissal_needs_a_reason(country_a, alice):
    rule = AlertRule.objects.get(kind="band_reached", is_active=True)
    alert = Alert.objects.create(rule=rule, rule_kind=rule.kind, country=country_a, message="High", fingerprint="1")
    services.alert_acknowledge(alert=alert, user=alice)
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.handled_by == alice
    with pytest.raises(ValidationError, match="Say why"):
        services.alert_dismiss(alert=alert, user=alice, reason=" ")
    assert list(AuditEvent.objects.filter(alert=alert).values_list("kind", flat=True)) == ["alert_acknowledged"]


@pytest.mark.django_db
def test_an_alert_stays_open_while_its_escalation_is_a_draft_and_closes_when_the_case_is_submitted(
    client, country_a, alice
):
    """A draft nobody submits must not bury the warning: the Focal Point has not seen it yet."""
    rule = AlertRule.objects.get(kind="band_reached", is_active=True)
    alert = Alert.objects.create(rule=rule, rule_kind=rule.kind, country=country_a, message="High", fingerprint="1")
    escalation = services.escalation_create(
        country=country_a, user=alice, summary="S", risk_assessment="R", urgency="high", alert=alert
    )
    alert.refresh_from_db()
    assert alert.status == "open" and escalation.alert == alert
    services.escalation_submit(escalation=escalation, user=alice)
    alert.refresh_from_db()
    assert alert.status == "escalated" and alert.handled_by == alice
    assert AuditEvent.objects.filter(kind="alert_escalated", alert=alert, escalation=escalation).count() == 1


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(make_escalation):
    event = audit_record(kind="decision", summary="Closed.", escalation=make_escalation())
    event.summary = "Rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_the_country_timeline_hides_escalations_from_analysts_of_other_desks(
    country_a, alice, bob, victor, make_escalation
):
    from alerts.selectors import timeline_for_country

    services.escalation_submit(escalation=make_escalation(), user=alice)
    audit_record(kind="trigger_event", summary="ICJ order.", country=country_a)
    assert len(timeline_for_country(country_a, viewer=victor)) == 2
    assert [e.summary for e in timeline_for_country(country_a, viewer=bob)] == ["ICJ order."]


@pytest.mark.django_db
def test_published_rules_are_listed_for_the_methodology_page():
    from alerts.selectors import alert_rules_published

    assert [rule.kind for rule in alert_rules_published()] == [
        "band_reached",
        "onset_forecast",
        "serious_specific_indicator",
        "sharp_rise",
        "stale_coverage",
        "trigger_event",
    ]


@pytest.mark.django_db
def test_the_serious_rule_stops_firing_when_the_methodology_no_longer_counts_the_assessment(country_a, alice, ada):
    """A methodology that counts assessments for 6 months makes a 10-month-old serious assessment too old to alert."""
    from indicators.models import Methodology
    from indicators.scoring.services import methodology_publish

    AssessmentFactory(country=country_a, indicator=indicator("10.1"), severity=3, author=alice,
                      observed_on=dt.date(2026, 1, 15))  # fmt: skip
    today = dt.date(2026, 11, 20)
    parameters = Methodology.objects.get(is_active=True).parameters
    methodology_publish(name="Six months", parameters={**parameters, "max_age_months": 6}, created_by=ada)
    assert services.alerts_evaluate(country_ids=[country_a.pk], kinds=["serious_specific_indicator"], today=today) == []
    methodology_publish(name="A year", parameters={**parameters, "max_age_months": 12}, created_by=ada)
    [alert] = services.alerts_evaluate(country_ids=[country_a.pk], kinds=["serious_specific_indicator"], today=today)
    assert alert.message == "Specific-crime indicator 10.1 assessed serious."


@pytest.mark.django_db
def test_the_active_serious_rule_has_no_age_limit_of_its_own_and_its_first_version_is_kept():
    versions = list(AlertRule.objects.filter(kind="serious_specific_indicator").order_by("version"))
    assert [rule.version for rule in versions] == [1, 2]
    assert versions[0].parameters["max_age_days"] == 1095 and not versions[0].is_active
    assert versions[1].is_active and versions[1].parameters == {"factors": [10, 12], "severity": 3}
    assert "maximum age" in versions[1].description


def _serious_rule_migration():
    import importlib

    return importlib.import_module("alerts.migrations.0005_serious_rule_follows_methodology_max_age")


def _apps_at_serious_rule_migration():
    """The models as that migration sees them (the audit trail still in the alerts app), on today's tables."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    node = ("alerts", "0005_serious_rule_follows_methodology_max_age")
    return MigrationLoader(connection).project_state(node).apps


@pytest.mark.django_db
def test_reversing_the_serious_rule_migration_brings_the_age_limit_back_even_when_alerts_name_the_new_version(
    country_a,
):
    """The older code reads max_age_days from the active rule; a reverse must never leave it without one."""
    apps = _apps_at_serious_rule_migration()
    migration = _serious_rule_migration()
    current = AlertRule.objects.get(kind="serious_specific_indicator", is_active=True)
    Alert.objects.create(rule=current, rule_kind=current.kind, country=country_a, message="Serious.", fingerprint="x")
    migration.unpublish(apps, None)
    restored = AlertRule.objects.get(kind="serious_specific_indicator", is_active=True)
    assert restored.version == 3
    assert restored.parameters == {"factors": [10, 12], "severity": 3, "max_age_days": 1095}
    assert restored.description == migration.OLD_DEFAULT_DESCRIPTION
    migration.publish(apps, None)
    again = AlertRule.objects.get(kind="serious_specific_indicator", is_active=True)
    assert (again.version, again.parameters) == (4, {"factors": [10, 12], "severity": 3})
    assert again.description == migration.DESCRIPTION
    assert AlertRule.objects.filter(kind="serious_specific_indicator").count() == 4  # nothing deleted


@pytest.mark.django_db
def test_the_serious_rule_migration_names_an_administrators_own_age_limit_in_the_audit_trail():
    apps = _apps_at_serious_rule_migration()
    migration = _serious_rule_migration()
    AlertRule.objects.filter(kind="serious_specific_indicator").update(is_active=False)
    AlertRule.objects.create(
        kind="serious_specific_indicator",
        version=3,
        name="Serious, two years",
        description="Our own wording.",
        parameters={"factors": [10], "severity": 3, "max_age_days": 730},
    )
    migration.publish(apps, None)
    rule = AlertRule.objects.get(kind="serious_specific_indicator", is_active=True)
    assert (rule.version, rule.parameters) == (4, {"factors": [10], "severity": 3})
    assert rule.description == "Our own wording."
    event = AuditEvent.objects.filter(kind="rule_published").latest("pk")
    assert "instead of its own limit of 730 days" in event.summary
    assert event.details["dropped"] == {"max_age_days": 730}
