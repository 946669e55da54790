"""Feature building, strictly from what was known at the end of year T-1 (pure: DataFrames in, DataFrames out).

For a forecast of year T every feature is dated T-1 or earlier:
- structural predictors (StructuralRecord): the value of T-1, or the latest of the `STRUCTURAL_CARRY_YEARS`
  years before it when T-1 has none (annual sources are published late; a two-year-old population is still informative);
- Framework values: the country's overall, crime-group and 14 risk-factor scores of December T-1 under the active
  methodology, as stored by the scoring engine (which dates every annual dataset value 31 December of its year);
- Framework indicator values: each dataset's severity (0-3) for each indicator it assesses, of T-1 or carried like
  the structural predictors (the same annual sources, dated 31 December of their year).

Two EWP-style transforms are added to each year's rows (`TRANSFORMED`), computed across the countries of that same
year, so they too use nothing dated after T-1: infant mortality relative to that year's world median (the world median
fell about sixfold from 1960 to 2010, so the absolute rate confuses "poor" with "early"), and GDP per capita growth
winsorised at that year's 5th and 95th percentiles (a war's -60% or an oil boom's +90% would otherwise dominate a
linear model). The model's feature sets decide whether the raw or the transformed versions are used
(modelling.FEATURE_SETS).

Outcomes never enter the features: they are only the labels, and only those of years before T (see `training_rows`
and, for one-year models fitted on the two-year label, `wider_labels`).
Missing values are handled in `MissingValuePolicy`: a feature with no value anywhere in a training window is left
out; otherwise a missing value is filled with the window's median and, where the window had any gaps, a 0/1 column
`<feature>__missing` records that it was filled, so the model can learn what a gap itself says.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STRUCTURAL_CARRY_YEARS = 2
FRAMEWORK_COLUMNS = ("overall", "common", "genocide", "crimes_against_humanity", "war_crimes")
MISSING_SUFFIX = "__missing"
WINSOR_QUANTILES = (0.05, 0.95)
# transformed feature -> the structural predictor it is made from (and replaces in a "transformed" feature set)
TRANSFORMED = {
    "infant_mortality_relative_log2": "infant_mortality_sqrt",
    "gdp_pc_growth_winsorised": "gdp_pc_growth",
}
TRANSFORM_MEANINGS = {
    "infant_mortality_relative_log2": "Infant mortality relative to the same year's world median, log2",
    "gdp_pc_growth_winsorised": "GDP per capita growth, percent, held within the same year's 5th-95th percentiles",
}


def transformed_features(rows: pd.DataFrame) -> pd.DataFrame:
    """The TRANSFORMED columns for one year's feature rows (all countries of that year, before any selection).

    Each uses only the rows given: the world median and percentiles are those of the same year's values. A missing
    input gives a missing output (filled later by MissingValuePolicy, like any gap); a year where no country has the
    input gives an all-missing column."""
    result = pd.DataFrame(index=rows.index)
    if "infant_mortality_sqrt" in rows:
        rate = rows["infant_mortality_sqrt"].astype(float) ** 2
        median = rate[rate > 0].median()
        relative = rate.where(rate > 0) / median if median and median > 0 else rate * np.nan
        result["infant_mortality_relative_log2"] = np.log2(relative)
    if "gdp_pc_growth" in rows:
        growth = rows["gdp_pc_growth"].astype(float)
        low, high = growth.quantile(list(WINSOR_QUANTILES))
        result["gdp_pc_growth_winsorised"] = growth.clip(low, high)
    return result


def _latest_within(long: pd.DataFrame, *, year: int, carry: int) -> pd.DataFrame:
    """Per country, each column's latest value from years year-carry..year (never later than `year`)."""
    window = long[(long["year"] <= year) & (long["year"] >= year - carry)].sort_values(["iso3", "year"])
    if window.empty:
        return pd.DataFrame(index=pd.Index([], name="iso3"))
    values = window.drop(columns=["year"]).groupby("iso3", sort=True).last()
    return values


def features_for_year(
    *,
    structural: pd.DataFrame,
    framework: pd.DataFrame,
    year: int,
    countries: list[str] | None = None,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The feature rows (index iso3) for forecasting `year` from data dated up to 31 December of year-1.

    `structural`: iso3, year and one column per structural variable (sources already merged); `framework`: iso3,
    year (of the December score) and one column per Framework value; `indicators` (optional): iso3, year and one
    column per indicator and source. `countries` limits and orders the rows; by default every country with any feature
    of year-1.
    """
    data_year = year - 1
    parts = [
        _latest_within(structural, year=data_year, carry=STRUCTURAL_CARRY_YEARS),
        _latest_within(framework, year=data_year, carry=0).add_prefix("framework_"),
    ]
    if indicators is not None and len(indicators):
        parts.append(_latest_within(indicators, year=data_year, carry=STRUCTURAL_CARRY_YEARS))
    rows = pd.concat([part for part in parts if len(part.columns)], axis=1).sort_index()
    rows = pd.concat([rows, transformed_features(rows)], axis=1)
    if countries is not None:
        rows = rows.reindex(countries)
    rows.index.name = "iso3"
    return rows.astype(float)


def feature_panel(
    *,
    structural: pd.DataFrame,
    framework: pd.DataFrame,
    years: range | list[int],
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """features_for_year for many years, stacked with a `year` column (the forecast year T)."""
    frames = []
    for year in years:
        rows = features_for_year(structural=structural, framework=framework, year=year, indicators=indicators)
        if len(rows):
            frames.append(rows.assign(year=year).reset_index())
    if not frames:
        return pd.DataFrame(columns=["iso3", "year"])
    return pd.concat(frames, ignore_index=True)


def labels(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per country-year T: onset_1y (onset in T) and onset_2y (onset in T or T+1; unknown when T+1 is not known and T
    had none). `outcomes`: iso3, year, onset (0/1)."""
    frame = outcomes[["iso3", "year", "onset"]].astype({"onset": float}).copy()
    following = frame.assign(year=frame["year"] - 1).rename(columns={"onset": "next_onset"})
    merged = frame.merge(following, on=["iso3", "year"], how="left")
    two = np.where(
        merged["onset"] == 1, 1.0, np.where(merged["next_onset"].isna(), np.nan, merged["next_onset"].to_numpy())
    )
    return pd.DataFrame({"iso3": merged["iso3"], "year": merged["year"], "onset_1y": merged["onset"], "onset_2y": two})


def known_label(rows: pd.DataFrame, outcome_labels: pd.DataFrame, *, forecast_year: int, horizon: int) -> np.ndarray:
    """For `rows` (iso3, year T'), the label of `horizon` years where a model forecasting `forecast_year` may read it,
    NaN elsewhere: only when every outcome it covers (T'..T'+horizon-1) is a known outcome row and the last of them is
    before the forecast year (T'+horizon-1 <= forecast_year-1). A label made from fewer years is never used, even when
    it is already 1 (an onset in T' itself): keeping only the ones would teach the model that the last known year was
    riskier than it was (in the live fit, outcomes end years before the forecast year)."""
    column = f"onset_{horizon}y"
    keys = rows[["iso3", "year"]].reset_index(drop=True)
    values = keys.merge(outcome_labels[["iso3", "year", column]], on=["iso3", "year"], how="left")[column]
    values = values.where(keys["year"] + horizon - 1 <= forecast_year - 1)
    known = outcome_labels.loc[outcome_labels["onset_1y"].notna(), ["iso3", "year"]].assign(present=True)
    for ahead in range(horizon):
        present = keys.merge(known.assign(year=known["year"] - ahead), on=["iso3", "year"], how="left")["present"]
        values = values.where(present.notna())
    return values.to_numpy(dtype=float)


def training_rows(panel: pd.DataFrame, outcome_labels: pd.DataFrame, *, forecast_year: int, horizon: int):
    """The rows a model forecasting `forecast_year` may learn from: features of T'-1 and the label of T', for every
    T' whose whole horizon is known and ended before `forecast_year` (`known_label`), so no outcome of the forecast
    year or later is ever read."""
    label = known_label(panel, outcome_labels, forecast_year=forecast_year, horizon=horizon)
    keep = ~np.isnan(label)
    return panel[keep].reset_index(drop=True), pd.Series(label[keep].astype(int), name=f"onset_{horizon}y")


def wider_labels(train: pd.DataFrame, outcome_labels: pd.DataFrame, *, forecast_year: int, horizon: int) -> pd.Series:
    """For the training rows of a shorter horizon (`train`: iso3, year, as training_rows gave them), the label of
    `horizon` years, aligned with the rows, NaN where a model forecasting `forecast_year` may not read it
    (`known_label`: the same rule as training_rows)."""
    values = known_label(train, outcome_labels, forecast_year=forecast_year, horizon=horizon)
    return pd.Series(values, index=train.index, name=f"onset_{horizon}y")


@dataclass(frozen=True)
class MissingValuePolicy:
    """Fitted on one training window: which features are kept, their fill values and which get a missing flag."""

    columns: tuple[str, ...]
    fill: dict
    flagged: tuple[str, ...]

    @classmethod
    def fit(cls, features: pd.DataFrame) -> MissingValuePolicy:
        present = [column for column in features.columns if features[column].notna().any()]
        medians = features[present].median()
        flagged = tuple(column for column in present if features[column].isna().any())
        return cls(columns=tuple(present), fill={column: float(medians[column]) for column in present}, flagged=flagged)

    @property
    def output_columns(self) -> list[str]:
        return [*self.columns, *(f"{column}{MISSING_SUFFIX}" for column in self.flagged)]

    def transform(self, features: pd.DataFrame) -> pd.DataFrame:
        frame = features.reindex(columns=list(self.columns))
        flags = {f"{column}{MISSING_SUFFIX}": frame[column].isna().astype(float) for column in self.flagged}
        filled = frame.fillna(self.fill)
        return pd.concat([filled, pd.DataFrame(flags, index=frame.index)], axis=1)[self.output_columns]

    def missing_in(self, features: pd.DataFrame) -> dict[str, list[str]]:
        """Per row (index value), the kept features it lacked and that were filled."""
        frame = features.reindex(columns=list(self.columns))
        return {index: [c for c in self.columns if pd.isna(row[c])] for index, row in frame.iterrows()}
