"""Methodology v2's evidence fusion and data confidence, checked by hand and by properties (no database)."""

import datetime as dt
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scoring.core import MethodologyParameters, MethodologyParametersError, scores_compute
from indicators.scoring.explain import factor_scores_from_contributions, indicator_contributions
from indicators.scoring.fusion import confidence_levels

MIGRATION = importlib.import_module("indicators.migrations.0010_score_data_confidence_and_methodology_v2")
V2 = MethodologyParameters.from_dict(MIGRATION.METHODOLOGY_V2)
V3 = MethodologyParameters.from_dict(
    importlib.import_module(
        "indicators.migrations.0011_methodology_v3_same_period_sources_and_stale_evidence"
    ).METHODOLOGY_V3
)
# The properties below hold for every version that fuses sources; each runs once per version.
FUSING_VERSIONS = pytest.mark.parametrize("parameters", [V2, V3], ids=["v2", "v3"])
V1 = MethodologyParameters.from_dict(
    {key: value for key, value in MIGRATION.METHODOLOGY_V2.items() if key not in ("fusion", "data_confidence")}
)
# 14 factors with three indicators each: indicator 3n-2, 3n-1 and 3n belong to factor n.
FRAMEWORK = pd.DataFrame(
    {
        "indicator_id": range(1, 43),
        "risk_factor_id": [100 + n // 3 + 1 for n in range(42)],
        "factor_number": [n // 3 + 1 for n in range(42)],
    }
)
MONTH = dt.date(2025, 6, 1)
DAY = dt.date(2025, 6, 15)


def rows(*items):
    """Items of (indicator, observed_on, severity, confidence, source[, country])."""
    return pd.DataFrame(
        [
            {
                "id": index,
                "country_id": item[5] if len(item) > 5 else 7,
                "indicator_id": item[0],
                "observed_on": item[1],
                "severity": item[2],
                "confidence": item[3],
                "source": item[4],
            }
            for index, item in enumerate(items, start=1)
        ]
    )


def month_row(frames, month=MONTH, country_id=7):
    table = frames.country_scores
    return table[(table["country_id"] == country_id) & (table["month"] == pd.Timestamp(month))].iloc[0]


def factor_of(frames, number, month=MONTH, country_id=7):
    table = frames.factor_scores
    selected = (
        (table["country_id"] == country_id)
        & (table["month"] == pd.Timestamp(month))
        & (table["risk_factor_id"] == 100 + number)
    )
    return table[selected].iloc[0]


def compute(frame, parameters=V2, end_month=MONTH):
    return scores_compute(frame, FRAMEWORK, parameters, end_month=end_month)


def test_two_sources_on_one_date_are_averaged_by_confidence_instead_of_the_last_import_winning():
    """UCDP (high, none) and PTS (medium, serious) on the same date: (0 x 1.0 + 3 x 0.75) / 1.75 of 3."""
    frame = rows((1, DAY, 0, "high", "ucdp_country_year"), (1, DAY, 3, "medium", "pts"))
    assert factor_of(compute(frame), 1)["score"] == pytest.approx(100 * (3 * 0.75 / 1.75) / 3)
    # Version 1 let the later row win.
    assert factor_of(compute(frame, V1), 1)["score"] == pytest.approx(100.0)


def test_an_older_source_still_counts_with_its_age_weight():
    """A serious assessment 12 months old (medium: 0.75 x 0.5) beside a fresh 'none' (high: 1.0)."""
    frame = rows((1, dt.date(2024, 6, 30), 3, "medium", "vdem"), (1, DAY, 0, "high", "ucdp_country_year"))
    assert factor_of(compute(frame), 1)["score"] == pytest.approx(100 * (3 * 0.375 / 1.375) / 3)


def test_an_analysts_judgement_counts_twice_a_datasets():
    """Analyst serious (high, weight 2) and dataset none (high, weight 1): fused severity 2 of 3."""
    frame = rows((1, DAY, 3, "high", "analyst"), (1, DAY, 0, "high", "ucdp_country_year"))
    assert factor_of(compute(frame), 1)["score"] == pytest.approx(200 / 3)


def test_an_indicator_counts_in_its_factor_with_its_strongest_evidence():
    """Indicator 1 (two sources, strongest 1.0, fused 2.25/1.75) and indicator 2 (low confidence, 0.5, serious)."""
    frame = rows(
        (1, DAY, 0, "high", "ucdp_country_year"),
        (1, DAY, 3, "medium", "pts"),
        (2, DAY, 3, "low", "vdem"),
    )
    fused_1 = 3 * 0.75 / 1.75
    expected = 100 * (fused_1 * 1.0 + 3 * 0.5) / 1.5 / 3
    assert factor_of(compute(frame), 1)["score"] == pytest.approx(expected)


def test_a_factor_weighs_in_its_crime_group_by_its_evidence():
    """Factor 1 known through three fresh certain indicators (support 3/3) outweighs factor 2 through one (1/3)."""
    frame = rows(
        (1, DAY, 0, "high", "a"),
        (2, DAY, 0, "high", "a"),
        (3, DAY, 0, "high", "a"),
        (4, DAY, 3, "high", "a"),
    )
    row = month_row(compute(frame))
    assert row["common"] == pytest.approx((0 * 1.0 + 100 * (1 / 3)) / (1 + 1 / 3))


def test_data_confidence_of_one_fresh_certain_indicator_is_computed_by_hand():
    """One indicator, e = 1: factor 1 is a third established; common part 1/3 / 8; no specific part: x 100 / 2."""
    row = month_row(compute(rows((1, DAY, 2, "high", "a"))))
    assert row["data_confidence"] == pytest.approx(100 * ((1 / 3) / 8) / 2)
    assert row["data_confidence_level"] == "insufficient"
    assert row["band"] == ""
    assert row["overall"] == pytest.approx(200 / 3)


def test_disagreeing_sources_lose_half_their_evidence_at_most():
    """Two fresh certain sources at 0 and 3: support min(1, 2) = 1, spread 1.5 of 1.5, evidence 1 x (1 - 0.5)."""
    agreeing = month_row(compute(rows((1, DAY, 3, "high", "a"), (1, DAY, 3, "high", "b"))))
    disputed = month_row(compute(rows((1, DAY, 0, "high", "a"), (1, DAY, 3, "high", "b"))))
    assert agreeing["data_confidence"] == pytest.approx(100 * ((1 / 3) / 8) / 2)
    assert disputed["data_confidence"] == pytest.approx(100 * ((0.5 / 3) / 8) / 2)


def test_freshness_halves_the_evidence_every_24_months():
    """The same assessment read 24 months later carries half the evidence."""
    frame = rows((1, DAY, 2, "high", "a"))
    frames = compute(frame, end_month=dt.date(2027, 6, 1))
    fresh, later = month_row(frames)["data_confidence"], month_row(frames, dt.date(2027, 6, 1))["data_confidence"]
    assert later == pytest.approx(fresh / 2)


def test_a_well_covered_country_is_banded_with_a_confidence_level():
    """Every indicator of factors 1-8 and 9-10 assessed fresh and certain: genocide confidence 100, 'high'."""
    frame = rows(*((indicator, DAY, 1, "high", "a") for indicator in range(1, 31)))
    row = month_row(compute(frame))
    assert row["data_confidence"] == pytest.approx(100.0)
    assert row["data_confidence_level"] == "high"
    assert row["band"] == "moderate"


@pytest.mark.parametrize(
    ("confidence", "level"),
    [(0.0, "insufficient"), (9.99, "insufficient"), (10.0, "low"), (19.99, "low"), (20.0, "medium"), (40.0, "high")],
)
def test_the_published_minimum_and_levels_are_lower_edges(confidence, level):
    """The minimum (10) and the medium (20) and high (40) levels each belong to the level they start."""
    assert confidence_levels(np.array([confidence]), V2.data_confidence)[0] == level


def test_latest_evidence_is_the_newest_assessment_that_counts():
    """The newest observation date, whichever source; None once everything is older than the maximum age."""
    frame = rows((1, dt.date(2025, 2, 3), 2, "high", "a"), (2, dt.date(2025, 5, 20), 1, "low", "b"))
    frames = compute(frame, end_month=dt.date(2028, 6, 1))
    assert month_row(frames)["latest_evidence_on"] == pd.Timestamp(2025, 5, 20)
    assert pd.isna(month_row(frames, dt.date(2028, 6, 1))["latest_evidence_on"])


def test_a_v1_methodology_leaves_confidence_empty():
    """Scores of version 1 carry no data confidence and keep their band."""
    row = month_row(compute(rows((1, DAY, 2, "high", "a")), V1))
    assert np.isnan(row["data_confidence"]) and row["data_confidence_level"] == "" and row["band"] == "high"


def test_the_explanation_lists_every_source_and_adds_up_to_the_factor_score():
    """Each source's share of the factor times its severity gives the stored factor score."""
    frame = rows(
        (1, DAY, 0, "high", "ucdp_country_year"),
        (1, DAY, 3, "medium", "pts"),
        (2, dt.date(2024, 12, 31), 3, "low", "analyst"),
    )
    contributions = indicator_contributions(frame, FRAMEWORK, V2, month=MONTH)
    assert set(contributions["source"]) == {"ucdp_country_year", "pts", "analyst"}
    assert contributions.loc[contributions["source"] == "analyst", "source_weight"].item() == 2.0
    factor = factor_scores_from_contributions(contributions, FRAMEWORK, V2).set_index("factor_number").loc[1]
    assert factor["score"] == pytest.approx(factor_of(compute(frame), 1)["score"])
    assert factor["score"] == pytest.approx(100 / 3 * (contributions["share"] * contributions["severity"]).sum())


def test_fusion_and_confidence_come_together():
    """A methodology with fusion but no data confidence is refused, naming both."""
    raw = {key: value for key, value in MIGRATION.METHODOLOGY_V2.items() if key != "data_confidence"}
    with pytest.raises(MethodologyParametersError, match="fusion and data_confidence"):
        MethodologyParameters.from_dict(raw)


# --- properties ---------------------------------------------------------------------------------------------------

SOURCES = ("ucdp_country_year", "vdem", "pts", "analyst")


@st.composite
def evidence(draw):
    """Assessments of two countries by several sources; one per (country, source, indicator, day)."""
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from((7, 8)),
                st.sampled_from(SOURCES),
                st.integers(1, 42),
                st.dates(dt.date(2021, 1, 1), dt.date(2025, 6, 30)),
            ),
            min_size=1,
            max_size=40,
            unique=True,
        )
    )
    items = [
        (indicator, day, draw(st.integers(0, 3)), draw(st.sampled_from(("low", "medium", "high"))), source, country)
        for country, source, indicator, day in keys
    ]
    return rows(*items)


def _scores(frame, parameters=V2):
    frames = compute(frame, parameters)
    table = frames.country_scores.sort_values(["country_id", "month"]).reset_index(drop=True)
    factors = frames.factor_scores.sort_values(["country_id", "month", "risk_factor_id"]).reset_index(drop=True)
    return table, factors


@FUSING_VERSIONS
@settings(max_examples=60, deadline=None)
@given(frame=evidence(), seed=st.integers(0, 2**32 - 1))
def test_no_order_of_rows_or_imports_changes_a_score(frame, seed, parameters):
    """Shuffling the rows and renumbering their ids (another import order) leaves every score identical."""
    rng = np.random.default_rng(seed)
    shuffled = frame.sample(frac=1, random_state=seed).reset_index(drop=True)
    shuffled["id"] = rng.permutation(len(shuffled)) + 1000
    before, before_factors = _scores(frame, parameters)
    after, after_factors = _scores(shuffled, parameters)
    pd.testing.assert_frame_equal(before, after)
    pd.testing.assert_frame_equal(before_factors, after_factors)


@FUSING_VERSIONS
@settings(max_examples=60, deadline=None)
@given(frame=evidence())
def test_every_score_and_confidence_stays_within_0_and_100(frame, parameters):
    """Scores and data confidence are always on the 0-100 scale."""
    table, factors = _scores(frame, parameters)
    for column in ("overall", "common", "genocide", "crimes_against_humanity", "war_crimes", "data_confidence"):
        values = table[column].dropna()
        assert ((values >= 0) & (values <= 100 + 1e-9)).all(), column
    assert ((factors["score"].dropna() >= 0) & (factors["score"].dropna() <= 100 + 1e-9)).all()


@FUSING_VERSIONS
@settings(max_examples=60, deadline=None)
@given(frame=evidence(), pick=st.integers(0, 1000))
def test_raising_one_severity_never_lowers_a_score(frame, pick, parameters):
    """A more serious assessment never lowers its factor, crime-group or overall score in any month."""
    index = pick % len(frame)
    if frame.loc[index, "severity"] == 3:
        return
    raised = frame.copy()
    raised.loc[index, "severity"] += 1
    before, before_factors = _scores(frame, parameters)
    after, after_factors = _scores(raised, parameters)
    for column in ("overall", "common", "genocide", "crimes_against_humanity", "war_crimes"):
        difference = (after[column] - before[column]).dropna()
        assert (difference >= -1e-9).all(), column
    assert ((after_factors["score"] - before_factors["score"]).dropna() >= -1e-9).all()
