"""Risk bands, defined once: their order from lowest to highest and the label a reader sees."""

from __future__ import annotations

BAND_ORDER = ("low", "moderate", "high", "very_high")
BAND_LABELS = {"low": "Low", "moderate": "Moderate", "high": "High", "very_high": "Very high"}
