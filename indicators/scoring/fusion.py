"""Evidence fusion and data confidence (methodology v2), as array steps on cells of (score row x indicator).

Input is one entry per source, indicator and month the source's latest assessment counts for (the core expands
assessments onto months). Nothing here depends on the order of those entries: every step is a sum or a maximum.

Fusion. Each source s whose latest assessment of indicator i is not older than the maximum age carries the weight
    w_s = confidence weight x 0.5 ** (age / half-life) x source weight   (analysts' source weight is published)
and the indicator's severity is the weighted mean  S_i = sum(w_s * severity_s) / sum(w_s).
Within its risk factor the indicator counts with the weight of its strongest evidence, max over s of
(confidence weight x age weight): with one source this is exactly version 1.

Data confidence. An indicator's evidence is  e_i = min(1, sum over sources of confidence x freshness), freshness
halving every `freshness_half_life_months`,
x (1 - discount x d_i), where d_i is the weighted standard deviation of the sources' severities over its largest
possible value (1.5 on the 0-3 scale): fresh, certain, corroborated evidence counts fully, disputed evidence less.
A risk factor is established in proportion to its evidence, q_f = min(1, sum of e_i / indicators_per_factor).
A crime group's confidence mirrors its score: the mean of the common factors' q and of its own factors' q
(factor-weighted), x 100. A country's data confidence is that of its overall score's band: the highest confidence
among the crime groups whose score is in that band (a band several groups reach is as established as the best
established of them).

Version 3 (both optional keys; without them the rules above are exactly v2's):
- fusion.same_period_months G: a source's fusion weight is confidence x source weight x 0.5 ** (max(0, lag - G) /
  half-life), lag = months between the newest assessment of the indicator (any source) and this source's. Under v2
  (G = 0) this is the same weighted mean as the age weight gives; with G = 12 an annual dataset that has not yet
  published the year another already has is not outweighed for it.
- data_confidence.stale_months: a score below the medium level whose newest evidence is at least this old is
  "insufficient data" whatever its confidence (thin and stale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indicators.scoring.bands import bands_assign
from indicators.scoring.parameters import CONFIDENCE_LEVELS, ConfidenceRule, MethodologyParameters

# The largest standard deviation of severities on the 0-3 scale (half the sources at 0, half at 3).
MAX_SEVERITY_SPREAD = 1.5


@dataclass(frozen=True)
class IndicatorCells:
    """Per cell (score row x indicator): fused severity (NaN = not assessed), weight in its factor, its support (how
    much current evidence, 0-1) and its evidence (support less the disagreement discount)."""

    severity: np.ndarray
    weight: np.ndarray
    support: np.ndarray
    evidence: np.ndarray


def indicator_cells(
    cell: np.ndarray,
    severity: np.ndarray,
    fusion_weight: np.ndarray,
    certainty: np.ndarray,
    currency: np.ndarray,
    *,
    size: int,
    disagreement_discount: float,
) -> IndicatorCells:
    """Fuse every source's entry per cell. `fusion_weight` includes the source weight; `certainty` (confidence x
    age weight) does not: it sets the indicator's weight in its factor. `currency` (confidence x freshness, with the
    data-confidence half-life) sets its evidence."""
    weight_sum = np.bincount(cell, weights=fusion_weight, minlength=size)
    weighted = np.bincount(cell, weights=fusion_weight * severity, minlength=size)
    weighted_square = np.bincount(cell, weights=fusion_weight * severity * severity, minlength=size)
    strongest = np.zeros(size)
    np.maximum.at(strongest, cell, certainty)
    currency_sum = np.bincount(cell, weights=currency, minlength=size)
    assessed = weight_sum > 0
    safe_sum = np.where(assessed, weight_sum, 1.0)
    mean = np.where(assessed, weighted / safe_sum, np.nan)
    variance = np.where(assessed, np.clip(weighted_square / safe_sum - np.where(assessed, mean, 0) ** 2, 0, None), 0)
    disagreement = np.sqrt(variance) / MAX_SEVERITY_SPREAD
    support = np.minimum(currency_sum, 1.0)
    evidence = support * (1.0 - disagreement_discount * disagreement)
    return IndicatorCells(severity=mean, weight=strongest, support=support, evidence=evidence)


def period_weights(
    cell: np.ndarray, observed_month: np.ndarray, size: int, same_period: float, half_life_months: float
) -> np.ndarray:
    """v3: each entry's weight against the newest assessment of its cell (indicator and month), by the month each was
    observed in. Assessments within `same_period` months of the newest count as of one period (weight 1); beyond it
    the weight halves every half-life, as the age weight does. A cell with one source gets weight 1."""
    weights = np.ones(len(cell))
    # Only cells with several entries can lag: the scattered maximum runs over those alone (most cells have one).
    shared = np.bincount(cell, minlength=size)[cell] > 1
    if shared.any():
        shared_cell, shared_month = cell[shared], observed_month[shared]
        newest = np.full(size, np.iinfo(np.int64).min)
        np.maximum.at(newest, shared_cell, shared_month)
        lag = newest[shared_cell] - shared_month
        weights[shared] = np.exp2(-np.maximum(lag - same_period, 0) / half_life_months)
    return weights


@dataclass(frozen=True)
class FactorMatrices:
    """(rows x factors): factor score (NaN = none), indicators assessed, summed indicator support and evidence."""

    score: np.ndarray
    assessed: np.ndarray
    support: np.ndarray
    evidence: np.ndarray


def factor_matrices(
    cells: IndicatorCells, indicator_factor_pos: np.ndarray, n_rows: int, n_factors: int
) -> FactorMatrices:
    """Each factor's score is the mean of its indicators' fused severities weighted by their strongest evidence."""
    factor_cell = (
        np.arange(n_rows, dtype=np.int64)[:, None] * n_factors + indicator_factor_pos[None, :].astype(np.int64)
    ).reshape(-1)
    assessed = ~np.isnan(cells.severity)
    size = n_rows * n_factors

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(factor_cell, weights=values, minlength=size).reshape(n_rows, n_factors)

    weight_sum = total(np.where(assessed, cells.weight, 0.0))
    weighted = total(np.where(assessed, cells.weight * cells.severity, 0.0))
    count = total(assessed.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(count > 0, 100.0 * weighted / (3 * weight_sum), np.nan)
    return FactorMatrices(
        score=score, assessed=count.astype(np.int64), support=total(cells.support), evidence=total(cells.evidence)
    )


def factor_established(factor_evidence: np.ndarray, rule: ConfidenceRule) -> np.ndarray:
    """How well established each factor's score is, 0-1: its summed indicator evidence over indicators_per_factor."""
    return np.minimum(factor_evidence / rule.indicators_per_factor, 1.0)


def group_confidence(
    factor_evidence: np.ndarray,
    factor_numbers: np.ndarray,
    factor_weights: dict[int, float],
    common: tuple[int, ...],
    specific: tuple[int, ...],
    rule: ConfidenceRule,
) -> np.ndarray:
    """0-100 confidence of one crime group's score per row, from the (rows x factors) summed evidence."""
    established = factor_established(factor_evidence, rule)
    position = {int(number): index for index, number in enumerate(factor_numbers)}

    def part(numbers: tuple[int, ...]) -> np.ndarray:
        columns = [position[number] for number in numbers]
        weights = np.array([factor_weights.get(number, 0.0) for number in numbers])
        return established[:, columns] @ weights / weights.sum()

    return 100.0 * (part(common) + part(specific)) / 2


def overall_confidence(group_scores: np.ndarray, group_confidences: np.ndarray, group_bands: np.ndarray) -> np.ndarray:
    """Per row, the confidence of the overall score's band: the highest confidence among the crime groups whose score
    falls in the same band as the overall score (the highest group score). 0 where no group has a score."""
    filled = np.where(np.isnan(group_scores), -np.inf, group_scores)
    top = np.argmax(filled, axis=1)
    rows = np.arange(len(top))
    same_band = (group_bands == group_bands[rows, top][:, None]) & ~np.isnan(group_scores)
    confidence = np.where(same_band, group_confidences, -np.inf).max(axis=1)
    return np.where(np.isinf(filled.max(axis=1)), 0.0, confidence)


def confidence_levels(confidence: np.ndarray, rule: ConfidenceRule, newest_age: np.ndarray | None = None) -> np.ndarray:
    """The level of each 0-100 confidence: insufficient below the minimum, then low, medium and high. With the rule's
    `stale_months` (v3) and each score's newest evidence age in months, a score below the medium level whose newest
    evidence is at least that old is insufficient too: thin evidence stands only while some of it is recent."""
    confidence = np.asarray(confidence, dtype=float)
    sufficient = confidence >= rule.minimum
    if rule.stale_months is not None and newest_age is not None:
        thin_and_stale = (confidence < rule.medium) & (np.asarray(newest_age) >= rule.stale_months)
        sufficient &= ~thin_and_stale
    return np.select(
        [confidence >= rule.high, confidence >= rule.medium, sufficient],
        list(CONFIDENCE_LEVELS[:0:-1]),
        default=CONFIDENCE_LEVELS[0],
    ).astype(object)


def scores_confidence(groups, evidence_matrix, factor_numbers, parameters: MethodologyParameters, newest_age):
    """Per row: 0-100 data confidence of the overall score and its level (NaN and '' under a v1 methodology).
    `groups` maps each crime group to its scores; `newest_age` is each row's age in months of its newest evidence."""
    rule = parameters.data_confidence
    n_rows = len(evidence_matrix)
    if rule is None:
        return np.full(n_rows, np.nan), np.full(n_rows, "", dtype=object)
    per_group = np.column_stack(
        [
            group_confidence(
                evidence_matrix,
                factor_numbers,
                dict(parameters.factor_weights),
                parameters.common_factors,
                numbers,
                rule,
            )
            for numbers in parameters.crime_groups.values()
        ]
    )
    group_scores = np.column_stack(list(groups.values()))
    group_bands = np.column_stack([bands_assign(column, parameters) for column in group_scores.T])
    confidence = overall_confidence(group_scores, per_group, group_bands)
    return confidence, confidence_levels(confidence, rule, newest_age=newest_age)
