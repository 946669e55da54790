"""Pure alert-rule evaluation: rows in, alerts to open out, no database."""

import datetime as dt

from alerts.models import TriggerEvent
from alerts.rules import (
    DEFAULT_PARAMETERS,
    TRIGGER_EVENT_KINDS,
    AlertCandidate,
    AssessmentRow,
    OpenAlertRow,
    Rule,
    ScoreRow,
    TriggerEventRow,
    alerts_cleared,
    evaluate_rules,
    rule_parameters_errors,
)

TODAY = dt.date(2026, 11, 20)
RECORDED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def rule(kind, **overrides):
    return Rule(id=1, kind=kind, parameters={**DEFAULT_PARAMETERS[kind], **overrides})


def score(country_id, month, overall, band):
    return ScoreRow(country_id=country_id, month=month, overall=overall, band=band)


def assessment(pk, country_id, code, severity, observed_on=dt.date(2026, 10, 1), recorded_at=RECORDED):
    factor = int(code.split(".")[0])
    return AssessmentRow(
        id=pk,
        country_id=country_id,
        indicator_code=code,
        risk_factor=factor,
        observed_on=observed_on,
        recorded_at=recorded_at,
        severity=severity,
    )


def test_band_rule_fires_for_high_and_very_high_on_the_latest_month_only():
    scores = [
        score(1, dt.date(2026, 9, 1), 60, "high"),
        score(1, dt.date(2026, 10, 1), 40, "moderate"),
        score(2, dt.date(2026, 10, 1), 55.25, "high"),
        score(3, dt.date(2026, 10, 1), 80, "very_high"),
    ]
    found = evaluate_rules([rule("band_reached")], scores=scores, today=TODAY)
    assert [c.country_id for c in found] == [2, 3]
    assert found[0].message == "Overall score 55.2 is in band High (October 2026)."
    assert found[0].fingerprint == "2026-10:high"


def test_sharp_rise_fires_when_the_score_rose_enough_within_three_months():
    scores = [
        score(1, dt.date(2026, 6, 1), 10, "low"),  # outside the 3-month window
        score(1, dt.date(2026, 7, 1), 30, "moderate"),
        score(1, dt.date(2026, 9, 1), 35, "moderate"),
        score(1, dt.date(2026, 10, 1), 46, "moderate"),
        score(2, dt.date(2026, 8, 1), 30, "moderate"),
        score(2, dt.date(2026, 10, 1), 44, "moderate"),
    ]
    found = evaluate_rules([rule("sharp_rise", points=15)], scores=scores, today=TODAY)
    assert [c.country_id for c in found] == [1]
    assert "rose 16.0 points within 3 months, from 30.0 (July 2026) to 46.0 (October 2026)" in found[0].message


def test_sharp_rise_needs_earlier_months_to_compare_with():
    found = evaluate_rules([rule("sharp_rise")], scores=[score(1, dt.date(2026, 10, 1), 90, "very_high")], today=TODAY)
    assert found == []


def test_serious_rule_fires_on_a_serious_assessment_of_factor_10_or_12():
    rows = [
        assessment(1, 1, "10.2", 3),
        assessment(2, 2, "12.1", 3),
        assessment(3, 3, "11.1", 3),  # factor 11 is not watched
        assessment(4, 4, "10.1", 2),  # not serious
    ]
    found = evaluate_rules([rule("serious_specific_indicator")], assessments=rows, today=TODAY)
    assert [c.country_id for c in found] == [1, 2]
    assert found[0].message == "Specific-crime indicator 10.2 assessed serious."


def test_serious_rule_follows_the_latest_assessment_so_a_correction_clears_it():
    rows = [
        assessment(1, 1, "10.2", 3, observed_on=dt.date(2026, 9, 1)),
        assessment(2, 1, "10.2", 1, observed_on=dt.date(2026, 10, 1)),
    ]
    assert evaluate_rules([rule("serious_specific_indicator")], assessments=rows, today=TODAY) == []


def test_serious_rule_ignores_assessments_the_methodology_no_longer_counts():
    """36 months back from November 2026 is November 2023, counted in whole months as the score counts them."""
    rows = [
        assessment(1, 1, "12.3", 3, observed_on=dt.date(2023, 11, 1)),  # 36 months old: still counts
        assessment(2, 2, "12.3", 3, observed_on=dt.date(2023, 10, 31)),  # 37 months old: no longer counts
    ]
    found = evaluate_rules([rule("serious_specific_indicator")], assessments=rows, today=TODAY, max_age_months=36)
    assert [c.country_id for c in found] == [1]


def test_serious_rule_follows_a_methodology_with_a_shorter_maximum_age():
    rows = [assessment(1, 1, "10.1", 3, observed_on=dt.date(2025, 10, 15))]
    serious = [rule("serious_specific_indicator")]
    assert evaluate_rules(serious, assessments=rows, today=TODAY, max_age_months=12) == []
    assert len(evaluate_rules(serious, assessments=rows, today=TODAY, max_age_months=13)) == 1


def test_serious_rule_has_no_age_limit_of_its_own():
    assert "max_age_days" not in DEFAULT_PARAMETERS["serious_specific_indicator"]
    legacy = {"factors": [10], "severity": 3, "max_age_days": 9}
    assert rule_parameters_errors("serious_specific_indicator", legacy) == ["Unknown parameters: max_age_days."]


def test_stale_coverage_fires_for_a_high_risk_country_without_recent_assessments():
    scores = [
        score(1, dt.date(2026, 10, 1), 60, "high"),
        score(2, dt.date(2026, 10, 1), 60, "high"),
        score(3, dt.date(2026, 10, 1), 20, "low"),
        score(4, dt.date(2026, 10, 1), 90, "very_high"),
    ]
    last = {1: dt.date(2026, 1, 1), 2: dt.date(2026, 10, 1), 3: dt.date(2020, 1, 1), 4: None}
    found = evaluate_rules([rule("stale_coverage")], scores=scores, last_assessed=last, today=TODAY)
    assert [c.country_id for c in found] == [1, 4]
    assert "no new assessment since 01 January 2026 (more than 180 days)" in found[0].message
    assert "no new assessment ever" in found[1].message


def test_rule_parameters_are_checked_with_messages_naming_the_problem():
    assert rule_parameters_errors("sharp_rise", {"points": 15, "months": 3}) == []
    errors = rule_parameters_errors("sharp_rise", {"points": -1})
    assert "Missing parameters: months." in errors
    assert "points must be a positive number; got -1." in errors
    assert rule_parameters_errors("band_reached", {"bands": ["extreme"]}) == [
        "bands must be a non-empty list drawn from low, moderate, high, very_high."
    ]
    assert rule_parameters_errors("nonsense", {}) == ["Unknown rule kind 'nonsense'."]


def event(pk, country_id, kind="court_finding", occurred_on=dt.date(2026, 11, 1), recorded_at=RECORDED):
    return TriggerEventRow(
        id=pk,
        country_id=country_id,
        kind=kind,
        kind_label=dict(TriggerEvent.Kind.choices)[kind],
        title=f"Finding {pk}",
        occurred_on=occurred_on,
        recorded_at=recorded_at,
    )


def test_the_trigger_event_rule_knows_every_kind_of_trigger_event():
    assert set(TRIGGER_EVENT_KINDS) == set(TriggerEvent.Kind.values)
    assert rule_parameters_errors("trigger_event", DEFAULT_PARAMETERS["trigger_event"]) == []


def test_trigger_event_rule_fires_per_country_named_after_the_newest_recorded_event():
    rows = [
        event(1, 1, occurred_on=dt.date(2026, 10, 1), recorded_at=RECORDED),
        event(2, 1, kind="un_special_advisers", occurred_on=dt.date(2026, 9, 1), recorded_at=RECORDED.replace(day=2)),
        event(3, 2, kind="commission_of_inquiry"),
    ]
    found = evaluate_rules([rule("trigger_event")], trigger_events=rows, today=TODAY)
    assert [c.country_id for c in found] == [1, 2]
    assert found[0].message == (
        "Notification by the UN Special Advisers: Finding 2 (01 September 2026). "
        "1 earlier trigger event within 365 days."
    )
    assert found[0].fingerprint == "trigger_event:2"
    assert found[1].message == "Commission of inquiry or fact-finding mission: Finding 3 (01 November 2026)."


def test_trigger_event_rule_ignores_old_future_and_unwatched_events():
    rows = [
        event(1, 1, occurred_on=dt.date(2025, 11, 1)),  # more than 365 days before TODAY
        event(2, 2, occurred_on=dt.date(2026, 12, 1)),  # after TODAY
        event(3, 3, kind="un_special_advisers"),
    ]
    found = evaluate_rules([rule("trigger_event", kinds=["court_finding"])], trigger_events=rows, today=TODAY)
    assert found == []


def test_trigger_event_rule_parameters_name_a_bad_kind():
    assert rule_parameters_errors("trigger_event", {"kinds": ["press_release"], "max_age_days": 30}) == [
        "kinds must be a non-empty list drawn from court_finding, commission_of_inquiry, un_special_advisers."
    ]


def candidate(kind, country_id):
    return AlertCandidate(rule_id=1, rule_kind=kind, country_id=country_id, message="m", fingerprint="f")


def test_an_open_alert_clears_when_its_judged_condition_no_longer_fires():
    open_alerts = [
        OpenAlertRow(id=1, rule_kind="band_reached", country_id=1),  # no longer fires: cleared
        OpenAlertRow(id=2, rule_kind="band_reached", country_id=2),  # still fires
        OpenAlertRow(id=3, rule_kind="band_reached", country_id=3),  # not judged (no scores): left alone
        OpenAlertRow(id=4, rule_kind="sharp_rise", country_id=1),  # kind not judged: left alone
        OpenAlertRow(id=5, rule_kind="trigger_event", country_id=1),  # an event, never cleared by a run
    ]
    scores = [score(1, dt.date(2026, 10, 1), 40.0, "moderate"), score(2, dt.date(2026, 10, 1), 60.0, "high")]
    cleared = alerts_cleared(
        open_alerts,
        [candidate("band_reached", 2)],
        judged={"band_reached": {1, 2}, "trigger_event": {1}},
        scores=scores,
    )
    assert [(c.alert_id, c.reason) for c in cleared] == [
        (1, "Latest overall score 40.0, band Moderate (October 2026).")
    ]


def test_a_serious_indicator_alert_clears_once_no_watched_indicator_is_serious():
    cleared = alerts_cleared(
        [OpenAlertRow(id=7, rule_kind="serious_specific_indicator", country_id=1)],
        [],
        judged={"serious_specific_indicator": {1}},
    )
    assert [c.reason for c in cleared] == ["No watched specific-crime indicator is assessed serious any more."]


def test_no_rule_fires_on_an_older_score_when_the_latest_month_is_not_scored():
    """A country the overview shows as "not scored" gets no alert quoting an older score, and its open one clears."""
    scores = [
        score(1, dt.date(2026, 7, 1), 40.0, "moderate"),
        score(1, dt.date(2026, 9, 1), 66.7, "high"),
        score(1, dt.date(2026, 10, 1), None, None),
    ]
    rules = [rule("band_reached"), rule("sharp_rise"), rule("stale_coverage")]
    assert evaluate_rules(rules, scores=scores, last_assessed={1: None}, today=TODAY) == []
    cleared = alerts_cleared(
        [OpenAlertRow(id=7, rule_kind="band_reached", country_id=1)], [], judged={"band_reached": {1}}, scores=scores
    )
    assert [(c.alert_id, c.reason) for c in cleared] == [
        (7, "No score for October 2026: the overview shows the country as not scored.")
    ]
