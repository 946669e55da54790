"""The pure scoring core, checked by hand against methodology version 1, and by properties (no database)."""

import datetime as dt
import importlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.scoring.core import (
    MethodologyParameters,
    MethodologyParametersError,
    aggregate_factor_scores,
    band_bounds,
    band_for,
    band_thresholds_of,
    bands_assign,
    scores_compute,
)
from indicators.scoring.explain import factor_scores_from_contributions, indicator_contributions

METHODOLOGY_V1 = importlib.import_module("indicators.migrations.0002_roles_framework_methodology").METHODOLOGY_V1
V1 = MethodologyParameters.from_dict(METHODOLOGY_V1)
# A small framework: 14 factors with two indicators each; indicator 2n-1 and 2n belong to factor n.
FRAMEWORK = pd.DataFrame(
    {
        "indicator_id": range(1, 29),
        "risk_factor_id": [100 + n // 2 + 1 for n in range(28)],
        "factor_number": [n // 2 + 1 for n in range(28)],
    }
)
END = dt.date(2025, 12, 1)


def assessments(*rows):
    """Rows of (indicator, observed_on, severity, confidence[, id[, country]])."""
    records = []
    for index, row in enumerate(rows, start=1):
        indicator, observed_on, severity, confidence = row[:4]
        records.append(
            {
                "id": row[4] if len(row) > 4 else index,
                "country_id": row[5] if len(row) > 5 else 7,
                "indicator_id": indicator,
                "observed_on": observed_on,
                "severity": severity,
                "confidence": confidence,
            }
        )
    return pd.DataFrame(records, columns=["id", "country_id", "indicator_id", "observed_on", "severity", "confidence"])


def compute(frame, **kwargs):
    return scores_compute(frame, FRAMEWORK, V1, end_month=kwargs.pop("end_month", END), **kwargs)


def factor_score(frames, month, factor_number, country_id=7):
    rows = frames.factor_scores
    row = rows[
        (rows["country_id"] == country_id)
        & (rows["month"] == pd.Timestamp(month))
        & (rows["risk_factor_id"] == 100 + factor_number)
    ]
    assert len(row) == 1
    return row.iloc[0]


def country_row(frames, month, country_id=7):
    rows = frames.country_scores
    row = rows[(rows["country_id"] == country_id) & (rows["month"] == pd.Timestamp(month))]
    assert len(row) == 1
    return row.iloc[0]


def test_a_serious_high_confidence_assessment_scores_100_in_its_month():
    frames = compute(assessments((1, dt.date(2025, 3, 10), 3, "high")), end_month=dt.date(2025, 3, 1))
    assert factor_score(frames, dt.date(2025, 3, 1), 1)["score"] == pytest.approx(100.0)


def test_older_assessments_weigh_half_as_much_after_the_half_life():
    frames = compute(assessments((1, dt.date(2024, 1, 5), 3, "high"), (2, dt.date(2025, 1, 20), 0, "high")))
    # In January 2025 the serious one is 12 months old (weight 0.5), the new one weighs 1: 100 * 1.5 / (3 * 1.5).
    assert factor_score(frames, dt.date(2025, 1, 1), 1)["score"] == pytest.approx(100 * 0.5 * 3 / (3 * 1.5))
    # Six months later: weights 2 ** -1.5 and 2 ** -0.5.
    old, new = 2**-1.5, 2**-0.5
    expected = 100 * old * 3 / (3 * (old + new))
    assert factor_score(frames, dt.date(2025, 7, 1), 1)["score"] == pytest.approx(expected)


def test_confidence_weights_are_high_1_medium_075_low_05():
    low = compute(assessments((1, dt.date(2025, 5, 1), 3, "low"), (2, dt.date(2025, 5, 1), 0, "high")))
    medium = compute(assessments((1, dt.date(2025, 5, 1), 3, "medium"), (2, dt.date(2025, 5, 1), 0, "high")))
    assert factor_score(low, dt.date(2025, 5, 1), 1)["score"] == pytest.approx(100 * 0.5 * 3 / (3 * 1.5))
    assert factor_score(medium, dt.date(2025, 5, 1), 1)["score"] == pytest.approx(100 * 0.75 * 3 / (3 * 1.75))


def test_an_assessment_older_than_36_months_counts_as_not_assessed():
    frames = compute(assessments((1, dt.date(2020, 1, 31), 2, "high")), end_month=dt.date(2023, 2, 1))
    at_36 = factor_score(frames, dt.date(2023, 1, 1), 1)
    at_37 = factor_score(frames, dt.date(2023, 2, 1), 1)
    assert at_36["score"] == pytest.approx(100 * 2 / 3)
    assert at_36["indicators_assessed"] == 1
    assert math.isnan(at_37["score"])
    assert at_37["coverage"] == 0
    assert math.isnan(country_row(frames, dt.date(2023, 2, 1))["overall"])
    assert country_row(frames, dt.date(2023, 2, 1))["band"] == ""


def test_the_latest_assessment_on_or_before_the_month_replaces_earlier_ones():
    frames = compute(
        assessments(
            (1, dt.date(2025, 1, 1), 3, "high", 1),
            (1, dt.date(2025, 4, 15), 1, "high", 2),
            (1, dt.date(2025, 4, 15), 0, "high", 3),  # same day, recorded later: it wins
        )
    )
    assert factor_score(frames, dt.date(2025, 3, 1), 1)["score"] == pytest.approx(100.0)
    assert factor_score(frames, dt.date(2025, 4, 1), 1)["score"] == pytest.approx(0.0)
    assert factor_score(frames, dt.date(2025, 4, 1), 1)["indicators_assessed"] == 1


def test_coverage_is_the_share_of_indicators_assessed():
    frames = compute(assessments((1, dt.date(2025, 6, 1), 1, "high"), (3, dt.date(2025, 6, 1), 1, "high")))
    assert factor_score(frames, dt.date(2025, 6, 1), 1)["coverage"] == pytest.approx(0.5)
    assert factor_score(frames, dt.date(2025, 6, 1), 4)["coverage"] == 0
    assert country_row(frames, dt.date(2025, 6, 1))["coverage"] == pytest.approx(2 / 28)


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "low"), (24.99, "low"), (25, "moderate"), (49.99, "moderate"), (50, "high"), (74.99, "high"),
     (75, "very_high"), (100, "very_high")],
)  # fmt: skip
def test_bands_follow_the_thresholds_with_each_edge_in_the_higher_band(score, band):
    assert bands_assign(np.array([score]), V1)[0] == band


def test_no_score_has_no_band():
    assert bands_assign(np.array([np.nan]), V1)[0] == ""


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=1, max_value=30))
def test_one_score_band_and_band_bounds_agree_with_the_array_banding(score, step):
    thresholds = {"moderate": step, "high": 2 * step, "very_high": 3 * step}
    band = band_for(score, thresholds)
    assert (
        band
        == bands_assign(
            np.array([score]), MethodologyParameters.from_dict({**METHODOLOGY_V1, "band_thresholds": thresholds})
        )[0]
    )
    low, high = band_bounds(thresholds)[band]
    assert (low is None or score >= low) and (high is None or score < high)


def test_band_for_reads_the_methodologys_thresholds_and_none_has_no_band():
    assert band_for(None, METHODOLOGY_V1["band_thresholds"]) == ""
    assert band_for(30, {"moderate": 10, "high": 20, "very_high": 40}) == "high"
    assert band_thresholds_of(None) == {"moderate": 25, "high": 50, "very_high": 75}
    assert band_thresholds_of(METHODOLOGY_V1) == METHODOLOGY_V1["band_thresholds"]


def test_crime_group_is_the_mean_of_common_and_its_specific_factors_and_overall_is_the_highest():
    scores = np.full((1, 14), np.nan)
    scores[0, :8] = [10, 20, 30, 40, 50, 60, 70, 80]  # common = 45
    scores[0, 8:10] = [90, 70]  # genocide specific = 80 -> (45 + 80) / 2 = 62.5
    scores[0, 10:12] = [0, 10]  # crimes against humanity specific = 5 -> 25
    scores[0, 12] = 60  # war crimes: only factor 13 assessed -> specific 60 -> 52.5
    common, groups, overall = aggregate_factor_scores(scores, np.arange(1, 15), V1)
    assert common[0] == pytest.approx(45)
    assert groups["genocide"][0] == pytest.approx(62.5)
    assert groups["crimes_against_humanity"][0] == pytest.approx(25)
    assert groups["war_crimes"][0] == pytest.approx(52.5)
    assert overall[0] == pytest.approx(62.5)


def test_unassessed_factors_are_left_out_of_the_means_not_counted_as_zero():
    scores = np.full((1, 14), np.nan)
    scores[0, 0] = 60
    common, groups, overall = aggregate_factor_scores(scores, np.arange(1, 15), V1)
    assert common[0] == pytest.approx(60)
    assert groups["genocide"][0] == pytest.approx(60)
    assert overall[0] == pytest.approx(60)


def test_country_scores_combine_factor_scores_per_month():
    frames = compute(
        assessments(
            (1, dt.date(2025, 6, 1), 3, "high"),  # factor 1: 100
            (3, dt.date(2025, 6, 1), 0, "high"),  # factor 2: 0 -> common 50
            (17, dt.date(2025, 6, 1), 3, "high"),  # factor 9: 100 -> genocide 75
        )
    )
    row = country_row(frames, dt.date(2025, 6, 1))
    assert row["common"] == pytest.approx(50)
    assert row["genocide"] == pytest.approx(75)
    assert row["war_crimes"] == pytest.approx(50)
    assert row["overall"] == pytest.approx(75)
    assert row["band"] == "very_high"


def test_changes_compare_with_3_and_12_months_earlier():
    frames = compute(
        assessments(
            (1, dt.date(2024, 1, 1), 0, "high"),
            (1, dt.date(2024, 10, 1), 3, "high"),
            (1, dt.date(2025, 1, 1), 3, "high"),
        )
    )
    row = country_row(frames, dt.date(2025, 1, 1))
    assert row["change_3m"] == pytest.approx(0)
    assert row["change_12m"] == pytest.approx(100)
    first = country_row(frames, dt.date(2024, 1, 1))
    assert math.isnan(first["change_3m"]) and math.isnan(first["change_12m"])
    october = country_row(frames, dt.date(2024, 10, 1))
    assert october["change_3m"] == pytest.approx(100)


def test_scores_start_at_the_first_assessed_month_and_run_to_the_last():
    frames = compute(assessments((1, dt.date(2025, 9, 30), 1, "low")))
    assert list(frames.country_scores["month"].dt.date) == [dt.date(2025, m, 1) for m in (9, 10, 11, 12)]
    assert len(frames.factor_scores) == 4 * 14


def test_since_returns_the_same_scores_as_a_full_computation_from_that_month():
    frame = assessments(
        (1, dt.date(2021, 2, 1), 3, "high"), (2, dt.date(2023, 6, 1), 1, "low"), (17, dt.date(2024, 12, 1), 2, "high")
    )
    full = compute(frame).country_scores
    partial = compute(frame, since=dt.date(2025, 1, 1), country_first_months={7: dt.date(2021, 2, 1)}).country_scores
    expected = full[full["month"] >= pd.Timestamp(2025, 1, 1)].reset_index(drop=True)
    pd.testing.assert_frame_equal(partial.reset_index(drop=True), expected)


def test_assessments_of_indicators_outside_the_framework_are_ignored():
    frames = compute(assessments((1, dt.date(2025, 6, 1), 1, "high"), (999, dt.date(2025, 6, 1), 3, "high")))
    assert country_row(frames, dt.date(2025, 6, 1))["coverage"] == pytest.approx(1 / 28)


def test_contributions_explain_the_factor_score():
    frame = assessments((1, dt.date(2024, 6, 1), 3, "high"), (2, dt.date(2025, 6, 1), 1, "medium"))
    contributions = indicator_contributions(frame, FRAMEWORK, V1, month=dt.date(2025, 6, 1))
    by_indicator = contributions.set_index("indicator_id")
    assert by_indicator.loc[1, "age_months"] == 12
    assert by_indicator.loc[1, "age_weight"] == pytest.approx(0.5)
    assert by_indicator.loc[2, "confidence_weight"] == pytest.approx(0.75)
    assert by_indicator["share"].sum() == pytest.approx(1)
    factor = factor_scores_from_contributions(contributions, FRAMEWORK, V1).set_index("factor_number")
    stored = factor_score(compute(frame), dt.date(2025, 6, 1), 1)
    assert factor.loc[1, "score"] == pytest.approx(stored["score"])


def test_parameters_with_problems_are_refused_naming_each_problem():
    broken = {**METHODOLOGY_V1, "half_life_months": 0, "band_thresholds": {"moderate": 50, "high": 25, "very_high": 75}}
    with pytest.raises(MethodologyParametersError) as excinfo:
        MethodologyParameters.from_dict(broken)
    assert "half_life_months" in str(excinfo.value)
    assert "band_thresholds" in str(excinfo.value)


def test_a_methodology_naming_a_factor_the_framework_lacks_is_refused():
    params = MethodologyParameters.from_dict(
        {
            **METHODOLOGY_V1,
            "common_factors": [1, 2, 99],
            "factor_weights": {**METHODOLOGY_V1["factor_weights"], "99": 1},
        }
    )
    with pytest.raises(ValueError, match="99"):
        scores_compute(assessments((1, dt.date(2025, 1, 1), 1, "high")), FRAMEWORK, params, end_month=END)


# ---------------------------------------------------------------------------------------------------------------
# Properties

observation = st.tuples(
    st.integers(1, 28),  # indicator
    st.dates(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
    st.integers(0, 3),
    st.sampled_from(["low", "medium", "high"]),
    st.integers(7, 9),  # country
)
observations = st.lists(observation, min_size=1, max_size=40)


def frame_of(rows):
    return assessments(*[(ind, day, sev, conf, index, country) for index, (ind, day, sev, conf, country) in
                         enumerate(rows, start=1)])  # fmt: skip


SCORE_COLUMNS = ["overall", "common", "genocide", "crimes_against_humanity", "war_crimes"]


@settings(max_examples=60, deadline=None)
@given(observations)
def test_every_score_stays_within_0_and_100(rows):
    frames = compute(frame_of(rows))
    values = np.concatenate([frames.country_scores[SCORE_COLUMNS].to_numpy().ravel(), frames.factor_scores["score"]])
    values = values[~np.isnan(values)]
    assert ((values >= -1e-9) & (values <= 100 + 1e-9)).all()
    coverage = frames.factor_scores["coverage"]
    assert ((coverage >= 0) & (coverage <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(observations, st.data())
def test_a_rising_severity_never_lowers_any_score(rows, data):
    index = data.draw(st.integers(0, len(rows) - 1))
    indicator, day, severity, confidence, country = rows[index]
    raised = list(rows)
    raised[index] = (indicator, day, min(3, severity + data.draw(st.integers(1, 3))), confidence, country)
    before, after = compute(frame_of(rows)), compute(frame_of(raised))
    for name in ("country_scores", "factor_scores"):
        old, new = getattr(before, name), getattr(after, name)
        columns = SCORE_COLUMNS if name == "country_scores" else ["score"]
        old_values, new_values = old[columns].to_numpy(), new[columns].to_numpy()
        assert (np.isnan(old_values) == np.isnan(new_values)).all()
        both = ~np.isnan(old_values)
        assert (new_values[both] >= old_values[both] - 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(observations, st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_the_order_of_the_rows(rows, random):
    frame = frame_of(rows)
    shuffled = frame.sample(frac=1, random_state=random.randint(0, 2**31)).reset_index(drop=True)
    first, second = compute(frame), compute(shuffled)
    pd.testing.assert_frame_equal(first.country_scores, second.country_scores)
    pd.testing.assert_frame_equal(first.factor_scores, second.factor_scores)
