"""The forecast's pure core: leakage rule, determinism, calibration, missing features and the elastic-net solver."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from forecasts.backtest import backtest_run, evaluate, forecast_year
from forecasts.elastic_net import ElasticNetLogistic
from forecasts.features import MissingValuePolicy, feature_panel, features_for_year, labels, training_rows
from forecasts.modelling import (
    CANDIDATES,
    PLATT_C,
    FittedModel,
    average_candidate,
    calibration_bins,
    feature_set_columns,
    model_fit,
    platt_fit,
    ranks,
)
from tests.forecasts.synthetic import synthetic_world


@pytest.fixture(scope="module")
def world():
    outcomes, structural, framework = synthetic_world()
    panel = feature_panel(structural=structural, framework=framework, years=range(1981, 2012))
    return outcomes, structural, framework, panel


def test_features_for_year_t_use_nothing_dated_after_t_minus_1(world):
    _, structural, framework, _ = world
    before = features_for_year(structural=structural, framework=framework, year=2000)
    # Change every value dated 2000 or later beyond recognition: the features for 2000 must not move.
    later_structural = structural.copy()
    later_structural.loc[later_structural["year"] >= 2000, ["tension", "noise"]] = 1e6
    later_framework = framework.copy()
    later_framework.loc[later_framework["year"] >= 2000, "overall"] = -1e6
    after = features_for_year(structural=later_structural, framework=later_framework, year=2000)
    pd.testing.assert_frame_equal(before, after)
    assert before["framework_overall"].abs().max() < 1e5


def test_indicator_values_for_year_t_use_nothing_dated_after_t_minus_1(world):
    _, structural, framework, _ = world
    indicators = structural[["iso3", "year"]].assign(indicator_2_1_pts=structural["year"] % 4)
    before = features_for_year(structural=structural, framework=framework, indicators=indicators, year=2000)
    later = indicators.assign(
        indicator_2_1_pts=np.where(indicators["year"] >= 2000, 99, indicators["indicator_2_1_pts"])
    )
    after = features_for_year(structural=structural, framework=framework, indicators=later, year=2000)
    pd.testing.assert_frame_equal(before, after)
    assert (before["indicator_2_1_pts"] == 1999 % 4).all()


def test_a_missing_structural_value_is_carried_from_at_most_two_years_earlier(world):
    _, structural, framework, _ = world
    gap = structural[~((structural["iso3"] == "QAA") & structural["year"].between(1996, 1999))]
    rows = features_for_year(structural=gap, framework=framework, year=2000)
    assert np.isnan(rows.loc["QAA", "tension"])  # 1999, 1998 and 1997 all missing: nothing carried from 1996
    rows = features_for_year(structural=gap, framework=framework, year=1998)
    expected = structural[(structural["iso3"] == "QAA") & (structural["year"] == 1995)]["noise"].iloc[0]
    assert rows.loc["QAA", "noise"] == expected


def test_forecasts_for_a_year_are_identical_with_or_without_its_outcomes_and_later_ones(world):
    outcomes, _, _, panel = world
    everything = forecast_year(panel=panel, outcomes=outcomes, year=2000)
    earlier_only = forecast_year(panel=panel, outcomes=outcomes[outcomes["year"] < 2000], year=2000)
    pd.testing.assert_frame_equal(everything.table, earlier_only.table)
    flipped = outcomes.assign(onset=np.where(outcomes["year"] >= 2000, 1 - outcomes["onset"], outcomes["onset"]))
    pd.testing.assert_frame_equal(everything.table, forecast_year(panel=panel, outcomes=flipped, year=2000).table)


def test_training_rows_for_two_years_stop_where_the_whole_horizon_is_known(world):
    outcomes, _, _, panel = world
    one, _ = training_rows(panel, labels(outcomes), forecast_year=2000, horizon=1)
    two, _ = training_rows(panel, labels(outcomes), forecast_year=2000, horizon=2)
    assert one["year"].max() == 1999
    assert two["year"].max() == 1998


def test_training_is_deterministic(world):
    outcomes, _, _, panel = world
    first = forecast_year(panel=panel, outcomes=outcomes, year=2005)
    second = forecast_year(panel=panel, outcomes=outcomes, year=2005)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert first.models[1].describe() == second.models[1].describe()


def test_the_backtest_is_the_same_whether_its_years_are_fitted_one_by_one_or_side_by_side(world):
    outcomes, _, _, panel = world
    one = backtest_run(panel=panel, outcomes=outcomes, first_year=2008, last_year=2010, n_jobs=1)
    two = backtest_run(panel=panel, outcomes=outcomes, first_year=2008, last_year=2010, n_jobs=2, live_year=2011)
    pd.testing.assert_frame_equal(one.rows, two.rows)
    assert one.summary == two.summary


def test_the_live_forecast_fitted_beside_the_backtest_is_the_one_fitted_alone(world):
    """forecast_train fits the live year in the backtest's processes; that changes nothing in it."""
    outcomes, _, _, panel = world
    beside = backtest_run(panel=panel, outcomes=outcomes, first_year=2010, last_year=2010, n_jobs=2, live_year=2011)
    alone = forecast_year(panel=panel, outcomes=outcomes, year=2011)
    pd.testing.assert_frame_equal(beside.live.table, alone.table)
    assert beside.live.models[1].describe() == alone.models[1].describe()


def test_the_chosen_model_has_the_lowest_cross_validated_log_loss_the_average_included(world):
    outcomes, _, _, panel = world
    train, target = training_rows(panel, labels(outcomes), forecast_year=2005, horizon=1)
    model = model_fit(train.drop(columns=["iso3", "year"]), target, train["year"], horizon=1)
    averages = [name for name in model.cv_log_loss if name.startswith("average of ")]
    assert len(averages) == 1
    members = averages[0].removeprefix("average of ").split(" and ")
    # The average's members: the best-scored candidate of each algorithm.
    assert [member.split()[0] for member in members] == ["elastic_net", "gradient_boosting", "random_forest"]
    for member in members:
        family = [name for name in model.cv_log_loss if name.split()[0] == member.split()[0]]
        assert model.cv_log_loss[member] == min(model.cv_log_loss[name] for name in family)
    assert model.candidate.name == min(model.cv_log_loss, key=model.cv_log_loss.get)


def test_an_average_forecasts_the_mean_of_its_members_probabilities(world):
    outcomes, _, _, panel = world
    train, target = training_rows(panel, labels(outcomes), forecast_year=2005, horizon=1)
    features = train.drop(columns=["iso3", "year"])
    elastic, boosted, forest = (
        model_fit(features, target, train["year"], horizon=1, candidates=(candidate,), averaging=False)
        for candidate in (CANDIDATES[0], _named("gradient_boosting"), _named("random_forest"))
    )
    both = FittedModel(
        horizon=1,
        policy=elastic.policy,
        candidate=average_candidate((elastic.candidate, boosted.candidate, forest.candidate)),
        estimators=(*elastic.estimators, *boosted.estimators, *forest.estimators),
        calibration=(1.0, 0.0),
        cv_log_loss={},
        training_rows=len(target),
        training_onsets=int(target.sum()),
        training_years=(1981, 2004),
    )
    rows = panel[panel["year"] == 2005].drop(columns=["iso3", "year"])
    expected = (elastic.raw_probability(rows) + boosted.raw_probability(rows) + forest.raw_probability(rows)) / 3
    np.testing.assert_allclose(both.raw_probability(rows), expected)
    described = both.describe()
    assert described["coefficients"]
    # The importances are the two tree members' shares of splits, averaged: they still sum to one.
    trees = [model.describe()["importances"] for model in (boosted, forest)]
    for name, share in described["importances"].items():
        assert share == pytest.approx(sum(tree.get(name, 0.0) for tree in trees) / 2)
    assert sum(described["importances"].values()) == pytest.approx(1.0)
    assert len(feature_set_columns(both.used_columns, "all")) == len(both.used_columns)


@pytest.fixture(scope="module")
def backtest(world):
    outcomes, _, _, panel = world
    return backtest_run(panel=panel, outcomes=outcomes, first_year=2003, last_year=2010)


def test_the_model_ranks_the_riskier_countries_higher_and_the_two_year_probability_is_never_lower(backtest):
    result = backtest
    figures = evaluate(result.rows)
    assert figures["1y"]["ours"]["roc_auc"] > 0.75
    assert (result.rows["probability_2y"] >= result.rows["probability_1y"]).all()


def test_calibrated_probabilities_match_the_observed_onset_rate_on_average(backtest):
    known = backtest.rows[backtest.rows["onset_1y"].notna()]
    mean_forecast = known["probability_1y"].mean()
    observed = known["onset_1y"].mean()
    assert abs(mean_forecast - observed) < 0.5 * observed
    bins = calibration_bins(known["onset_1y"], known["probability_1y"])
    assert sum(entry["rows"] for entry in bins) == len(known)


def test_missing_features_are_filled_with_the_training_median_and_flagged():
    training = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "b": [1.0, 1.0, 1.0, 1.0], "c": [np.nan] * 4})
    policy = MissingValuePolicy.fit(training)
    assert policy.columns == ("a", "b")  # c has no value at all in the window: left out
    assert policy.flagged == ("a",)
    filled = policy.transform(pd.DataFrame({"a": [np.nan], "b": [np.nan], "c": [5.0]}))
    assert filled.iloc[0].to_dict() == {"a": 2.0, "b": 1.0, "a__missing": 1.0}


def test_a_country_without_any_framework_score_still_gets_a_forecast(world):
    outcomes, structural, framework, _ = world
    panel = feature_panel(
        structural=structural, framework=framework[framework["iso3"] != "QAB"], years=range(1981, 2012)
    )
    result = forecast_year(panel=panel, outcomes=outcomes, year=2011)
    row = result.table.set_index("iso3").loc["QAB"]
    assert 0 < row["probability_1y"] < 1


def test_drivers_name_the_feature_that_moves_a_country_most_with_its_direction(world):
    outcomes, _, _, panel = world
    result = forecast_year(panel=panel, outcomes=outcomes, year=2011)
    rows = panel[panel["year"] == 2011].sort_values("iso3")
    features = rows.drop(columns=["iso3", "year"]).set_index(rows["iso3"])
    top = result.table.sort_values("rank_1y").iloc[0]["iso3"]
    drivers = result.models[1].drivers(features.loc[[top]])[0]
    assert drivers[0]["feature"] in ("tension", "framework_overall")
    assert drivers[0]["direction"] == "raises"


def test_ranks_are_one_for_the_highest_probability_and_break_ties_by_code():
    assert list(ranks(np.array([0.1, 0.3, 0.1]), ["QBB", "QCC", "QAA"])) == [3, 1, 2]


def test_the_elastic_net_solver_reaches_scikit_learns_saga_optimum():
    rng = np.random.default_rng(3)
    features = StandardScaler().fit_transform(rng.normal(size=(300, 6)))
    outcome = (rng.random(300) < 1 / (1 + np.exp(-(features[:, 0] - 2)))).astype(int)
    ours = ElasticNetLogistic(C=0.3, l1_ratio=0.5, tol=1e-6).fit(features, outcome)
    assert_reaches_saga_optimum(ours, features, outcome, tol=1e-10, atol=1e-4)


def assert_reaches_saga_optimum(ours, features, outcome, *, tol, atol):
    """Our fit's coefficients are scikit-learn's saga solution of the same objective, within `atol`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        saga = LogisticRegression(C=ours.C, l1_ratio=ours.l1_ratio, solver="saga", tol=tol, max_iter=1_000_000).fit(
            features, outcome
        )
    np.testing.assert_allclose(ours.coef_, saga.coef_, atol=atol)
    np.testing.assert_allclose(ours.intercept_, saga.intercept_, atol=atol)


def test_at_a_weak_penalty_warm_started_from_a_stronger_one_the_solver_still_reaches_saga_optimum():
    """Rare onsets and correlated features make the objective flat at C = 3: the solver stops on the optimality
    conditions (within about 2 * tol of the optimum), not when a step barely moves the coefficients."""
    rng = np.random.default_rng(0)
    common = rng.normal(size=(1500, 4))
    features = common[:, rng.integers(0, 4, size=20)] + 0.3 * rng.normal(size=(1500, 20))
    features = StandardScaler().fit_transform(features)
    outcome = (rng.random(1500) < 1 / (1 + np.exp(-(features[:, 0] - 0.5 * features[:, 5] - 4.5)))).astype(int)
    stronger = ElasticNetLogistic(C=1.0, l1_ratio=0.5, tol=1e-4).fit(features, outcome)
    ours = ElasticNetLogistic(C=3.0, l1_ratio=0.5, tol=1e-4).share_path_from(stronger).fit(features, outcome)
    assert_reaches_saga_optimum(ours, features, outcome, tol=1e-12, atol=2e-4)


def test_platt_scaling_reaches_scikit_learns_logistic_regression_optimum():
    """The Newton solve of Platt scaling gives scikit-learn's slope and intercept (same objective, tight tolerance)."""
    rng = np.random.default_rng(7)
    for rows in (150, 2000, 6000):
        logits = rng.normal(-4, 1.5, size=rows)
        outcome = (rng.random(rows) < 1 / (1 + np.exp(-(0.8 * logits + 0.5)))).astype(int)
        reference = LogisticRegression(C=PLATT_C, tol=1e-10, max_iter=10_000).fit(logits[:, None], outcome)
        slope, intercept = platt_fit(logits, outcome)
        assert slope == pytest.approx(reference.coef_[0][0], abs=1e-6)
        assert intercept == pytest.approx(reference.intercept_[0], abs=1e-6)


def _named(algorithm: str):
    return next(candidate for candidate in CANDIDATES if candidate.algorithm == algorithm)
