"""Each section of the report to Parliament holds what the database says about the hand-built 2026-Q3."""

import datetime as dt

import pytest
from django.utils import timezone

from reports.periods import period_parse
from reports.selectors import report_content
from tests.reports.conftest import AIA_FINDING, DRAFT_METHOD, RATIONALE, STATUS_NOTE

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(quarter):
    return report_content(period=period_parse("2026-Q3"))


def test_the_risk_picture_bands_countries_at_the_quarters_end_and_ranks_the_risers(content):
    """September's scores set the bands; the change since June makes Alphaland the one riser."""
    risk = content["risk"]
    assert risk["month"] == dt.date(2026, 9, 1) and risk["baseline_month"] == dt.date(2026, 6, 1)
    by_band = {group["band"]: group for group in risk["by_band"]}
    assert [row["iso3"] for row in by_band["very_high"]["countries"]] == ["QAA"]
    assert by_band["low"]["count"] >= 1 and by_band["low"]["countries"] == []
    assert [(r["iso3"], r["before"], r["score"], r["change"]) for r in risk["risers"]] == [("QAA", 55.0, 80.0, 25.0)]
    assert risk["map_bands"]["QAA"] == "very_high" and risk["map_bands"]["QBB"] == "low"


def test_each_declaration_carries_its_rationale_and_its_actions_by_department_with_status(content, quarter):
    """The declaration names the country and rationale, and lists each action under its lead department."""
    (declaration,) = content["declarations"]
    assert (declaration["iso3"], declaration["declared_on"], declaration["rationale"]) == (
        "QAA",
        dt.date(2026, 7, 2),
        RATIONALE,
    )
    assert declaration["raised_by"] == "Alice Analystova" and declaration["decided_by"] == "Fiona Focalpoint"
    departments = {d["department"]: d["actions"] for d in declaration["departments"]}
    assert [(a["tool"], a["status_label"], a["status_note"]) for a in departments["HM Treasury / OFSI"]] == [
        ("Targeted sanctions", "In progress", STATUS_NOTE)
    ]
    assert [a["status_label"] for a in departments["FCDO"]] == ["Done"]


def test_escalations_count_what_was_received_and_decided_and_time_the_responses(content):
    """Two cases reached the Focal Point, one was decided within its 24-hour target, one waits past it."""
    escalations = content["escalations"]
    assert (escalations["received"], escalations["decided"], escalations["drafts"]) == (2, 1, 1)
    assert escalations["decisions_by_outcome"] == [{"label": "Imminent risk declared", "count": 1}]
    urgent = next(row for row in escalations["response_times"] if row["urgency"] == "urgent")
    assert (urgent["responses"], urgent["within_target"], urgent["median_hours"]) == (1, 1, 6.0)
    assert (urgent["waiting"], urgent["waiting_overdue"]) == (1, 1)


def test_trigger_events_and_impact_assessments_opened_and_completed_are_listed(content):
    """The commission of inquiry, and its AIA opened and completed in the quarter, with the findings kept."""
    triggers = content["triggers"]
    assert [(e["country"], e["kind"]) for e in triggers["events"]] == [
        ("Alphaland", "Commission of inquiry or fact-finding mission")
    ]
    assert len(triggers["aias_opened"]) == len(triggers["aias_completed"]) == 1
    assert triggers["aias_open_at_end"] == 0
    findings = {f["area"]: f["text"] for f in triggers["aias_completed"][0]["findings"]}
    assert findings["Leverage over likely perpetrators"] == AIA_FINDING


def test_methodology_and_alert_rule_changes_name_versions_and_mark_unpublished_ones_internal(content):
    """The published v9 and the new sharp-rise rule are listed; the unpublished v10 is marked internal-only."""
    methods = {m["version"]: m for m in content["changes"]["methodologies"]}
    assert methods[9]["published_on"] == dt.date(2026, 8, 1) and "internal_only" not in methods[9]
    assert methods[10]["name"] == DRAFT_METHOD and methods[10]["internal_only"] is True
    (rule,) = content["changes"]["alert_rules"]
    assert (rule["name"], rule["published_on"], rule["version"], rule["replaces_version"]) == (
        "Sharp rise (tighter)",
        dt.date(2026, 9, 1),
        2,
        1,
    )


def test_data_sources_say_how_recent_each_one_is(content):
    """The analysts' own assessments appear with their latest observation date."""
    (desk,) = [row for row in content["sources"]["rows"] if row["name"].startswith("Analysts'")]
    assert desk["latest_observation"] == dt.date(2026, 9, 3) and desk["assessments"] == 1
    today = timezone.localdate()
    assert desk["age_months"] == today.month - 9 + 12 * (today.year - 2026)


def test_a_period_without_activity_still_has_every_section(db):
    """An empty quarter renders as empty sections rather than failing."""
    content = report_content(period=period_parse("2020-Q1"))
    assert content["declarations"] == []
    assert content["escalations"]["received"] == 0
    assert content["triggers"]["events"] == []


def test_parts_another_app_has_not_provided_are_named_as_missing_not_left_blank(content):
    """Without a published forecast model the section says why; without confidence ratings, coverage stands in."""
    from reports import optional

    risk = content["risk"]
    assert risk["forecasts"] is None and risk["forecast_note"] == optional.forecast_note()
    assert risk["has_confidence"] is False and risk["confidence_note"] == optional.ABSENT["confidence"]
