"""Risk bands, defined once: their order from lowest to highest and the label a reader sees."""

from __future__ import annotations

BAND_ORDER = ("low", "moderate", "high", "very_high")
BAND_LABELS = {"low": "Low", "moderate": "Moderate", "high": "High", "very_high": "Very high"}


def band_label(band: str | None) -> str:
    """The reader's label of a band; an unknown value is shown as it is, and no band as an empty string."""
    return BAND_LABELS.get(band, band) if band else ""
