"""One-year models fitted on the two-year label: which rows carry that label, and that it leaks nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss

from forecasts.backtest import forecast_year
from forecasts.candidates import CANDIDATES, WIDER_LABEL_CANDIDATES, Labels, year_block_folds
from forecasts.features import feature_panel, labels, training_rows, wider_labels
from forecasts.modelling import calibrated_log_loss, model_fit
from tests.forecasts.synthetic import synthetic_world


@pytest.fixture(scope="module")
def world():
    outcomes, structural, framework = synthetic_world()
    panel = feature_panel(structural=structural, framework=framework, years=range(1981, 2012))
    return outcomes, panel


def _outcomes(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["iso3", "year", "onset"]).assign(ongoing=0)


def test_the_two_year_label_is_onset_in_t_or_t_plus_1_and_only_where_t_plus_1_is_before_the_forecast_year():
    outcomes = _outcomes(
        [("QAA", year, int(year == 1997)) for year in range(1994, 2001)]
        + [("QAB", year, int(year == 1999)) for year in range(1994, 2001)]
    )
    panel = pd.DataFrame({"iso3": ["QAA"] * 6 + ["QAB"] * 6, "year": list(range(1995, 2001)) * 2, "x": 0.0})
    known = labels(outcomes[outcomes["year"] < 2000])
    train, target = training_rows(panel, known, forecast_year=2000, horizon=1)
    wider = wider_labels(train, known, forecast_year=2000, horizon=2)
    by_row = dict(zip(zip(train["iso3"], train["year"], strict=True), wider, strict=True))
    assert by_row[("QAA", 1996)] == 1 and by_row[("QAA", 1997)] == 1  # onset in 1997: T'+1 and T'
    assert by_row[("QAA", 1995)] == 0 and by_row[("QAA", 1998)] == 0
    assert by_row[("QAB", 1998)] == 1  # reads 1999, the last year before the forecast year
    # 1999 would read 2000, the forecast year: no label, even for QAB whose onset in 1999 already makes it 1.
    assert np.isnan(by_row[("QAA", 1999)]) and np.isnan(by_row[("QAB", 1999)])
    assert target.tolist() == [int(year == 1997) for year in range(1995, 2000)] + [
        int(year == 1999) for year in range(1995, 2000)
    ]


def test_the_two_year_label_reads_no_outcome_of_the_forecast_year_or_later(world):
    outcomes, panel = world
    flipped = outcomes.assign(onset=np.where(outcomes["year"] >= 2000, 1 - outcomes["onset"], outcomes["onset"]))
    train, _ = training_rows(panel, labels(outcomes[outcomes["year"] < 2000]), forecast_year=2000, horizon=1)
    earlier = wider_labels(train, labels(outcomes[outcomes["year"] < 2000]), forecast_year=2000, horizon=2)
    # Given every outcome (the forecast year's flipped), the label is still the one made from earlier outcomes only.
    pd.testing.assert_series_equal(earlier, wider_labels(train, labels(flipped), forecast_year=2000, horizon=2))
    assert earlier[train["year"] == 1999].isna().all() and earlier[train["year"] <= 1998].notna().all()


def test_in_a_fold_the_wider_label_is_never_fitted_on_a_row_that_reads_a_held_out_year():
    years = np.repeat(np.arange(1990, 2000), 3)
    target = np.zeros(len(years), dtype=int)
    wider = np.where(years <= 1997, 0.0, np.nan)
    fold = Labels(target=target, years=years, wider=wider)
    train, held_out = np.flatnonzero(years != 1994), np.flatnonzero(years == 1994)
    narrow, _ = fold.fit_rows(CANDIDATES[0], train, held_out)
    wide, _ = fold.fit_rows(WIDER_LABEL_CANDIDATES[0], train, held_out)
    assert set(years[narrow]) == set(range(1990, 2000)) - {1994}
    # 1993's two-year label reads 1994 (held out); 1998 and 1999 have no two-year label in this window.
    assert set(years[wide]) == {1990, 1991, 1992, 1995, 1996, 1997}
    refit, _ = fold.fit_rows(WIDER_LABEL_CANDIDATES[0], np.arange(len(years)))
    assert set(years[refit]) == set(range(1990, 1998))


def test_a_wider_label_candidate_needs_the_wider_label():
    fold = Labels(target=np.zeros(3, dtype=int), years=np.array([1990, 1991, 1992]))
    with pytest.raises(ValueError, match="2-year label"):
        fold.fit_rows(WIDER_LABEL_CANDIDATES[0], np.arange(3))


def _wider_only_forecast(outcomes: pd.DataFrame, panel: pd.DataFrame, year: int):
    # Every outcome given is labelled: the cut-offs of training_rows and wider_labels are what keeps later ones out.
    known = labels(outcomes)
    train, target = training_rows(panel, known, forecast_year=year, horizon=1)
    wider = wider_labels(train, known, forecast_year=year, horizon=2)
    model = model_fit(
        train.drop(columns=["iso3", "year"]),
        target,
        train["year"],
        horizon=1,
        candidates=WIDER_LABEL_CANDIDATES,
        averaging=False,
        wider_outcome=wider,
    )
    rows = panel[panel["year"] == year].sort_values("iso3")
    return model, model.probability(rows.drop(columns=["iso3", "year"]))


def test_a_one_year_forecast_fitted_on_the_two_year_label_is_the_same_without_the_forecast_years_outcomes(world):
    outcomes, panel = world
    _, everything = _wider_only_forecast(outcomes, panel, 2000)
    _, earlier_only = _wider_only_forecast(outcomes[outcomes["year"] < 2000], panel, 2000)
    np.testing.assert_array_equal(everything, earlier_only)
    flipped = outcomes.assign(onset=np.where(outcomes["year"] >= 2000, 1 - outcomes["onset"], outcomes["onset"]))
    np.testing.assert_array_equal(everything, _wider_only_forecast(flipped, panel, 2000)[1])
    assert everything.max() > 2 * everything.mean()  # it ranks: not a constant base rate


def test_describe_says_what_a_two_year_label_member_was_fitted_on(world):
    outcomes, panel = world
    model, _ = _wider_only_forecast(outcomes, panel, 2000)
    described = model.describe()
    two_year = labels(outcomes[outcomes["year"] <= 1999])  # T'+1 <= 1999
    two_year = two_year[two_year["year"].isin(panel["year"]) & two_year["onset_2y"].notna()]
    two_year = two_year[two_year["year"] <= 1998]
    [member] = described["members"]
    assert member == {
        "name": model.candidate.name,
        "label": "onset_2y",
        "rows": len(two_year),
        "positives": int(two_year["onset_2y"].sum()),
        "last_year": 1998,
    }
    assert described["cv_score"] == "Platt-scaled out-of-fold log loss"


def test_only_the_one_year_horizon_offers_the_wider_label_candidates(world):
    outcomes, panel = world
    result = forecast_year(panel=panel, outcomes=outcomes, year=2005)
    wider_names = {candidate.name for candidate in WIDER_LABEL_CANDIDATES}
    assert wider_names <= set(result.models[1].cv_log_loss)
    assert not wider_names & set(result.models[2].cv_log_loss)


def test_outcomes_that_end_years_before_the_forecast_year_keep_no_lone_positive_of_their_last_year():
    # The live fit: the base data ends in 2010, the forecast is of 2026. 2010's two-year label would read 2011.
    outcomes = _outcomes(
        [("QAA", year, int(year == 2010)) for year in range(2004, 2011)]
        + [("QAB", year, int(year == 2008)) for year in range(2004, 2011)]
    )
    panel = pd.DataFrame({"iso3": ["QAA"] * 7 + ["QAB"] * 7, "year": list(range(2004, 2011)) * 2, "x": 0.0})
    known = labels(outcomes)
    one, one_target = training_rows(panel, known, forecast_year=2026, horizon=1)
    two, two_target = training_rows(panel, known, forecast_year=2026, horizon=2)
    assert len(one) == 14 and one_target.sum() == 2  # the one-year label of 2010 is known: its onset is kept
    assert two["year"].max() == 2009 and len(two) == 12
    assert (
        dict(zip(zip(two["iso3"], two["year"], strict=True), two_target, strict=True))[("QAA", 2009)] == 1
    )  # 2009 reads 2010, known
    wider = wider_labels(one, known, forecast_year=2026, horizon=2)
    assert wider[(one["year"] == 2010).to_numpy()].isna().all()
    assert wider[(one["year"] <= 2009).to_numpy()].notna().all()
    # A missing outcome row (a country absent for a year) leaves the year before it without a two-year label.
    gap = labels(outcomes[(outcomes["iso3"] != "QAB") | (outcomes["year"] != 2007)])
    two_gap, _ = training_rows(panel, gap, forecast_year=2026, horizon=2)
    assert ("QAB", 2006) not in set(zip(two_gap["iso3"], two_gap["year"], strict=True))


def test_the_two_year_horizons_own_candidates_skip_the_row_before_a_held_out_run():
    years = np.repeat(np.arange(1990, 1998), 3)
    fold = Labels(target=np.zeros(len(years), dtype=int), years=years, horizon=2)
    train, held_out = np.flatnonzero(years != 1994), np.flatnonzero(years == 1994)
    rows, _ = fold.fit_rows(CANDIDATES[0], train, held_out)
    # 1993's two-year label reads 1994 (held out); 1995's does not.
    assert set(years[rows]) == {1990, 1991, 1992, 1995, 1996, 1997}
    refit, _ = fold.fit_rows(CANDIDATES[0], np.arange(len(years)))
    assert len(refit) == len(years)


def _tiny(seed: int = 3):
    rng = np.random.default_rng(seed)
    years = pd.Series(np.repeat(np.arange(1990, 2002), 10))
    features = pd.DataFrame({"x": rng.normal(size=len(years)), "y": rng.normal(size=len(years))})
    target = pd.Series((features["x"] + rng.normal(size=len(years)) > 1.5).astype(int))
    return features, target, years


def test_a_two_year_label_candidate_with_one_class_is_not_offered():
    features, target, years = _tiny()
    no_onset = pd.Series(np.where(years <= 1999, 0.0, np.nan))
    model = model_fit(features, target, years, horizon=1, wider_outcome=no_onset)
    assert not {c.name for c in WIDER_LABEL_CANDIDATES} & set(model.cv_log_loss)
    assert model.candidate.label is None and len(model.probability(features)) == len(features)
    with pytest.raises(ValueError, match="single class"):
        model_fit(features, target, years, horizon=1, candidates=WIDER_LABEL_CANDIDATES, wider_outcome=no_onset)


def test_the_calibrated_score_does_not_depend_on_a_forecasts_scale():
    rng = np.random.default_rng(5)
    years = np.repeat(np.arange(1990, 2010), 100)
    probability = rng.uniform(0.005, 0.1, size=len(years))
    target = (rng.random(len(years)) < probability).astype(int)
    folds = year_block_folds(years)
    # The same ranking on a doubled scale (as a model fitted on the two-year label forecasts): raw log loss differs.
    assert log_loss(target, 2 * probability) > 1.05 * log_loss(target, probability)
    assert calibrated_log_loss(target, 2 * probability, folds) == pytest.approx(
        calibrated_log_loss(target, probability, folds), rel=0.01
    )


def test_a_fold_whose_scaling_cannot_be_fitted_is_not_scored_on_its_raw_scale():
    years = np.repeat(np.arange(1990, 1998), 10)
    target = np.zeros(len(years), dtype=int)
    target[[0, 3, 7]] = 1  # onsets only in the first fold: its scaling, fitted on the other folds, has no onset
    probability = np.linspace(0.01, 0.1, len(years))[::-1]
    folds = year_block_folds(years)
    doubled = calibrated_log_loss(target, 2 * probability, folds)
    assert doubled == pytest.approx(calibrated_log_loss(target, probability, folds), rel=1e-3)
