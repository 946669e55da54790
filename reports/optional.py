"""Parts of a report that other apps provide and a deployment may lack: forecasts, data confidence, data-source
freshness and actor networks. Each read returns None when its app or selector is absent, and ABSENT says in plain
words what the report leaves out, so a report still renders, and says why a part is missing."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.apps import apps

ABSENT = {
    "forecasts": "Forecasts of new mass killings are not available in this installation.",
    "confidence": "Data confidence is not rated in this installation; coverage is shown instead.",
    "network": "No actor network is recorded for this country.",
}


def _selector(app: str, module: str, name: str) -> Callable | None:
    """The named function of an installed app, or None when the app or the function does not exist."""
    if not apps.is_installed(app):
        return None
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def has_forecasts() -> bool:
    return _selector("forecasts", "forecasts.selectors", "forecasts_latest_by_country") is not None


def has_confidence() -> bool:
    return _selector("indicators", "indicators.selectors", "data_confidence_by_country") is not None


def forecasts_top(*, limit: int) -> list[dict] | None:
    """The countries with the highest forecast probability, highest first, or None without forecasts."""
    read = _selector("forecasts", "forecasts.selectors", "forecasts_latest_by_country")
    if read is None:
        return None
    rows = sorted(read().values(), key=lambda row: -(row.get("probability_2y") or row.get("probability_1y") or 0))
    return rows[:limit]


def forecast_for_country(*, country) -> dict | None:
    read = _selector("forecasts", "forecasts.selectors", "forecasts_latest_by_country")
    if read is None:
        return None
    return read().get(country.pk)


def data_confidence_by_country(*, methodology, month) -> dict[int, dict] | None:
    """Per country id: {"label", "insufficient"} at the month, or None where confidence is not rated."""
    read = _selector("indicators", "indicators.selectors", "data_confidence_by_country")
    return read(methodology=methodology, month=month) if read is not None else None


def data_confidence_for_country(*, country, methodology) -> dict | None:
    read = _selector("indicators", "indicators.selectors", "data_confidence_by_country")
    if read is None or methodology is None:
        return None
    return read(methodology=methodology, month=None).get(country.pk)


def source_freshness() -> list[dict] | None:
    """Each data source and how recent it is, from the trust work's selector when present."""
    read = _selector("indicators", "indicators.selectors", "data_sources_freshness")
    return read() if read is not None else None


def network_summary(*, country) -> dict | None:
    read = _selector("networks", "networks.selectors", "network_summary_for_country")
    return read(country=country) if read is not None else None
