"""The pure scoring core: assessments, framework and methodology parameters in, monthly scores out.

No ORM and no Python loop over countries x months x indicators: every step is a numpy/pandas array operation.

Conventions (they make the method explainable):
- Months are whole calendar months. An assessment observed at any day of month T counts for month T.
- Per country and indicator, the assessment that counts at month T is the latest observed on or before the end of
  T (ties on the date go to the later recorded one, i.e. the higher id).
- Its age in months is T minus the month it was observed in (0 in the month itself). Its weight is the
  confidence weight times 0.5 ** (age / half-life); older than the maximum age counts as not assessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# The assessment scale (0-3) is fixed by the Assessment model, not by a methodology version.
SEVERITY_MAX = 3
# Scores report their change over these horizons (months); the grid starts this far before the first month written.
CHANGE_HORIZONS = (3, 12)
LOOKBACK_MONTHS = max(CHANGE_HORIZONS)

BANDS = ("low", "moderate", "high", "very_high")
# Lower edge of each band above "low" when no methodology exists yet (the seeded v1 uses the same).
DEFAULT_BAND_THRESHOLDS = {"moderate": 25.0, "high": 50.0, "very_high": 75.0}
# Months an assessment counts for when no methodology exists yet (the seeded v1 uses the same).
DEFAULT_MAX_AGE_MONTHS = 36
CRIME_GROUP_FORMULAS = ("mean_of_common_and_specific",)
OVERALL_FORMULAS = ("max_crime_group",)

ASSESSMENT_COLUMNS = ("id", "country_id", "indicator_id", "observed_on", "severity", "confidence")
INDICATOR_COLUMNS = ("indicator_id", "risk_factor_id", "factor_number")


class MethodologyParametersError(ValueError):
    """A methodology's parameters are incomplete or inconsistent; the message names every problem."""


@dataclass(frozen=True)
class MethodologyParameters:
    """Every number and rule a methodology version fixes, validated."""

    confidence_weights: Mapping[str, float]
    half_life_months: float
    max_age_months: int
    band_thresholds: Mapping[str, float]
    factor_weights: Mapping[int, float]
    common_factors: tuple[int, ...]
    crime_groups: Mapping[str, tuple[int, ...]]
    crime_group_formula: str
    overall_formula: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> MethodologyParameters:
        """Validate a methodology's stored JSON parameters, naming every problem at once."""
        errors: list[str] = []
        if not isinstance(raw, Mapping):
            raise MethodologyParametersError("Parameters must be a JSON object.")
        required = (
            "confidence_weights",
            "half_life_months",
            "max_age_months",
            "band_thresholds",
            "factor_weights",
            "common_factors",
            "crime_groups",
            "crime_group_formula",
            "overall_formula",
        )
        missing = [key for key in required if key not in raw]
        if missing:
            raise MethodologyParametersError(f"Missing parameter(s): {', '.join(missing)}.")

        confidence = raw["confidence_weights"]
        if not isinstance(confidence, Mapping) or set(confidence) != {"low", "medium", "high"}:
            errors.append("confidence_weights must give a weight for exactly low, medium and high.")
            confidence = {}
        elif not all(_is_number(value) and 0 < value <= 1 for value in confidence.values()):
            errors.append("Each confidence weight must be a number above 0 and at most 1.")

        half_life = raw["half_life_months"]
        if not _is_number(half_life) or half_life <= 0:
            errors.append(f"half_life_months must be a positive number; got {half_life!r}.")
        max_age = raw["max_age_months"]
        if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 0:
            errors.append(f"max_age_months must be a whole number of months, 0 or more; got {max_age!r}.")

        bands = raw["band_thresholds"]
        if not isinstance(bands, Mapping) or set(bands) != {"moderate", "high", "very_high"}:
            errors.append("band_thresholds must give the lower edge of exactly moderate, high and very_high.")
            bands = {}
        else:
            edges = [bands["moderate"], bands["high"], bands["very_high"]]
            if not all(_is_number(edge) and 0 < edge <= 100 for edge in edges) or not edges[0] < edges[1] < edges[2]:
                errors.append("band_thresholds must rise strictly: 0 < moderate < high < very_high <= 100.")

        weights_raw = raw["factor_weights"]
        factor_weights: dict[int, float] = {}
        if not isinstance(weights_raw, Mapping):
            errors.append("factor_weights must map a risk factor number to its weight.")
        else:
            for key, value in weights_raw.items():
                try:
                    number = int(key)
                except (TypeError, ValueError):
                    errors.append(f"factor_weights: {key!r} is not a risk factor number.")
                    continue
                if not _is_number(value) or value < 0:
                    errors.append(f"factor_weights: the weight of factor {number} must be a number, 0 or more.")
                    continue
                factor_weights[number] = float(value)

        common = _factor_list(raw["common_factors"], "common_factors", errors)
        groups_raw = raw["crime_groups"]
        groups: dict[str, tuple[int, ...]] = {}
        if not isinstance(groups_raw, Mapping) or not groups_raw:
            errors.append("crime_groups must map each crime group's name to its specific risk factors.")
        else:
            for name, numbers in groups_raw.items():
                groups[str(name)] = _factor_list(numbers, f"crime_groups.{name}", errors)
        for number in sorted({*common, *(n for numbers in groups.values() for n in numbers)}):
            if number not in factor_weights:
                errors.append(f"factor_weights has no weight for factor {number}.")
        if common and factor_weights and not any(factor_weights.get(n, 0) > 0 for n in common):
            errors.append("At least one common factor needs a weight above 0.")
        for name, numbers in groups.items():
            if numbers and factor_weights and not any(factor_weights.get(n, 0) > 0 for n in numbers):
                errors.append(f"Crime group {name} needs at least one factor with a weight above 0.")

        if raw["crime_group_formula"] not in CRIME_GROUP_FORMULAS:
            errors.append(
                f"crime_group_formula {raw['crime_group_formula']!r} is unknown; use one of "
                f"{', '.join(CRIME_GROUP_FORMULAS)}."
            )
        if raw["overall_formula"] not in OVERALL_FORMULAS:
            errors.append(
                f"overall_formula {raw['overall_formula']!r} is unknown; use one of {', '.join(OVERALL_FORMULAS)}."
            )
        if errors:
            raise MethodologyParametersError(" ".join(errors))
        return cls(
            confidence_weights={key: float(value) for key, value in confidence.items()},
            half_life_months=float(half_life),
            max_age_months=int(max_age),
            band_thresholds={key: float(value) for key, value in bands.items()},
            factor_weights=factor_weights,
            common_factors=common,
            crime_groups=groups,
            crime_group_formula=raw["crime_group_formula"],
            overall_formula=raw["overall_formula"],
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _factor_list(value: object, name: str, errors: list[str]) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not value:
        errors.append(f"{name} must be a non-empty list of risk factor numbers.")
        return ()
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        errors.append(f"{name} must list whole risk factor numbers.")
        return ()
    return tuple(value)


@dataclass(frozen=True)
class ScoreFrames:
    """The core's output: one row per country and month, and one per country, month and risk factor."""

    country_scores: pd.DataFrame
    factor_scores: pd.DataFrame


def month_number(day: dt.date) -> int:
    """Months since January 1970 (0 = 1970-01); the grid's integer month."""
    return (day.year - 1970) * 12 + day.month - 1


def month_first_day(number: int) -> dt.date:
    """The first day of the month with this month number."""
    year, month = divmod(int(number), 12)
    return dt.date(1970 + year, month + 1, 1)


def _days(values: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as int64 for datetime64 values, date objects or ISO strings."""
    array = np.asarray(values)
    if array.dtype.kind == "i":
        return array.astype(np.int64)
    if array.dtype.kind != "M":
        array = pd.to_datetime(pd.Series(array)).to_numpy()
    return array.astype("datetime64[D]").astype(np.int64)


def _months_of_days(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_dates(numbers: np.ndarray) -> np.ndarray:
    return numbers.astype("datetime64[M]").astype("datetime64[D]")


@dataclass(frozen=True)
class _Framework:
    indicator_ids: pd.Index  # indicator id per position
    indicator_factor_pos: np.ndarray  # factor position of each indicator
    factor_numbers: np.ndarray
    factor_ids: np.ndarray
    factor_sizes: np.ndarray  # indicators per factor


def _framework(indicators: pd.DataFrame, parameters: MethodologyParameters) -> _Framework:
    missing = [column for column in INDICATOR_COLUMNS if column not in indicators.columns]
    if missing:
        raise ValueError(f"The indicator frame lacks column(s) {', '.join(missing)}.")
    if indicators.empty:
        raise ValueError("The framework has no indicators to score.")
    factors = indicators[["factor_number", "risk_factor_id"]].drop_duplicates().sort_values("factor_number")
    if factors["factor_number"].duplicated().any():
        raise ValueError("A risk factor number maps to more than one risk factor.")
    factor_numbers = factors["factor_number"].to_numpy(dtype=np.int64)
    named = {*parameters.common_factors, *(n for numbers in parameters.crime_groups.values() for n in numbers)}
    absent = sorted(named - set(factor_numbers.tolist()))
    if absent:
        raise ValueError(
            f"The methodology names risk factor(s) {', '.join(map(str, absent))} that the framework lacks."
        )
    factor_pos = np.searchsorted(factor_numbers, indicators["factor_number"].to_numpy(dtype=np.int64))
    return _Framework(
        indicator_ids=pd.Index(indicators["indicator_id"].to_numpy(dtype=np.int64)),
        indicator_factor_pos=factor_pos,
        factor_numbers=factor_numbers,
        factor_ids=factors["risk_factor_id"].to_numpy(dtype=np.int64),
        factor_sizes=np.bincount(factor_pos, minlength=len(factor_numbers)),
    )


def _confidence_weights(confidence: pd.Series | np.ndarray, parameters: MethodologyParameters) -> np.ndarray:
    names = list(parameters.confidence_weights)
    codes = pd.Categorical(np.asarray(confidence, dtype=object), categories=names).codes
    if (codes < 0).any():
        unknown = sorted({str(value) for value in np.asarray(confidence, dtype=object)[codes < 0]})
        raise ValueError(f"Unknown confidence level(s) {', '.join(unknown)}; expected {', '.join(names)}.")
    return np.array([parameters.confidence_weights[name] for name in names])[codes]


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean over the columns that are not NaN; NaN where none is."""
    present = ~np.isnan(values)
    total_weight = (present * weights).sum(axis=1)
    total = np.where(present, values, 0.0) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total_weight > 0, total / np.where(total_weight > 0, total_weight, 1), np.nan)


def bands_of(scores: np.ndarray, thresholds: Mapping[str, float]) -> np.ndarray:
    """The band of each score ('' where there is no score) from a methodology's band_thresholds (each band's lower
    edge); an edge value belongs to the higher band."""
    scores = np.asarray(scores, dtype=float)
    higher_first = BANDS[:0:-1]
    return np.select(
        [np.isnan(scores), *(scores >= float(thresholds[band]) for band in higher_first)],
        ["", *higher_first],
        default=BANDS[0],
    ).astype(object)


def bands_assign(scores: np.ndarray, parameters: MethodologyParameters) -> np.ndarray:
    """The band of each score under validated methodology parameters."""
    return bands_of(scores, parameters.band_thresholds)


def band_for(score: float | None, thresholds: Mapping[str, float]) -> str:
    """The band of one score ('' when there is none), by the same rule as bands_of."""
    if score is None:
        return ""
    return str(bands_of(np.array([score], dtype=float), thresholds)[0])


def band_bounds(thresholds: Mapping[str, float]) -> dict[str, tuple[float | None, float | None]]:
    """Score range [low, high) of each band (None = unbounded), consistent with band_for."""
    edges = [None, *(float(thresholds[band]) for band in BANDS[1:]), None]
    return {band: (edges[index], edges[index + 1]) for index, band in enumerate(BANDS)}


def band_thresholds_of(parameters: Mapping[str, Any] | None) -> Mapping[str, float]:
    """A methodology's stored band_thresholds, or the defaults when there is no methodology yet."""
    if not parameters:
        return DEFAULT_BAND_THRESHOLDS
    return parameters.get("band_thresholds") or DEFAULT_BAND_THRESHOLDS


def max_age_months_of(parameters: Mapping[str, Any] | None) -> int:
    """A methodology's stored max_age_months, or the default when there is no methodology yet."""
    if not parameters or parameters.get("max_age_months") is None:
        return DEFAULT_MAX_AGE_MONTHS
    return int(parameters["max_age_months"])


def aggregate_factor_scores(factor_scores: np.ndarray, factor_numbers: np.ndarray, parameters: MethodologyParameters):
    """Common, crime-group and overall scores from a (rows x factors) matrix of factor scores (NaN = no score)."""
    weights = np.array([parameters.factor_weights.get(int(number), 0.0) for number in factor_numbers])
    position = {int(number): index for index, number in enumerate(factor_numbers)}

    def mean_of(numbers: tuple[int, ...]) -> np.ndarray:
        columns = [position[number] for number in numbers]
        return _weighted_mean(factor_scores[:, columns], weights[columns])

    common = mean_of(parameters.common_factors)
    groups: dict[str, np.ndarray] = {}
    for name, numbers in parameters.crime_groups.items():
        # mean_of_common_and_specific: the mean of the common score and the mean of the group's own factors.
        specific = mean_of(numbers)
        groups[name] = _weighted_mean(np.column_stack([common, specific]), np.ones(2))
    stacked = np.column_stack(list(groups.values()))
    overall = np.fmax.reduce(stacked, axis=1)  # fmax skips NaN; all NaN stays NaN
    return common, groups, overall


def scores_compute(
    assessments: pd.DataFrame,
    indicators: pd.DataFrame,
    parameters: MethodologyParameters,
    *,
    end_month: dt.date,
    country_first_months: Mapping[int, dt.date] | None = None,
    since: dt.date | None = None,
) -> ScoreFrames:
    """Monthly scores for every country from its first assessed month (or `since`) to `end_month`.

    `assessments` has columns id, country_id, indicator_id, observed_on, severity, confidence; `indicators` has
    indicator_id, risk_factor_id, factor_number (the framework's scored indicators; assessments of other indicators
    are ignored). `country_first_months` gives each country's first assessed month when `assessments` holds only
    recent rows; by default it is read from `assessments`. With `since`, only months from `since` are returned, but
    `assessments` must still reach back far enough (since - 12 - max_age months) for the changes and the as-of join.
    """
    missing = [column for column in ASSESSMENT_COLUMNS if column not in assessments.columns]
    if missing:
        raise ValueError(f"The assessment frame lacks column(s) {', '.join(missing)}.")
    framework = _framework(indicators, parameters)
    n_factors = len(framework.factor_numbers)
    end = month_number(end_month)

    ids = assessments["id"].to_numpy(dtype=np.int64)
    country_ids = assessments["country_id"].to_numpy(dtype=np.int64)
    days = _days(assessments["observed_on"])
    months = _months_of_days(days)
    if country_first_months is None:
        first = pd.Series(months).groupby(country_ids).min() if len(ids) else pd.Series(dtype=np.int64)
        countries = first.index.to_numpy(dtype=np.int64)
        first_month = first.to_numpy(dtype=np.int64)
    else:
        countries = np.array(sorted(country_first_months), dtype=np.int64)
        first_month = np.array([month_number(country_first_months[c]) for c in countries], dtype=np.int64)

    out_start = first_month if since is None else np.maximum(first_month, month_number(since))
    grid_start = np.maximum(first_month, out_start - LOOKBACK_MONTHS)
    span = np.clip(end - grid_start + 1, 0, None)
    offset = np.cumsum(span) - span
    n_rows = int(span.sum())

    # Keep assessments of scored indicators in scored countries, observed no later than the last month.
    indicator_pos = framework.indicator_ids.get_indexer(assessments["indicator_id"].to_numpy(dtype=np.int64))
    country_pos = np.searchsorted(countries, country_ids)
    known_country = (country_pos < len(countries)) & (
        countries[np.minimum(country_pos, len(countries) - 1)] == country_ids
    )
    if len(countries) == 0:
        known_country = np.zeros(len(ids), dtype=bool)
    keep = (indicator_pos >= 0) & known_country & (months <= end)
    severity = assessments["severity"].to_numpy(dtype=np.float64)[keep]
    weight_confidence = _confidence_weights(assessments["confidence"].to_numpy()[keep], parameters)
    ids, days, months = ids[keep], days[keep], months[keep]
    indicator_pos, country_pos = indicator_pos[keep], country_pos[keep]

    # Sort by country, indicator, date, id; keep the last assessment per country, indicator and month.
    order = np.lexsort((ids, days, indicator_pos, country_pos))
    severity, weight_confidence, months = severity[order], weight_confidence[order], months[order]
    indicator_pos, country_pos = indicator_pos[order], country_pos[order]
    series_key = country_pos * len(framework.indicator_ids) + indicator_pos
    same_series_next = series_key[1:] == series_key[:-1]
    last_in_month = np.ones(len(months), dtype=bool)
    last_in_month[:-1] = ~(same_series_next & (months[1:] == months[:-1]))
    severity, weight_confidence, months = (
        severity[last_in_month],
        weight_confidence[last_in_month],
        months[last_in_month],
    )
    indicator_pos, country_pos = indicator_pos[last_in_month], country_pos[last_in_month]
    series_key = series_key[last_in_month]

    # Each assessment counts from its month until the next one of the same series, or until it is too old.
    next_start = np.full(len(months), np.iinfo(np.int64).max)
    same_series_next = series_key[1:] == series_key[:-1]
    next_start[:-1] = np.where(same_series_next, months[1:], next_start[:-1])
    stop = np.minimum(np.minimum(next_start, months + parameters.max_age_months + 1), end + 1)
    start = np.maximum(months, grid_start[country_pos])
    length = np.clip(stop - start, 0, None)

    # Expand every assessment onto the months it counts for, vectorised.
    source = np.repeat(np.arange(len(months)), length)
    within = np.arange(len(source)) - np.repeat(np.cumsum(length) - length, length)
    month_of_row = start[source] + within
    age = month_of_row - months[source]
    weight = weight_confidence[source] * np.exp2(-age / parameters.half_life_months)
    source_country = country_pos[source]
    cell = (
        offset[source_country] + month_of_row - grid_start[source_country]
    ) * n_factors + framework.indicator_factor_pos[indicator_pos[source]]
    size = n_rows * n_factors
    weight_sum = np.bincount(cell, weights=weight, minlength=size)
    weighted_severity = np.bincount(cell, weights=weight * severity[source], minlength=size)
    assessed = np.bincount(cell, minlength=size)
    del source, within, month_of_row, age, weight, source_country, cell

    with np.errstate(invalid="ignore", divide="ignore"):
        factor_score = np.where(assessed > 0, 100.0 * weighted_severity / (SEVERITY_MAX * weight_sum), np.nan)
    factor_matrix = factor_score.reshape(n_rows, n_factors)
    assessed_matrix = assessed.reshape(n_rows, n_factors)
    common, groups, overall = aggregate_factor_scores(factor_matrix, framework.factor_numbers, parameters)

    row_country = np.repeat(countries, span)
    local = np.arange(n_rows) - np.repeat(offset, span)
    row_month = np.repeat(grid_start, span) + local
    changes = {}
    for horizon in CHANGE_HORIZONS:
        earlier = np.where(local >= horizon, overall[np.maximum(np.arange(n_rows) - horizon, 0)], np.nan)
        changes[f"change_{horizon}m"] = overall - earlier

    written = local >= np.repeat(out_start - grid_start, span)
    country_scores = pd.DataFrame(
        {
            "country_id": row_country[written],
            "month": _month_dates(row_month[written]),
            "overall": overall[written],
            "band": bands_assign(overall[written], parameters),
            "common": common[written],
            **{name: values[written] for name, values in groups.items()},
            "coverage": assessed_matrix[written].sum(axis=1) / len(framework.indicator_ids),
            **{name: values[written] for name, values in changes.items()},
        }
    )
    written_cells = np.repeat(written, n_factors)
    factor_scores = pd.DataFrame(
        {
            "country_id": np.repeat(row_country, n_factors)[written_cells],
            "month": _month_dates(np.repeat(row_month, n_factors)[written_cells]),
            "risk_factor_id": np.tile(framework.factor_ids, n_rows)[written_cells],
            "score": factor_score[written_cells],
            "coverage": (assessed_matrix / framework.factor_sizes).reshape(-1)[written_cells],
            "indicators_assessed": assessed[written_cells],
        }
    )
    return ScoreFrames(country_scores=country_scores, factor_scores=factor_scores)


CONTRIBUTION_COLUMNS = (
    "indicator_id",
    "risk_factor_id",
    "factor_number",
    "assessment_id",
    "observed_on",
    "severity",
    "confidence",
    "confidence_weight",
    "age_months",
    "age_weight",
    "weight",
    "counts",
    "share",
)


def indicator_contributions(
    assessments: pd.DataFrame,
    indicators: pd.DataFrame,
    parameters: MethodologyParameters,
    *,
    month: dt.date,
) -> pd.DataFrame:
    """For one country at one month: per indicator, the assessment that counts and the weight it carries.

    `counts` is False for an assessment older than the maximum age; `share` is its part of its factor's weight.
    Indicators never assessed on or before the month are absent.
    """
    framework = _framework(indicators, parameters)
    target = month_number(month)
    frame = assessments.loc[:, list(ASSESSMENT_COLUMNS)].copy()
    frame["day"] = _days(frame["observed_on"])
    frame["month_number"] = _months_of_days(frame["day"].to_numpy())
    frame = frame[(frame["month_number"] <= target) & frame["indicator_id"].isin(framework.indicator_ids)]
    frame = frame.sort_values(["indicator_id", "day", "id"]).drop_duplicates("indicator_id", keep="last")
    position = framework.indicator_ids.get_indexer(frame["indicator_id"].to_numpy())
    factor_pos = framework.indicator_factor_pos[position]
    age = target - frame["month_number"].to_numpy()
    confidence_weight = _confidence_weights(frame["confidence"].to_numpy(), parameters)
    age_weight = np.exp2(-age / parameters.half_life_months)
    counts = age <= parameters.max_age_months
    weight = np.where(counts, confidence_weight * age_weight, 0.0)
    result = pd.DataFrame(
        {
            "indicator_id": frame["indicator_id"].to_numpy(dtype=np.int64),
            "risk_factor_id": framework.factor_ids[factor_pos],
            "factor_number": framework.factor_numbers[factor_pos],
            "assessment_id": frame["id"].to_numpy(dtype=np.int64),
            "observed_on": frame["day"].to_numpy().astype("datetime64[D]"),
            "severity": frame["severity"].to_numpy(dtype=np.int64),
            "confidence": frame["confidence"].to_numpy(dtype=object),
            "confidence_weight": confidence_weight,
            "age_months": age.astype(np.int64),
            "age_weight": age_weight,
            "weight": weight,
            "counts": counts,
        }
    )
    factor_weight = result.groupby("factor_number")["weight"].transform("sum")
    result["share"] = np.where(factor_weight > 0, result["weight"] / factor_weight.where(factor_weight > 0, 1), 0.0)
    return result.reset_index(drop=True)


def factor_scores_from_contributions(
    contributions: pd.DataFrame, indicators: pd.DataFrame, parameters: MethodologyParameters
) -> pd.DataFrame:
    """Each risk factor's score, coverage and count of assessed indicators from `indicator_contributions`."""
    framework = _framework(indicators, parameters)
    counted = contributions[contributions["counts"]]
    factor_pos = np.searchsorted(framework.factor_numbers, counted["factor_number"].to_numpy(dtype=np.int64))
    n_factors = len(framework.factor_numbers)
    weight_sum = np.bincount(factor_pos, weights=counted["weight"].to_numpy(), minlength=n_factors)
    weighted = np.bincount(
        factor_pos, weights=(counted["weight"] * counted["severity"]).to_numpy(dtype=float), minlength=n_factors
    )
    assessed = np.bincount(factor_pos, minlength=n_factors)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(assessed > 0, 100.0 * weighted / (SEVERITY_MAX * weight_sum), np.nan)
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
