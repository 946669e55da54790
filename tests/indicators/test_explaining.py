"""Scores in plain words: what an analyst's new entries did to their indicators, and why a country scores what it does.
Pure functions, no database."""

import datetime as dt
from types import SimpleNamespace

from indicators.explaining import effect_reason, entry_effects, score_moves, why_this_score

TODAY = dt.date(2026, 12, 6)


def row(pk, indicator, observed, severity, confidence="high", source="OHCHR"):
    return {
        "id": pk,
        "indicator_id": indicator,
        "observed_on": observed,
        "severity": severity,
        "confidence": confidence,
        "source": source,
    }


def test_a_first_entry_counts_and_a_newer_one_replaces_the_older_with_the_reason():
    """Replacing a serious older observation with a moderate one lowers the indicator, and the reason says so."""
    older = row(1, 10, dt.date(2026, 3, 1), 3, source="Panel of experts")
    first, replacing = row(5, 20, dt.date(2026, 12, 1), 3), row(6, 10, dt.date(2026, 12, 1), 2)
    effects = {
        e.entry["id"]: e for e in entry_effects(new=[first, replacing], others=[older], today=TODAY, max_age_months=36)
    }
    assert effects[5].outcome == "new" and effects[5].severity_before is None and effects[5].severity_after == 3
    assert effects[6].outcome == "replaced" and (effects[6].severity_before, effects[6].severity_after) == (3, 2)
    assert effects[6].lowered
    reason = effect_reason(effects[6])
    assert "Panel of experts" in reason and "01 Mar 2026" in reason and "lowers" in reason


def test_an_entry_older_than_the_one_that_counts_does_not_count():
    """Back-filling an old observation leaves the newer one in force, and says which one."""
    newer = row(1, 10, dt.date(2026, 11, 1), 1, source="UN Special Adviser")
    backfill = row(7, 10, dt.date(2025, 1, 1), 3)
    [effect] = entry_effects(new=[backfill], others=[newer], today=TODAY, max_age_months=36)
    assert effect.outcome == "not_counted_newer"
    assert effect.severity_after == 1
    assert "UN Special Adviser" in effect_reason(effect)


def test_two_entries_for_one_indicator_in_a_batch_only_the_later_counts():
    """Within one batch the later observation wins, as in the scoring core."""
    early, late = row(8, 10, dt.date(2026, 10, 1), 3), row(9, 10, dt.date(2026, 11, 1), 2)
    outcomes = [e.outcome for e in entry_effects(new=[late, early], others=[], today=TODAY, max_age_months=36)]
    assert outcomes == ["not_counted_newer", "new"]


def test_an_entry_beyond_the_maximum_age_does_not_count():
    """An observation older than the methodology's maximum age is recorded but does not count."""
    [effect] = entry_effects(new=[row(3, 10, dt.date(2020, 1, 1), 3)], others=[], today=TODAY, max_age_months=36)
    assert effect.outcome == "not_counted_old"
    assert "maximum age" in effect_reason(effect)


def test_score_moves_pair_before_and_after_with_the_change():
    """Each named score shows before, after and the signed change; a missing side gives no change."""
    moves = score_moves(
        {"overall": 92.0, "genocide": None},
        {"overall": 90.0, "genocide": 50.0},
        {"overall": "Overall", "genocide": "Genocide"},
    )
    assert [(m.label, m.before, m.after, m.change) for m in moves] == [
        ("Overall", 92.0, 90.0, -2.0),
        ("Genocide", None, 50.0, None),
    ]


def contribution(code, severity, weight=1.0, counts=True, source="analyst"):
    return SimpleNamespace(
        code=code,
        source=source,
        title=f"Indicator {code}",
        severity=severity,
        confidence="high",
        weight=weight,
        counts=counts,
        observed_on=dt.date(2026, 11, 1),
    )


def factor(number, score, contributions=(), changes=(), assessed=1, total=10):
    return SimpleNamespace(
        number=number,
        score=score,
        contributions=list(contributions),
        changes=list(changes),
        indicators_assessed=assessed,
        indicators_total=total,
    )


PARAMETERS = {
    "common_factors": [1, 2, 3, 4, 5, 6, 7, 8],
    "crime_groups": {"genocide": [9, 10], "crimes_against_humanity": [11, 12], "war_crimes": [13, 14]},
}


def test_why_this_score_names_the_leading_group_its_parts_and_its_strongest_evidence():
    """The paragraph says which crime group sets the overall score, how it is made, and what weighs most."""
    stored = SimpleNamespace(
        overall=80.0, band="very_high", genocide=80.0, crimes_against_humanity=60.0, war_crimes=50.0, common=70.0
    )
    factors = [
        factor(1, 70.0, [contribution("1.1", 3), contribution("1.2", 1)]),
        factor(9, 90.0, [contribution("9.1", 3, weight=0.5)], [SimpleNamespace(kind="new")]),
        factor(10, None, assessed=0),
    ]
    explanation = SimpleNamespace(factors=factors, compared_with=dt.date(2026, 8, 1))
    text = " ".join(why_this_score(country_name="Sudan", stored=stored, explanation=explanation, parameters=PARAMETERS))
    assert "Sudan's overall score is 80.0 (very high)" in text
    assert "here genocide" in text
    assert "common risk factors 1-8 (70.0)" in text and "factors 9 and 10 (90.0)" in text
    assert "1.1 Indicator 1.1 (serious" in text and "9.1" in text and "1.2" not in text
    assert "2 of the 30 indicators" in text
    assert "Since August 2026, 1 newly assessed indicator changed what counts." in text


def test_why_this_score_names_the_source_of_an_indicator_two_datasets_assess():
    """Sudan's 1.1 is assessed by both UCDP datasets: each line says its dataset, so it does not read as a repeat."""
    stored = SimpleNamespace(
        overall=80.0, band="very_high", genocide=50.0, crimes_against_humanity=80.0, war_crimes=50.0, common=70.0
    )
    both = [contribution("1.1", 3, source="ucdp_country_year"), contribution("1.1", 3, source="ucdp_conflict")]
    explanation = SimpleNamespace(factors=[factor(1, 70.0, both)], compared_with=dt.date(2026, 8, 1))
    labels = {"ucdp_country_year": "UCDP organized violence", "ucdp_conflict": "UCDP/PRIO armed conflict"}
    text = " ".join(
        why_this_score(
            country_name="Sudan", stored=stored, explanation=explanation, parameters=PARAMETERS, source_labels=labels
        )
    )
    assert "observed Nov 2026, source: UCDP organized violence)" in text
    assert "observed Nov 2026, source: UCDP/PRIO armed conflict)" in text


def test_why_this_score_is_silent_without_a_score():
    """An unscored country gets no paragraph rather than a misleading one."""
    explanation = SimpleNamespace(factors=[], compared_with=TODAY)
    assert why_this_score(country_name="X", stored=None, explanation=explanation, parameters=PARAMETERS) == []
