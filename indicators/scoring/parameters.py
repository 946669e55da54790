"""A methodology version's parameters, validated: every number and rule the scoring core applies.

Version 1 lets one assessment per indicator count (the latest). Version 2 adds two optional sections, `fusion` (how
the latest assessment of every source is combined per indicator) and `data_confidence` (how much evidence stands
behind a score, and the minimum below which a country is "insufficient data"). A version without them scores as v1.
Version 3 adds two optional keys, `fusion.same_period_months` and `data_confidence.stale_months`; without them a
version scores exactly as v2.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

CRIME_GROUP_FORMULAS = ("mean_of_common_and_specific",)
OVERALL_FORMULAS = ("max_crime_group",)
FUSION_RULES = ("source_weighted_mean",)
FACTOR_WEIGHTINGS = ("equal", "evidence")
# The source name of every assessment an analyst records by hand or uploads as a generic CSV.
ANALYST_SOURCE = "analyst"
CONFIDENCE_LEVELS = ("insufficient", "low", "medium", "high")
REQUIRED = (
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


class MethodologyParametersError(ValueError):
    """A methodology's parameters are incomplete or inconsistent; the message names every problem."""


@dataclass(frozen=True)
class FusionRule:
    """v2: every source's latest assessment of an indicator counts, weighted by confidence, age and source weight."""

    source_weights: Mapping[str, float]
    default_source_weight: float
    factor_weighting: str = "equal"  # "evidence": a factor's weight in its crime group also scales with its evidence
    # v3: sources whose newest assessments of an indicator lie within this many months of its newest one weigh alike
    # in the fused severity (one annual release cycle); an older source's weight halves per half-life beyond it. 0: v2.
    same_period_months: float = 0.0

    def weight_of(self, source: str) -> float:
        return float(self.source_weights.get(source, self.default_source_weight))


@dataclass(frozen=True)
class ConfidenceRule:
    """v2: how evidence becomes a 0-100 data confidence, its level thresholds and the insufficient-data minimum."""

    indicators_per_factor: float  # evidence that fully establishes one risk factor (in fresh, certain indicators)
    freshness_half_life_months: float  # evidence's freshness for the confidence halves this often
    disagreement_discount: float  # share of an indicator's evidence lost when its sources disagree completely
    minimum: float  # below this a score is "insufficient data": not banded, ranked apart
    medium: float  # lower edge of the "medium" level
    high: float  # lower edge of the "high" level
    # v3: a score below the medium level whose newest evidence is at least this many months old is also "insufficient
    # data" (thin and stale); None (v2): only the minimum applies.
    stale_months: float | None = None


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
    fusion: FusionRule | None = None
    data_confidence: ConfidenceRule | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> MethodologyParameters:
        """Validate a methodology's stored JSON parameters, naming every problem at once."""
        if not isinstance(raw, Mapping):
            raise MethodologyParametersError("Parameters must be a JSON object.")
        missing = [key for key in REQUIRED if key not in raw]
        if missing:
            raise MethodologyParametersError(f"Missing parameter(s): {', '.join(missing)}.")
        errors: list[str] = []
        confidence = _confidence_weights(raw["confidence_weights"], errors)
        half_life, max_age = raw["half_life_months"], raw["max_age_months"]
        if not _is_number(half_life) or half_life <= 0:
            errors.append(f"half_life_months must be a positive number; got {half_life!r}.")
        if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 0:
            errors.append(f"max_age_months must be a whole number of months, 0 or more; got {max_age!r}.")
        bands = _band_thresholds(raw["band_thresholds"], errors)
        factor_weights = _factor_weights(raw["factor_weights"], errors)
        common = _factor_list(raw["common_factors"], "common_factors", errors)
        groups = _crime_groups(raw["crime_groups"], errors)
        _check_weighted_factors(common, groups, factor_weights, errors)
        _check_formulas(raw, errors)
        fusion = _fusion(raw.get("fusion"), errors)
        data_confidence = _data_confidence(raw.get("data_confidence"), errors)
        if (fusion is None) != (data_confidence is None):
            errors.append("fusion and data_confidence come together (methodology version 2): give both or neither.")
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
            fusion=fusion,
            data_confidence=data_confidence,
        )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and bool(np.isfinite(value))


def _confidence_weights(confidence: object, errors: list[str]) -> Mapping[str, float]:
    if not isinstance(confidence, Mapping) or set(confidence) != {"low", "medium", "high"}:
        errors.append("confidence_weights must give a weight for exactly low, medium and high.")
        return {}
    if not all(_is_number(value) and 0 < value <= 1 for value in confidence.values()):
        errors.append("Each confidence weight must be a number above 0 and at most 1.")
    return confidence


def _band_thresholds(bands: object, errors: list[str]) -> Mapping[str, float]:
    if not isinstance(bands, Mapping) or set(bands) != {"moderate", "high", "very_high"}:
        errors.append("band_thresholds must give the lower edge of exactly moderate, high and very_high.")
        return {}
    edges = [bands["moderate"], bands["high"], bands["very_high"]]
    if not all(_is_number(edge) and 0 < edge <= 100 for edge in edges) or not edges[0] < edges[1] < edges[2]:
        errors.append("band_thresholds must rise strictly: 0 < moderate < high < very_high <= 100.")
    return bands


def _factor_weights(weights_raw: object, errors: list[str]) -> dict[int, float]:
    factor_weights: dict[int, float] = {}
    if not isinstance(weights_raw, Mapping):
        errors.append("factor_weights must map a risk factor number to its weight.")
        return factor_weights
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
    return factor_weights


def _factor_list(value: object, name: str, errors: list[str]) -> tuple[int, ...]:
    if not isinstance(value, list | tuple) or not value:
        errors.append(f"{name} must be a non-empty list of risk factor numbers.")
        return ()
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        errors.append(f"{name} must list whole risk factor numbers.")
        return ()
    return tuple(value)


def _crime_groups(groups_raw: object, errors: list[str]) -> dict[str, tuple[int, ...]]:
    if not isinstance(groups_raw, Mapping) or not groups_raw:
        errors.append("crime_groups must map each crime group's name to its specific risk factors.")
        return {}
    return {str(name): _factor_list(numbers, f"crime_groups.{name}", errors) for name, numbers in groups_raw.items()}


def _check_weighted_factors(common, groups, factor_weights, errors: list[str]) -> None:
    for number in sorted({*common, *(n for numbers in groups.values() for n in numbers)}):
        if number not in factor_weights:
            errors.append(f"factor_weights has no weight for factor {number}.")
    if common and factor_weights and not any(factor_weights.get(n, 0) > 0 for n in common):
        errors.append("At least one common factor needs a weight above 0.")
    for name, numbers in groups.items():
        if numbers and factor_weights and not any(factor_weights.get(n, 0) > 0 for n in numbers):
            errors.append(f"Crime group {name} needs at least one factor with a weight above 0.")


def _check_formulas(raw: Mapping[str, Any], errors: list[str]) -> None:
    if raw["crime_group_formula"] not in CRIME_GROUP_FORMULAS:
        errors.append(
            f"crime_group_formula {raw['crime_group_formula']!r} is unknown; use one of "
            f"{', '.join(CRIME_GROUP_FORMULAS)}."
        )
    if raw["overall_formula"] not in OVERALL_FORMULAS:
        errors.append(
            f"overall_formula {raw['overall_formula']!r} is unknown; use one of {', '.join(OVERALL_FORMULAS)}."
        )


def _fusion(raw: object, errors: list[str]) -> FusionRule | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or raw.get("rule") not in FUSION_RULES:
        errors.append(f"fusion must be an object whose rule is one of {', '.join(FUSION_RULES)}.")
        return None
    weights = raw.get("source_weights", {})
    default = raw.get("default_source_weight", 1.0)
    if not isinstance(weights, Mapping) or not all(_is_number(v) and v > 0 for v in weights.values()):
        errors.append("fusion.source_weights must map source names to positive numbers.")
        weights = {}
    if not _is_number(default) or default <= 0:
        errors.append("fusion.default_source_weight must be a positive number.")
        default = 1.0
    weighting = raw.get("factor_weighting", "equal")
    if weighting not in FACTOR_WEIGHTINGS:
        errors.append(f"fusion.factor_weighting must be one of {', '.join(FACTOR_WEIGHTINGS)}.")
    same_period = raw.get("same_period_months", 0)
    if not _is_number(same_period) or same_period < 0:
        errors.append("fusion.same_period_months must be a number of months, 0 or more.")
        same_period = 0
    return FusionRule(
        source_weights={str(k): float(v) for k, v in weights.items()},
        default_source_weight=default,
        factor_weighting=weighting,
        same_period_months=float(same_period),
    )


def _data_confidence(raw: object, errors: list[str]) -> ConfidenceRule | None:
    if raw is None:
        return None
    keys = ("indicators_per_factor", "freshness_half_life_months", "disagreement_discount", "minimum", "medium", "high")
    if not isinstance(raw, Mapping) or any(not _is_number(raw.get(key)) for key in keys):
        errors.append(f"data_confidence must give a number for each of {', '.join(keys)}.")
        return None
    stale = raw.get("stale_months")
    if stale is not None and (not _is_number(stale) or stale <= 0):
        errors.append("data_confidence.stale_months must be a positive number of months when given.")
        stale = None
    rule = ConfidenceRule(
        **{key: float(raw[key]) for key in keys}, stale_months=None if stale is None else float(stale)
    )
    if rule.indicators_per_factor <= 0 or rule.freshness_half_life_months <= 0:
        errors.append("data_confidence.indicators_per_factor and freshness_half_life_months must be above 0.")
    if not 0 <= rule.disagreement_discount <= 1:
        errors.append("data_confidence.disagreement_discount must be between 0 and 1.")
    if not 0 <= rule.minimum < rule.medium < rule.high <= 100:
        errors.append("data_confidence levels must rise: 0 <= minimum < medium < high <= 100.")
    return rule
