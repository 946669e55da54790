"""Rolling-origin backtest (pure): for each year T, fit on outcomes before T and features up to T-1, forecast T.

The same function makes the live forecast: `forecast_year` fits on every outcome known before it. Comparison columns
(EWP's out-of-sample forecasts, our Framework overall score of December T-1) are set beside ours on the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from forecasts.candidates import WIDER_LABEL
from forecasts.features import labels as outcome_labels
from forecasts.features import training_rows, wider_labels
from forecasts.modelling import FittedModel, calibration_bins, metrics, model_fit, ranks

HORIZONS = (1, 2)


@dataclass
class YearForecast:
    """Both horizons' fitted models for one forecast year and their forecasts for every country with features."""

    year: int
    models: dict[int, FittedModel]
    table: pd.DataFrame  # iso3, probability_1y, probability_2y, rank_1y, rank_2y


def forecast_year(
    *,
    panel: pd.DataFrame,
    outcomes: pd.DataFrame,
    year: int,
    seed: int = 0,
    first_training_year: int | None = None,
    countries: set[str] | None = None,
) -> YearForecast:
    """Fit both horizons on what was known before `year` and forecast every country with features for `year` (or
    only `countries`, which are then ranked among themselves)."""
    known = outcomes[outcomes["year"] < year]
    known_labels = outcome_labels(known)
    usable = panel if first_training_year is None else panel[panel["year"] >= first_training_year]
    models: dict[int, FittedModel] = {}
    rows = panel[panel["year"] == year].sort_values("iso3")
    if countries is not None:
        rows = rows[rows["iso3"].isin(countries)]
    features = rows.drop(columns=["iso3", "year"]).set_index(rows["iso3"])
    table = pd.DataFrame({"iso3": rows["iso3"].to_numpy()})
    for horizon in HORIZONS:
        train, target = training_rows(usable, known_labels, forecast_year=year, horizon=horizon)
        if target.sum() == 0:
            raise ValueError(f"No onset is known before {year - horizon + 1}, so a {horizon}-year model cannot learn.")
        # The one-year horizon also offers models fitted on the two-year label (modelling.model_fit).
        wider = None
        if horizon < WIDER_LABEL:
            wider = wider_labels(train, known_labels, forecast_year=year, horizon=WIDER_LABEL)
        model = model_fit(
            train.drop(columns=["iso3", "year"]), target, train["year"], horizon=horizon, seed=seed, wider_outcome=wider
        )
        models[horizon] = model
        probability = model.probability(features) if len(features) else np.array([])
        table[f"probability_{horizon}y"] = probability
        table[f"rank_{horizon}y"] = ranks(probability, table["iso3"].tolist()) if len(features) else []
    # One or two years: the two-year probability can never be below the one-year one.
    table["probability_2y"] = np.maximum(table["probability_2y"], table["probability_1y"])
    table["rank_2y"] = ranks(table["probability_2y"].to_numpy(), table["iso3"].tolist()) if len(table) else []
    return YearForecast(year=year, models=models, table=table)


@dataclass
class BacktestResult:
    rows: pd.DataFrame  # iso3, year, probability_1y/2y, rank_1y/2y, trained_through, onset_1y, onset_2y, model
    summary: dict
    live: YearForecast | None = None  # the forecast of `live_year`, when asked for


def backtest_run(
    *,
    panel: pd.DataFrame,
    outcomes: pd.DataFrame,
    first_year: int,
    last_year: int,
    seed: int = 0,
    first_training_year: int | None = None,
    progress: Callable[[int], None] | None = None,
    n_jobs: int = 1,
    live_year: int | None = None,
) -> BacktestResult:
    """Forecast each year of first_year..last_year from its own training window; evaluate on the known outcomes.

    The years are independent (each has its own window and seed), so `n_jobs` processes may fit them side by side;
    the result is the same whatever the number of jobs. The largest windows (the latest years) are fitted first, so
    that no process is left with a large one while the others idle. `live_year`, when given, is also forecast in the
    same processes as `forecast_year` would (every country, every known outcome) and returned as `live`."""
    labelled = outcome_labels(outcomes)
    years = list(range(first_year, last_year + 1))
    tasks = [(year, False) for year in years] + ([(live_year, True)] if live_year is not None else [])
    tasks.sort(key=lambda task: -task[0])
    jobs = (delayed(_task_year)(panel, outcomes, year, seed, first_training_year, live) for year, live in tasks)
    results = {}
    for task, result in zip(tasks, Parallel(n_jobs=n_jobs, return_as="generator")(jobs), strict=True):
        results[task] = result
        if progress and not task[1]:
            progress(task[0])
    frames = [results[(year, False)][0] for year in years]
    chosen = {year: results[(year, False)][1] for year in years}
    scores = {year: results[(year, False)][2] for year in years}
    rows = pd.concat(frames, ignore_index=True).merge(labelled, on=["iso3", "year"], how="left")
    live = results[(live_year, True)] if live_year is not None else None
    return BacktestResult(rows=rows, summary={"chosen": chosen, "cv_log_loss": scores}, live=live)


def _task_year(panel, outcomes, year: int, seed: int, first_training_year: int | None, live: bool):
    if live:
        return forecast_year(
            panel=panel, outcomes=outcomes, year=year, seed=seed, first_training_year=first_training_year
        )
    return _backtest_year(panel, outcomes, year, seed, first_training_year)


def _backtest_year(panel, outcomes, year: int, seed: int, first_training_year: int | None):
    """One backtest year: its forecast table, the candidate each horizon chose and every candidate's cross-validated
    log loss in that year's window (what the choice was made on)."""
    # Where the base data covers the year, its countries are the ones forecast and ranked (as EWP ranks its own);
    # beyond the base data, every country with features is.
    covered = set(outcomes.loc[outcomes["year"] == year, "iso3"])
    result = forecast_year(
        panel=panel,
        outcomes=outcomes,
        year=year,
        seed=seed,
        first_training_year=first_training_year,
        countries=covered or None,
    )
    names = {h: result.models[h].candidate.name for h in HORIZONS}
    scores = {h: result.models[h].cv_log_loss for h in HORIZONS}
    return result.table.assign(year=year, trained_through=year - 1), names, scores


def evaluate(rows: pd.DataFrame, *, comparison: pd.DataFrame | None = None) -> dict:
    """Per horizon: our figures on every evaluable row, and, on the rows shared with each comparison column, ours and
    theirs side by side. `comparison`: iso3, year and columns `ewp_risk`, `ewp_rank`, `framework_overall`."""
    report: dict = {}
    for horizon in HORIZONS:
        label = f"onset_{horizon}y"
        known = rows[rows[label].notna()]
        entry = {
            "ours": metrics(known[label], known[f"probability_{horizon}y"], known[f"rank_{horizon}y"]),
            "calibration": calibration_bins(known[label], known[f"probability_{horizon}y"]),
        }
        if comparison is not None:
            merged = known.merge(comparison, on=["iso3", "year"], how="inner")
            shared = merged[merged["ewp_risk"].notna()]
            if len(shared):
                entry["same_rows_as_ewp"] = {
                    "ours": metrics(
                        shared[label], shared[f"probability_{horizon}y"], _year_ranks(shared, f"probability_{horizon}y")
                    ),
                    "ewp": metrics(shared[label], shared["ewp_risk"], _year_ranks(shared, "ewp_risk")),
                }
            scored = merged[merged["framework_overall"].notna()]
            if len(scored):
                entry["same_rows_as_framework"] = {
                    "ours": metrics(
                        scored[label], scored[f"probability_{horizon}y"], _year_ranks(scored, f"probability_{horizon}y")
                    ),
                    "framework": metrics(
                        scored[label],
                        scored["framework_overall"],
                        _year_ranks(scored, "framework_overall"),
                        probability=False,
                    ),
                }
        report[f"{horizon}y"] = entry
    return report


def _year_ranks(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Ranks within each year over the rows given, so every column is ranked among the same countries."""
    result = np.empty(len(frame), dtype=int)
    positions = np.arange(len(frame))
    for _, index in frame.groupby("year").indices.items():
        result[positions[index]] = ranks(frame[column].to_numpy()[index], frame["iso3"].to_numpy()[index].tolist())
    return result
