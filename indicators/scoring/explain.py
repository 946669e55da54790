"""Why one country scored what it did in one month: every source's assessment that counts, and its weight.

The same rules as scores_compute (core.py and fusion.py), computed for a single month and kept per source so a reader
sees each part: a row's `share` is its part of its risk factor's score, so the factor's score is
100 / 3 x the sum of share x severity over its rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from indicators.scoring.core import (
    ASSESSMENT_COLUMNS,
    SEVERITY_MAX,
    SOURCE_COLUMN,
    MethodologyParameters,
    _confidence_weights,
    _days,
    _framework,
    _months_of_days,
    month_number,
)

CONTRIBUTION_COLUMNS = (
    "indicator_id",
    "risk_factor_id",
    "factor_number",
    "source",
    "assessment_id",
    "observed_on",
    "severity",
    "confidence",
    "confidence_weight",
    "age_months",
    "age_weight",
    "source_weight",
    "weight",
    "counts",
    "source_share",
    "share",
)


def _latest_per_source(assessments: pd.DataFrame, parameters: MethodologyParameters, target: int) -> pd.DataFrame:
    columns = [*ASSESSMENT_COLUMNS, *([SOURCE_COLUMN] if SOURCE_COLUMN in assessments.columns else [])]
    frame = assessments.loc[:, columns].copy()
    if SOURCE_COLUMN not in frame.columns:
        frame[SOURCE_COLUMN] = ""
    frame[SOURCE_COLUMN] = frame[SOURCE_COLUMN].astype(str)
    frame["day"] = _days(frame["observed_on"])
    frame["month_number"] = _months_of_days(frame["day"].to_numpy())
    frame = frame[frame["month_number"] <= target]
    # v1 lets one assessment per indicator count, whatever its source; v2 one per indicator and source.
    frame["series"] = frame[SOURCE_COLUMN] if parameters.fusion is not None else ""
    frame = frame.sort_values(["indicator_id", "series", "day", "id"])
    return frame.drop_duplicates(["indicator_id", "series"], keep="last")


def indicator_contributions(
    assessments: pd.DataFrame,
    indicators: pd.DataFrame,
    parameters: MethodologyParameters,
    *,
    month: dt.date,
) -> pd.DataFrame:
    """For one country at one month: per indicator and source, the assessment that counts and the weight it carries.

    `counts` is False for an assessment older than the maximum age; `source_share` is its part of its indicator's
    fused severity and `share` its part of its factor's score. Indicators never assessed by the month are absent.
    """
    framework = _framework(indicators, parameters)
    target = month_number(month)
    frame = _latest_per_source(assessments, parameters, target)
    frame = frame[frame["indicator_id"].isin(framework.indicator_ids)]
    position = framework.indicator_ids.get_indexer(frame["indicator_id"].to_numpy())
    factor_pos = framework.indicator_factor_pos[position]
    age = target - frame["month_number"].to_numpy()
    confidence_weight = _confidence_weights(frame["confidence"].to_numpy(), parameters)
    age_weight = np.exp2(-age / parameters.half_life_months)
    counts = age <= parameters.max_age_months
    sources = frame[SOURCE_COLUMN].to_numpy(dtype=object)
    source_weight = np.array(
        [parameters.fusion.weight_of(name) if parameters.fusion else 1.0 for name in sources], dtype=float
    )
    certainty = np.where(counts, confidence_weight * age_weight, 0.0)
    weight = certainty * source_weight
    same_period = parameters.fusion.same_period_months if parameters.fusion is not None else 0.0
    if same_period > 0:
        # v3: against the indicator's newest assessment that counts, not against the month.
        observed = pd.Series(np.where(counts, frame["month_number"].to_numpy(), np.iinfo(np.int64).min))
        newest = observed.groupby(frame["indicator_id"].to_numpy()).transform("max").to_numpy()
        lag = newest - frame["month_number"].to_numpy()
        period_weight = np.exp2(-np.maximum(lag - same_period, 0) / parameters.half_life_months)
        weight = np.where(counts, confidence_weight * period_weight * source_weight, 0.0)
    result = pd.DataFrame(
        {
            "indicator_id": frame["indicator_id"].to_numpy(dtype=np.int64),
            "risk_factor_id": framework.factor_ids[factor_pos],
            "factor_number": framework.factor_numbers[factor_pos],
            "source": sources,
            "assessment_id": frame["id"].to_numpy(dtype=np.int64),
            "observed_on": frame["day"].to_numpy().astype("datetime64[D]"),
            "severity": frame["severity"].to_numpy(dtype=np.int64),
            "confidence": frame["confidence"].to_numpy(dtype=object),
            "confidence_weight": confidence_weight,
            "age_months": age.astype(np.int64),
            "age_weight": age_weight,
            "source_weight": source_weight,
            "weight": weight,
            "counts": counts,
        }
    )
    return _with_shares(result, certainty).reset_index(drop=True)


def _with_shares(result: pd.DataFrame, certainty: np.ndarray) -> pd.DataFrame:
    """Add source_share (within the indicator) and share (within the factor), as fusion.py weighs them."""
    by_indicator = result.groupby("indicator_id")
    indicator_total = by_indicator["weight"].transform("sum")
    result["source_share"] = np.where(
        indicator_total > 0, result["weight"] / indicator_total.where(indicator_total > 0, 1), 0.0
    )
    # The indicator counts in its factor with its strongest evidence (confidence x age weight).
    strongest = pd.Series(certainty, index=result.index).groupby(result["indicator_id"]).transform("max")
    first_row = ~result["indicator_id"].duplicated()
    factor_total = (strongest.where(first_row, 0.0)).groupby(result["factor_number"]).transform("sum")
    indicator_share = np.where(factor_total > 0, strongest / factor_total.where(factor_total > 0, 1), 0.0)
    result["share"] = indicator_share * result["source_share"]
    return result


def factor_scores_from_contributions(
    contributions: pd.DataFrame, indicators: pd.DataFrame, parameters: MethodologyParameters
) -> pd.DataFrame:
    """Each risk factor's score, coverage and count of assessed indicators from `indicator_contributions`."""
    framework = _framework(indicators, parameters)
    counted = contributions[contributions["counts"] & (contributions["weight"] > 0)]
    factor_pos = np.searchsorted(framework.factor_numbers, counted["factor_number"].to_numpy(dtype=np.int64))
    n_factors = len(framework.factor_numbers)
    share_sum = np.bincount(factor_pos, weights=counted["share"].to_numpy(dtype=float), minlength=n_factors)
    weighted = np.bincount(
        factor_pos, weights=(counted["share"] * counted["severity"]).to_numpy(dtype=float), minlength=n_factors
    )
    unique = counted.drop_duplicates("indicator_id")
    assessed = np.bincount(
        np.searchsorted(framework.factor_numbers, unique["factor_number"].to_numpy(dtype=np.int64)),
        minlength=n_factors,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(assessed > 0, 100.0 * weighted / (SEVERITY_MAX * share_sum), np.nan)
    return pd.DataFrame(
        {
            "factor_number": framework.factor_numbers,
            "risk_factor_id": framework.factor_ids,
            "score": score,
            "coverage": assessed / framework.factor_sizes,
            "indicators_assessed": assessed,
            "indicators_total": framework.factor_sizes,
        }
    )
