"""Risk bands of a score under a methodology's thresholds, and the defaults used before any methodology exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from indicators.scoring.parameters import MethodologyParameters

BANDS = ("low", "moderate", "high", "very_high")
# Lower edge of each band above "low" when no methodology exists yet (the seeded v1 uses the same).
DEFAULT_BAND_THRESHOLDS = {"moderate": 25.0, "high": 50.0, "very_high": 75.0}
# Months an assessment counts for when no methodology exists yet (the seeded v1 uses the same).
DEFAULT_MAX_AGE_MONTHS = 36


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
