"""Methodology v3's two changes, checked by hand (no database): sources of one period weigh alike in an indicator's
fused severity, and a thin score whose newest evidence is two years old is "insufficient data"."""

import datetime as dt
import importlib

import numpy as np
import pytest

from indicators.scoring.core import MethodologyParameters, MethodologyParametersError
from indicators.scoring.explain import factor_scores_from_contributions, indicator_contributions
from indicators.scoring.fusion import confidence_levels
from tests.indicators.test_scoring_fusion import FRAMEWORK, V2, V3, compute, factor_of, month_row, rows

MIGRATION = importlib.import_module("indicators.migrations.0011_methodology_v3_same_period_sources_and_stale_evidence")

DEC_2024 = dt.date(2024, 12, 1)


def test_v3_is_v2_with_two_published_parameters():
    """v3 adds a 12-month same period to fusion and a 24-month staleness to data confidence; nothing else changes."""
    assert V3.fusion.same_period_months == 12 and V3.data_confidence.stale_months == 24
    assert V2.fusion.same_period_months == 0 and V2.data_confidence.stale_months is None
    assert V3.confidence_weights == V2.confidence_weights and V3.half_life_months == V2.half_life_months
    assert V3.data_confidence.minimum == V2.data_confidence.minimum


def test_a_dataset_one_release_behind_is_not_outweighed_by_the_one_that_published_first():
    """Ethiopia, 9.1: V-Dem 2023 serious (medium) and EWP 2024 none (medium). At December 2024 v2 weighs them
    0.375 : 0.75 (fused 1.0, factor 33.3); v3 weighs them alike, as one period's evidence (fused 1.5, factor 50)."""
    frame = rows((25, dt.date(2023, 12, 31), 3, "medium", "vdem"), (25, dt.date(2024, 12, 31), 0, "medium", "ewp"))
    assert factor_of(compute(frame, V2, DEC_2024), 9, DEC_2024)["score"] == pytest.approx(100 / 3)
    assert factor_of(compute(frame, V3, DEC_2024), 9, DEC_2024)["score"] == pytest.approx(50.0)


def test_the_older_source_keeps_its_weight_while_both_age_until_the_maximum_age():
    """The same two sources through 2025: their lag stays 12 months, so factor 9 stays 50 every month until V-Dem's
    2023 value passes the maximum age (36 months, January 2027); v2 keeps it at 33.3 all that time."""
    frame = rows((25, dt.date(2023, 12, 31), 3, "medium", "vdem"), (25, dt.date(2024, 12, 31), 0, "medium", "ewp"))
    end = dt.date(2027, 1, 1)
    v3, v2 = compute(frame, V3, end), compute(frame, V2, end)
    for month in (dt.date(2025, 6, 1), dt.date(2026, 12, 1)):
        assert factor_of(v3, 9, month)["score"] == pytest.approx(50.0)
        assert factor_of(v2, 9, month)["score"] == pytest.approx(100 / 3)
    assert factor_of(v3, 9, end)["score"] == pytest.approx(0.0)


def test_a_source_more_than_a_period_behind_halves_per_half_life_beyond_it():
    """Lag 24 months, 12 beyond the same period: weight x 0.5. High 'serious' 2022 and high 'none' 2024: 3 x 0.5 /
    1.5 = 1.0, factor 33.3 (v2: 3 x 0.25 / 1.25 = 0.6, factor 20)."""
    frame = rows((1, dt.date(2022, 12, 31), 3, "high", "a"), (1, dt.date(2024, 12, 31), 0, "high", "b"))
    assert factor_of(compute(frame, V3, DEC_2024), 1, DEC_2024)["score"] == pytest.approx(100 / 3)
    assert factor_of(compute(frame, V2, DEC_2024), 1, DEC_2024)["score"] == pytest.approx(20.0)


def test_an_analysts_judgement_still_counts_twice_and_a_single_source_scores_as_in_v2():
    """Same period: analyst serious (2) against a year-newer dataset none (1): fused 2, factor 66.7. One source
    alone: v3 and v2 give the same scores in every month."""
    frame = rows((1, dt.date(2023, 12, 31), 3, "high", "analyst"), (1, dt.date(2024, 12, 31), 0, "high", "ucdp"))
    assert factor_of(compute(frame, V3, DEC_2024), 1, DEC_2024)["score"] == pytest.approx(200 / 3)
    single = rows((1, dt.date(2023, 3, 2), 2, "low", "a"), (4, dt.date(2024, 7, 9), 3, "high", "a"))
    v2_scores = compute(single, V2, DEC_2024).country_scores
    v3_scores = compute(single, V3, DEC_2024).country_scores
    assert np.allclose(v2_scores["overall"], v3_scores["overall"])


@pytest.mark.parametrize(
    ("confidence", "newest_age", "level"),
    [
        (15.0, 23, "low"),  # thin but its newest evidence is under 24 months old
        (15.0, 24, "insufficient"),  # thin and stale: the edge belongs to stale
        (19.99, 40, "insufficient"),
        (20.0, 30, "medium"),  # medium evidence stands however old its newest part (the confidence already fell)
        (45.0, 30, "high"),
        (9.99, 0, "insufficient"),  # below the minimum, as in v2
    ],
)
def test_thin_and_stale_is_insufficient_data(confidence, newest_age, level):
    """Below the medium level (20) with newest evidence 24 months old or more: insufficient; else v2's levels."""
    assert confidence_levels(np.array([confidence]), V3.data_confidence, np.array([newest_age]))[0] == level
    v2_level = confidence_levels(np.array([confidence]), V2.data_confidence, np.array([newest_age]))[0]
    assert v2_level == ("insufficient" if confidence < 10 else level if confidence >= 20 else "low")


def test_a_score_that_was_medium_when_fresh_becomes_insufficient_two_years_on():
    """One serious, high-confidence indicator in each common factor (1-8) and 9.1, observed in June 2025. Fresh:
    common part 8 x 1/3 / 8, genocide's specific (1/3 + 0) / 2, confidence 100 x (1/3 + 1/6) / 2 = 25, medium. After
    24 months freshness halves it to 12.5: v2 'low', v3 'insufficient'. At 23 months 25 x 0.5 ** (23/24): low."""
    indicators = [1, 4, 7, 10, 13, 16, 19, 22, 25]
    frame = rows(*((indicator, dt.date(2025, 6, 15), 3, "high", "a") for indicator in indicators))
    end = dt.date(2027, 6, 1)
    fresh = month_row(compute(frame, V3, end), dt.date(2025, 6, 1))
    assert fresh["data_confidence"] == pytest.approx(25.0) and fresh["data_confidence_level"] == "medium"
    before = month_row(compute(frame, V3, end), dt.date(2027, 5, 1))
    assert before["data_confidence"] == pytest.approx(25 * 0.5 ** (23 / 24))
    assert before["data_confidence_level"] == "low" and before["band"] == "very_high"
    v2_later = month_row(compute(frame, V2, end), end)
    v3_later = month_row(compute(frame, V3, end), end)
    assert v2_later["data_confidence"] == pytest.approx(12.5) == v3_later["data_confidence"]
    assert v2_later["data_confidence_level"] == "low" and v2_later["band"] == "very_high"
    assert v3_later["data_confidence_level"] == "insufficient" and v3_later["band"] == ""
    assert v3_later["overall"] == pytest.approx(100.0)  # the score itself is still shown


# Bahrain's real assessments 2021-2024 (UCDP, V-Dem, PTS, WGI, EWP): 6% coverage; 9.1 from two agreeing sources.
BAHRAIN = [
    # 1.1 and 1.5 (indicators 1 and 2 of factor 1), 11.1 (31): UCDP, none.
    *(
        (code, dt.date(year, 12, 31), 0, "high", "ucdp_country_year")
        for code in (1, 2, 31)
        for year in range(2021, 2025)
    ),
    # 2.1 (4): PTS and V-Dem moderate, UCDP none.
    *((4, dt.date(year, 12, 31), 2, "medium", source) for source in ("pts", "vdem") for year in range(2021, 2024)),
    *((4, dt.date(year, 12, 31), 0, "high", "ucdp_country_year") for year in range(2021, 2025)),
    # 1.6 (3): WGI serious; 6.2 (16), 7.6 (19), 9.1 (25): V-Dem serious.
    *((3, dt.date(year, 12, 31), 3, "low", "wgi") for year in range(2021, 2024)),
    *((code, dt.date(year, 12, 31), 3, "medium", "vdem") for code in (16, 19, 25) for year in range(2021, 2024)),
    # 2.2 (5) none and 9.1 (25) serious from EWP's 2024 values.
    (5, dt.date(2024, 12, 31), 0, "medium", "ewp_forecasts"),
    (25, dt.date(2024, 12, 31), 3, "medium", "ewp_forecasts"),
]


def test_a_bahrain_like_country_is_insufficient_once_its_thin_evidence_is_two_years_old():
    """Banded (low confidence) while its 2024 data is recent; at December 2026, its newest evidence 24 months old,
    v2 still bands it 'high' at low confidence while v3 shows insufficient data."""
    frame = rows(*BAHRAIN)
    end = dt.date(2026, 12, 1)
    v2_row, v3_row = month_row(compute(frame, V2, end), end), month_row(compute(frame, V3, end), end)
    assert 10 <= v2_row["data_confidence"] < 20 and v2_row["band"] == "high"
    assert v3_row["data_confidence_level"] == "insufficient" and v3_row["band"] == ""
    recent = month_row(compute(frame, V3, end), dt.date(2025, 6, 1))
    assert recent["data_confidence_level"] == "low" and recent["band"] != ""


def test_v3_parameters_are_validated():
    """A negative same period or a non-positive staleness is refused, naming the key."""
    raw = {**MIGRATION.METHODOLOGY_V3, "fusion": {**MIGRATION.METHODOLOGY_V3["fusion"], "same_period_months": -1}}
    with pytest.raises(MethodologyParametersError, match="same_period_months"):
        MethodologyParameters.from_dict(raw)
    dc = {**MIGRATION.METHODOLOGY_V3["data_confidence"], "stale_months": 0}
    with pytest.raises(MethodologyParametersError, match="stale_months"):
        MethodologyParameters.from_dict({**MIGRATION.METHODOLOGY_V3, "data_confidence": dc})


def test_the_v3_explanation_weighs_sources_of_one_period_alike_and_adds_up_to_the_factor_score():
    """V-Dem 2023 and EWP 2024 on 9.1 each carry 0.75 under v3; shares times severities give the stored score."""
    frame = rows(
        (25, dt.date(2023, 12, 31), 3, "medium", "vdem"),
        (25, dt.date(2024, 12, 31), 0, "medium", "ewp"),
        (26, dt.date(2022, 12, 31), 2, "high", "ucdp"),
        (26, dt.date(2024, 12, 31), 0, "low", "pts"),
    )
    contributions = indicator_contributions(frame, FRAMEWORK, V3, month=DEC_2024).set_index("source")
    assert contributions.loc["vdem", "weight"] == pytest.approx(0.75) == contributions.loc["ewp", "weight"]
    assert contributions.loc["ucdp", "weight"] == pytest.approx(1.0 * 0.5)  # 24 months behind: 12 beyond the period
    factor = factor_scores_from_contributions(contributions.reset_index(), FRAMEWORK, V3).set_index("factor_number")
    assert factor.loc[9, "score"] == pytest.approx(factor_of(compute(frame, V3, DEC_2024), 9, DEC_2024)["score"])
