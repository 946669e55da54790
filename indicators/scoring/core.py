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

import numpy as np
import pandas as pd

from indicators.scoring import fusion

# Re-exported: pages, filters and alert rules read the band helpers from the core.
from indicators.scoring.bands import (  # noqa: F401
    BANDS,
    DEFAULT_BAND_THRESHOLDS,
    DEFAULT_MAX_AGE_MONTHS,
    band_bounds,
    band_for,
    band_thresholds_of,
    bands_assign,
    bands_of,
    max_age_months_of,
)
from indicators.scoring.parameters import (
    ANALYST_SOURCE,  # noqa: F401  (re-exported for callers)
    CONFIDENCE_LEVELS,
    FusionRule,
    MethodologyParameters,
    MethodologyParametersError,  # noqa: F401  (re-exported for callers)
)

# The assessment scale (0-3) is fixed by the Assessment model, not by a methodology version.
SEVERITY_MAX = 3
# Scores report their change over these horizons (months); the grid starts this far before the first month written.
CHANGE_HORIZONS = (3, 12)
LOOKBACK_MONTHS = max(CHANGE_HORIZONS)


# Under evidence weighting, the least weight a factor with a score keeps (so disputed evidence never drops it).
EVIDENCE_FLOOR = 1e-6
ASSESSMENT_COLUMNS = ("id", "country_id", "indicator_id", "observed_on", "severity", "confidence")
# Optional: the source of each assessment (a dataset's name, or "analyst"); without it every row is one source.
SOURCE_COLUMN = "source"
INDICATOR_COLUMNS = ("indicator_id", "risk_factor_id", "factor_number")


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
    """Row-wise weighted mean over the columns that are not NaN; NaN where none is. `weights` is one weight per
    column, or a (rows x columns) matrix."""
    present = ~np.isnan(values)
    weights = np.broadcast_to(weights, values.shape)
    total_weight = (present * weights).sum(axis=1)
    total = (np.where(present, values, 0.0) * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total_weight > 0, total / np.where(total_weight > 0, total_weight, 1), np.nan)


def aggregate_factor_scores(
    factor_scores: np.ndarray,
    factor_numbers: np.ndarray,
    parameters: MethodologyParameters,
    factor_evidence: np.ndarray | None = None,
):
    """Common, crime-group and overall scores from a (rows x factors) matrix of factor scores (NaN = no score).

    With `factor_evidence` (rows x factors, 0-1: how well established each factor's score is) and a methodology that
    weighs by evidence (v2), each factor's weight is its methodology weight times its evidence, and a crime group's
    score weighs its common and specific parts by their evidence, so the score leans on what is established.
    """
    weights = np.array([parameters.factor_weights.get(int(number), 0.0) for number in factor_numbers])
    position = {int(number): index for index, number in enumerate(factor_numbers)}
    by_evidence = factor_evidence is not None and parameters.fusion is not None
    by_evidence = by_evidence and parameters.fusion.factor_weighting == "evidence"
    # A floor keeps a factor with a score in the mean even when all its evidence is disputed.
    evidence = np.maximum(factor_evidence, EVIDENCE_FLOOR) if by_evidence else np.ones((1, len(factor_numbers)))

    def mean_of(numbers: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        columns = [position[number] for number in numbers]
        part_weights = weights[columns] * evidence[:, columns]
        part_evidence = part_weights.sum(axis=1) / weights[columns].sum()
        return _weighted_mean(factor_scores[:, columns], part_weights), part_evidence

    common, common_evidence = mean_of(parameters.common_factors)
    groups: dict[str, np.ndarray] = {}
    for name, numbers in parameters.crime_groups.items():
        # mean_of_common_and_specific: the mean of the common score and the mean of the group's own factors.
        specific, specific_evidence = mean_of(numbers)
        part_weights = np.column_stack([common_evidence, specific_evidence]) if by_evidence else np.ones(2)
        groups[name] = _weighted_mean(np.column_stack([common, specific]), part_weights)
    stacked = np.column_stack(list(groups.values()))
    overall = np.fmax.reduce(stacked, axis=1)  # fmax skips NaN; all NaN stays NaN
    return common, groups, overall


# ----------------------------------------------------------------------------------------------------------------
# scores_compute, step by step: the month grid, each source's latest assessment per month, its expansion onto the
# months it counts for, fusion per indicator (fusion.py), factor and group scores, confidence, output frames.


@dataclass(frozen=True)
class _Grid:
    """The score rows: per country a run of consecutive months from grid_start to the end month."""

    countries: np.ndarray
    out_start: np.ndarray  # first month written per country
    grid_start: np.ndarray  # first month computed (earlier, so the changes can be taken)
    span: np.ndarray
    offset: np.ndarray
    end: int

    @property
    def n_rows(self) -> int:
        return int(self.span.sum())


def _grid(
    months: np.ndarray,
    country_ids: np.ndarray,
    *,
    end: int,
    country_first_months: Mapping[int, dt.date] | None,
    since: dt.date | None,
) -> _Grid:
    if country_first_months is None:
        first = pd.Series(months).groupby(country_ids).min() if len(months) else pd.Series(dtype=np.int64)
        countries = first.index.to_numpy(dtype=np.int64)
        first_month = first.to_numpy(dtype=np.int64)
    else:
        countries = np.array(sorted(country_first_months), dtype=np.int64)
        first_month = np.array([month_number(country_first_months[c]) for c in countries], dtype=np.int64)
    out_start = first_month if since is None else np.maximum(first_month, month_number(since))
    grid_start = np.maximum(first_month, out_start - LOOKBACK_MONTHS)
    span = np.clip(end - grid_start + 1, 0, None)
    return _Grid(countries, out_start, grid_start, span, np.cumsum(span) - span, end)


@dataclass(frozen=True)
class _Evidence:
    """Per source, indicator and country: the last assessment of each month, sorted by series, then month."""

    severity: np.ndarray
    certainty: np.ndarray  # confidence weight
    source_weight: np.ndarray
    months: np.ndarray
    days: np.ndarray
    indicator_pos: np.ndarray
    country_pos: np.ndarray
    series_key: np.ndarray
    several_sources: bool  # some indicator of some country has more than one source


def _source_codes(assessments: pd.DataFrame, rule: FusionRule | None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's source as a small integer and each code's source weight; one source when the rule is v1's."""
    if rule is None or SOURCE_COLUMN not in assessments.columns:
        return np.zeros(len(assessments), dtype=np.int64), np.ones(1)
    column = assessments[SOURCE_COLUMN]
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, names = column.cat.codes.to_numpy(dtype=np.int64), [str(name) for name in column.cat.categories]
        if (codes < 0).any():
            raise ValueError("Every assessment needs a source under a methodology with evidence fusion.")
    else:
        codes, names = pd.factorize(column.astype(str), sort=True)
    weights = np.array([rule.weight_of(name) for name in names] or [1.0])
    return codes.astype(np.int64), weights


def _evidence(assessments: pd.DataFrame, framework: _Framework, grid: _Grid, parameters: MethodologyParameters):
    ids = assessments["id"].to_numpy(dtype=np.int64)
    country_ids = assessments["country_id"].to_numpy(dtype=np.int64)
    days = _days(assessments["observed_on"])
    months = _months_of_days(days)
    source, source_weights = _source_codes(assessments, parameters.fusion)
    indicator_pos = framework.indicator_ids.get_indexer(assessments["indicator_id"].to_numpy(dtype=np.int64))
    countries = grid.countries
    country_pos = np.searchsorted(countries, country_ids)
    known_country = np.zeros(len(ids), dtype=bool)
    if len(countries):
        known_country = (country_pos < len(countries)) & (
            countries[np.minimum(country_pos, len(countries) - 1)] == country_ids
        )
    keep = (indicator_pos >= 0) & known_country & (months <= grid.end)
    certainty = _confidence_weights(assessments["confidence"].to_numpy()[keep], parameters)
    severity = assessments["severity"].to_numpy(dtype=np.float64)[keep]
    ids, days, months, source = ids[keep], days[keep], months[keep], source[keep]
    indicator_pos, country_pos = indicator_pos[keep], country_pos[keep]

    # Sort by series (country, indicator, source), date, id; keep each series' last assessment of each month. Only
    # within one source does the recording order break a tie: a later record from the same source is a correction.
    order = np.lexsort((ids, days, source, indicator_pos, country_pos))
    n_sources = max(len(source_weights), 1)
    series_key = (country_pos[order] * len(framework.indicator_ids) + indicator_pos[order]) * n_sources + source[order]
    months = months[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ~((series_key[1:] == series_key[:-1]) & (months[1:] == months[:-1]))
    picked = order[last]
    # Consecutive series of one country and indicator differ only in their source.
    cell_key = series_key[last] // n_sources
    several = bool(np.any((cell_key[1:] == cell_key[:-1]) & (series_key[last][1:] != series_key[last][:-1])))
    return _Evidence(
        severity=severity[picked],
        certainty=certainty[picked],
        source_weight=source_weights[source[picked]],
        months=months[last],
        days=days[picked],
        indicator_pos=indicator_pos[picked],
        country_pos=country_pos[picked],
        series_key=series_key[last],
        several_sources=several,
    )


@dataclass(frozen=True)
class _Expanded:
    """One entry per evidence row and month it counts for: its indicator cell and score row, weights, severity."""

    cell: np.ndarray
    row: np.ndarray
    severity: np.ndarray
    fusion_weight: np.ndarray
    certainty: np.ndarray  # confidence weight x age weight (the scoring half-life)
    currency: np.ndarray  # confidence weight x freshness (the data-confidence half-life)
    day: np.ndarray


def _expand(evidence: _Evidence, grid: _Grid, parameters: MethodologyParameters, n_indicators: int) -> _Expanded:
    """Each assessment counts from its month until the next one of its series, or until it is too old."""
    months = evidence.months
    next_start = np.full(len(months), np.iinfo(np.int64).max)
    same_series_next = evidence.series_key[1:] == evidence.series_key[:-1]
    next_start[:-1] = np.where(same_series_next, months[1:], next_start[:-1])
    stop = np.minimum(np.minimum(next_start, months + parameters.max_age_months + 1), grid.end + 1)
    start = np.maximum(months, grid.grid_start[evidence.country_pos])
    length = np.clip(stop - start, 0, None)

    source = np.repeat(np.arange(len(months)), length)
    within = np.arange(len(source)) - np.repeat(np.cumsum(length) - length, length)
    month_of_row = start[source] + within
    age = month_of_row - months[source]
    confidence_weight = evidence.certainty[source]
    certainty = confidence_weight * np.exp2(-age / parameters.half_life_months)
    rule = parameters.data_confidence
    if rule is not None and rule.freshness_half_life_months != parameters.half_life_months:
        currency = confidence_weight * np.exp2(-age / rule.freshness_half_life_months)
    else:
        currency = certainty
    del age
    country = evidence.country_pos[source]
    row = grid.offset[country] + month_of_row - grid.grid_start[country]
    cell = row * n_indicators + evidence.indicator_pos[source]
    same_period = parameters.fusion.same_period_months if parameters.fusion is not None else 0.0
    if same_period > 0 and evidence.several_sources:
        period_weight = fusion.period_weights(
            cell, months[source], grid.n_rows * n_indicators, same_period, parameters.half_life_months
        )
        fusion_weight = confidence_weight * period_weight * evidence.source_weight[source]
    else:
        fusion_weight = certainty * evidence.source_weight[source]
    del confidence_weight
    return _Expanded(
        cell=cell,
        row=row,
        severity=evidence.severity[source],
        fusion_weight=fusion_weight,
        certainty=certainty,
        currency=currency,
        day=evidence.days[source],
    )


def _latest_days(expanded: _Expanded, n_rows: int) -> np.ndarray:
    """Per score row, the date (days since 1970) of the newest assessment that counts; -1 where none does."""
    latest = np.full(n_rows, -1, dtype=np.int64)
    np.maximum.at(latest, expanded.row, expanded.day)
    return latest


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

    `assessments` has columns id, country_id, indicator_id, observed_on, severity, confidence and, for a v2
    methodology, source; `indicators` has indicator_id, risk_factor_id, factor_number (the framework's scored
    indicators; assessments of other indicators are ignored). `country_first_months` gives each country's first
    assessed month when `assessments` holds only recent rows; by default it is read from `assessments`. With `since`,
    only months from `since` are returned, but `assessments` must still reach back far enough
    (since - 12 - max_age months) for the changes and the as-of join. The result does not depend on row order.
    """
    missing = [column for column in ASSESSMENT_COLUMNS if column not in assessments.columns]
    if missing:
        raise ValueError(f"The assessment frame lacks column(s) {', '.join(missing)}.")
    framework = _framework(indicators, parameters)
    n_indicators, n_factors = len(framework.indicator_ids), len(framework.factor_numbers)
    grid = _grid(
        _months_of_days(_days(assessments["observed_on"])),
        assessments["country_id"].to_numpy(dtype=np.int64),
        end=month_number(end_month),
        country_first_months=country_first_months,
        since=since,
    )
    expanded = _expand(_evidence(assessments, framework, grid, parameters), grid, parameters, n_indicators)
    rule = parameters.data_confidence
    cells = fusion.indicator_cells(
        expanded.cell,
        expanded.severity,
        expanded.fusion_weight,
        expanded.certainty,
        expanded.currency,
        size=grid.n_rows * n_indicators,
        disagreement_discount=rule.disagreement_discount if rule else 0.0,
    )
    latest_days = _latest_days(expanded, grid.n_rows)
    del expanded
    factors = fusion.factor_matrices(cells, framework.indicator_factor_pos, grid.n_rows, n_factors)
    del cells
    # Factors weigh in their crime group by support (how much current evidence), never by agreement, so a higher
    # severity can never lower a score.
    established = None if rule is None else fusion.factor_established(factors.support, rule)
    common, groups, overall = aggregate_factor_scores(
        factors.score, framework.factor_numbers, parameters, factor_evidence=established
    )
    _row_country, row_month, _local = _row_months(grid)
    newest_month = _months_of_days(np.maximum(latest_days, 0))
    newest_age = np.where(latest_days >= 0, row_month - newest_month, np.iinfo(np.int64).max)
    confidence, level = fusion.scores_confidence(
        groups, factors.evidence, framework.factor_numbers, parameters, newest_age
    )
    country_scores = _country_frame(grid, parameters, overall, common, groups, factors.assessed, n_indicators)
    written = _written(grid)
    band = np.where(level[written] == CONFIDENCE_LEVELS[0], "", country_scores["band"].to_numpy())
    country_scores["band"] = band.astype(object)
    country_scores["data_confidence"] = confidence[written]
    country_scores["data_confidence_level"] = level[written]
    country_scores["latest_evidence_on"] = pd.array(
        np.where(latest_days[written] >= 0, latest_days[written], np.iinfo(np.int64).min).astype("datetime64[D]"),
    )
    factor_scores = _factor_frame(grid, framework, factors.score, factors.assessed)
    return ScoreFrames(country_scores=country_scores, factor_scores=factor_scores)


def _written(grid: _Grid) -> np.ndarray:
    local = np.arange(grid.n_rows) - np.repeat(grid.offset, grid.span)
    return local >= np.repeat(grid.out_start - grid.grid_start, grid.span)


def _row_months(grid: _Grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: its country id, its month number and its position within its country's run."""
    local = np.arange(grid.n_rows) - np.repeat(grid.offset, grid.span)
    return np.repeat(grid.countries, grid.span), np.repeat(grid.grid_start, grid.span) + local, local


def _country_frame(grid, parameters, overall, common, groups, assessed_matrix, n_indicators) -> pd.DataFrame:
    row_country, row_month, local = _row_months(grid)
    changes = {}
    for horizon in CHANGE_HORIZONS:
        earlier = np.where(local >= horizon, overall[np.maximum(np.arange(grid.n_rows) - horizon, 0)], np.nan)
        changes[f"change_{horizon}m"] = overall - earlier
    written = _written(grid)
    return pd.DataFrame(
        {
            "country_id": row_country[written],
            "month": _month_dates(row_month[written]),
            "overall": overall[written],
            "band": bands_assign(overall[written], parameters),
            "common": common[written],
            **{name: values[written] for name, values in groups.items()},
            "coverage": assessed_matrix[written].sum(axis=1) / n_indicators,
            **{name: values[written] for name, values in changes.items()},
        }
    )


def _factor_frame(grid, framework: _Framework, factor_matrix, assessed_matrix) -> pd.DataFrame:
    n_factors = len(framework.factor_numbers)
    row_country, row_month, _local = _row_months(grid)
    written_cells = np.repeat(_written(grid), n_factors)
    assessed = assessed_matrix.reshape(-1)
    return pd.DataFrame(
        {
            "country_id": np.repeat(row_country, n_factors)[written_cells],
            "month": _month_dates(np.repeat(row_month, n_factors)[written_cells]),
            "risk_factor_id": np.tile(framework.factor_ids, grid.n_rows)[written_cells],
            "score": factor_matrix.reshape(-1)[written_cells],
            "coverage": (assessed_matrix / framework.factor_sizes).reshape(-1)[written_cells],
            "indicators_assessed": assessed[written_cells],
        }
    )
