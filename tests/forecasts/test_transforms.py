"""EWP-style transforms of infant mortality and GDP growth, and the feature sets that offer them to the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasts.candidates import EN_FEATURE_SETS, PENALTIES
from forecasts.features import (
    MissingValuePolicy,
    feature_panel,
    features_for_year,
    labels,
    training_rows,
    transformed_features,
)
from forecasts.modelling import CANDIDATES, feature_set_columns, model_fit
from tests.forecasts.synthetic import ISO3, synthetic_world


def _with_development(structural: pd.DataFrame, *, seed: int = 11) -> pd.DataFrame:
    """The synthetic world with an infant-mortality (falling over the years) and a GDP-growth column, a few gaps."""
    rng = np.random.default_rng(seed)
    rows = len(structural)
    imr_sqrt = np.sqrt(np.clip(120 - 2.5 * (structural["year"] - 1980) + rng.normal(scale=20, size=rows), 3, None))
    growth = rng.standard_t(2, size=rows) * 3
    return structural.assign(
        infant_mortality_sqrt=np.where(rng.random(rows) < 0.05, np.nan, imr_sqrt),
        gdp_pc_growth=np.where(rng.random(rows) < 0.05, np.nan, growth),
    )


@pytest.fixture(scope="module")
def world():
    outcomes, structural, framework = synthetic_world()
    structural = _with_development(structural)
    panel = feature_panel(structural=structural, framework=framework, years=range(1981, 2012))
    return outcomes, structural, framework, panel


def test_infant_mortality_is_measured_against_the_same_years_world_median():
    rows = pd.DataFrame({"infant_mortality_sqrt": [2.0, 4.0, 8.0, np.nan]}, index=["QAA", "QAB", "QAC", "QAD"])
    relative = transformed_features(rows)["infant_mortality_relative_log2"]
    # Rates 4, 16, 64: the median is 16, so a quarter, the median and four times it (the gap does not count).
    assert relative.loc[["QAA", "QAB", "QAC"]].tolist() == [-2.0, 0.0, 2.0]
    assert np.isnan(relative.loc["QAD"])


def test_gdp_growth_is_held_within_the_same_years_5th_and_95th_percentiles():
    growth = pd.Series([-60.0, *np.linspace(-5, 5, 19), 90.0, np.nan], index=[f"Q{i:02d}" for i in range(22)])
    winsorised = transformed_features(pd.DataFrame({"gdp_pc_growth": growth}))["gdp_pc_growth_winsorised"]
    low, high = growth.quantile([0.05, 0.95])
    assert winsorised.iloc[0] == low and winsorised.iloc[20] == high
    pd.testing.assert_series_equal(winsorised.iloc[1:20], growth.iloc[1:20], check_names=False)  # inside: unchanged
    assert np.isnan(winsorised.iloc[21])  # missing stays missing; the policy fills and flags it


def test_transforms_for_year_t_use_nothing_dated_after_t_minus_1(world):
    _, structural, framework, _ = world
    before = features_for_year(structural=structural, framework=framework, year=2000)
    later = structural.copy()
    later.loc[later["year"] >= 2000, ["infant_mortality_sqrt", "gdp_pc_growth"]] = [1e3, 1e6]
    after = features_for_year(structural=later, framework=framework, year=2000)
    pd.testing.assert_frame_equal(before, after)
    # Relative to the same rows' median: every rate of 1999 and before four times higher leaves it as it was.
    moved = structural.copy()
    moved.loc[moved["year"] <= 1999, "infant_mortality_sqrt"] *= 2
    shifted = features_for_year(structural=moved, framework=framework, year=2000)
    assert not np.allclose(shifted["infant_mortality_sqrt"], before["infant_mortality_sqrt"])
    np.testing.assert_allclose(shifted["infant_mortality_relative_log2"], before["infant_mortality_relative_log2"])


def test_a_country_ranked_among_fewer_countries_keeps_the_transform_of_the_whole_year(world):
    _, structural, framework, _ = world
    every = features_for_year(structural=structural, framework=framework, year=2000)
    few = features_for_year(structural=structural, framework=framework, year=2000, countries=ISO3[:3])
    pd.testing.assert_frame_equal(few, every.loc[ISO3[:3]])


def test_a_missing_input_is_filled_and_flagged_like_any_other_gap(world):
    _, structural, framework, _ = world
    gap = structural.copy()
    gap.loc[(gap["iso3"] == "QAA") & gap["year"].between(1997, 1999), "infant_mortality_sqrt"] = np.nan
    rows = features_for_year(structural=gap, framework=framework, year=2000)
    assert np.isnan(rows.loc["QAA", "infant_mortality_relative_log2"])
    policy = MissingValuePolicy.fit(rows)
    filled = policy.transform(rows)
    assert filled.loc["QAA", "infant_mortality_relative_log2__missing"] == 1.0
    assert filled.loc["QAA", "infant_mortality_relative_log2"] == policy.fill["infant_mortality_relative_log2"]


def test_transformed_feature_sets_swap_the_raw_values_for_the_transforms_and_the_others_never_see_them():
    columns = [
        "infant_mortality_sqrt",
        "gdp_pc_growth",
        "infant_mortality_relative_log2",
        "gdp_pc_growth_winsorised",
        "framework_rf1",
        "framework_overall",
        "gdp_pc_growth__missing",
        "gdp_pc_growth_winsorised__missing",
    ]

    def kept(feature_set):
        return [columns[position] for position in feature_set_columns(columns, feature_set)]

    assert kept("all") == [columns[0], columns[1], columns[4], columns[5], columns[6]]
    assert kept("summary") == [columns[0], columns[1], columns[5], columns[6]]
    assert kept("all_transformed") == [columns[2], columns[3], columns[4], columns[5], columns[7]]
    assert kept("summary_transformed") == [columns[2], columns[3], columns[5], columns[7]]


def test_the_cross_validation_scores_the_elastic_net_on_the_transformed_feature_sets(world):
    outcomes, _, _, panel = world
    train, target = training_rows(panel, labels(outcomes), forecast_year=2005, horizon=1)
    model = model_fit(train.drop(columns=["iso3", "year"]), target, train["year"], horizon=1)
    scored = {name.split("features=")[1] for name in model.cv_log_loss if name.startswith("elastic_net")}
    assert scored == set(EN_FEATURE_SETS) == {"all_transformed", "summary_transformed"}
    assert len([c for c in CANDIDATES if c.algorithm == "elastic_net"]) == len(EN_FEATURE_SETS) * len(PENALTIES)
    # The trees see every feature as given.
    trees = [name for name in model.cv_log_loss if name.split()[0] in ("gradient_boosting", "random_forest")]
    assert trees == ["gradient_boosting features=all", "random_forest features=all"]
    assert model.candidate.name == min(model.cv_log_loss, key=model.cv_log_loss.get)
