"""One-year models fitted on the two-year label: which rows carry that label, and that it leaks nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasts.backtest import forecast_year
from forecasts.candidates import CANDIDATES, WIDER_LABEL_CANDIDATES, Labels
from forecasts.features import feature_panel, labels, training_rows, wider_labels
from forecasts.modelling import model_fit
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


def _wider_only_forecast(outcomes: pd.DataFrame, panel: pd.DataFrame, year: int) -> np.ndarray:
    known = labels(outcomes[outcomes["year"] < year])
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
    assert model.candidate.label == 2
    assert model.describe()["fitted_on_label"] == {model.candidate.name: "onset_2y"}
    rows = panel[panel["year"] == year].sort_values("iso3")
    return model.probability(rows.drop(columns=["iso3", "year"]))


def test_a_one_year_forecast_fitted_on_the_two_year_label_is_the_same_without_the_forecast_years_outcomes(world):
    outcomes, panel = world
    everything = _wider_only_forecast(outcomes, panel, 2000)
    np.testing.assert_array_equal(everything, _wider_only_forecast(outcomes[outcomes["year"] < 2000], panel, 2000))
    flipped = outcomes.assign(onset=np.where(outcomes["year"] >= 2000, 1 - outcomes["onset"], outcomes["onset"]))
    np.testing.assert_array_equal(everything, _wider_only_forecast(flipped, panel, 2000))
    assert everything.max() > 2 * everything.mean()  # it ranks: not a constant base rate


def test_only_the_one_year_horizon_offers_the_wider_label_candidates(world):
    outcomes, panel = world
    result = forecast_year(panel=panel, outcomes=outcomes, year=2005)
    wider_names = {candidate.name for candidate in WIDER_LABEL_CANDIDATES}
    assert wider_names <= set(result.models[1].cv_log_loss)
    assert not wider_names & set(result.models[2].cv_log_loss)
    one_year = result.models[1]
    assert one_year.candidate.name == min(one_year.cv_log_loss, key=one_year.cv_log_loss.get)
