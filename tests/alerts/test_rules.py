"""Pure alert-rule evaluation: rows in, alerts to open out, no database."""

import datetime as dt

from alerts.rules import (
    DEFAULT_PARAMETERS,
    AssessmentRow,
    Rule,
    ScoreRow,
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


def test_serious_rule_ignores_assessments_older_than_its_horizon():
    rows = [assessment(1, 1, "12.3", 3, observed_on=dt.date(2022, 1, 1))]
    assert evaluate_rules([rule("serious_specific_indicator")], assessments=rows, today=TODAY) == []


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
