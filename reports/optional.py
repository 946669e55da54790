"""Parts of a report that other apps provide and an installation may lack: forecasts (forecasts app), data
confidence and data-source freshness (methodology v2 in indicators), actor networks (networks app).

Each read returns plain data, or None when its app, field or selector is absent, and ABSENT says in plain words what
the report leaves out, so a report still renders and says why a part is missing. Only this module knows the other
apps' names for these reads.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from indicators.models import CountryScore

ABSENT = {
    "forecasts": "Forecasts of new mass killings are not available in this installation.",
    "forecasts_unpublished": "No forecast model has been published yet.",
    "confidence": "Data confidence is not rated under the methodology in force; coverage is shown instead.",
    "network": "No actor network is recorded for this country.",
}
NETWORK_KEY_ACTORS = 5


def _selector(app: str, module: str, name: str) -> Callable | None:
    """The named function of an installed app, or None when the app or the function does not exist."""
    if not apps.is_installed(app):
        return None
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


# --- Data confidence (scores under methodology v2) ---------------------------------------------------------------


def has_confidence() -> bool:
    return _has_field(CountryScore, "data_confidence_level")


def score_confidence(score: CountryScore | None) -> dict | None:
    """A score's data confidence as {"level", "label", "value", "insufficient", "latest_evidence_on"}, or None when
    the score's methodology does not rate it."""
    if score is None or not has_confidence():
        return None
    level = getattr(score, "data_confidence_level", "")
    if not level:
        return None
    return {
        "level": level,
        "label": score.get_data_confidence_level_display(),
        "value": getattr(score, "data_confidence", None),
        "insufficient": level == "insufficient",
        "latest_evidence_on": getattr(score, "latest_evidence_on", None),
    }


# --- Forecasts -----------------------------------------------------------------------------------------------------


def _forecast_row(forecast) -> dict:
    return {
        "country_name": forecast.country.name,
        "iso3": forecast.country.iso3,
        "year": forecast.year,
        "probability_1y": forecast.probability_1y,
        "probability_2y": forecast.probability_2y,
        "rank_1y": forecast.rank_1y,
        "model": f"model v{forecast.model.version}, forecasts for {forecast.year}",
        "drivers": list(forecast.drivers or [])[:3],
    }


def has_forecasts() -> bool:
    return _selector("forecasts", "forecasts.selectors", "forecasts_latest") is not None


def forecast_note() -> str:
    """Why no forecast is shown: the app is absent, or no model has been published yet."""
    return ABSENT["forecasts_unpublished"] if has_forecasts() else ABSENT["forecasts"]


def forecasts_top(*, limit: int) -> list[dict] | None:
    """The countries with the highest one-year probability from the newest published model, or None without one."""
    read = _selector("forecasts", "forecasts.selectors", "forecasts_latest")
    if read is None:
        return None
    rows = [_forecast_row(forecast) for forecast in read()[:limit]]
    return rows or None


def forecast_for_country(*, country) -> dict | None:
    read = _selector("forecasts", "forecasts.selectors", "forecast_for_country")
    if read is None:
        return None
    forecast = read(country=country)
    return _forecast_row(forecast) if forecast is not None else None


# --- Data sources and how recent they are ------------------------------------------------------------------------


def source_freshness(*, as_of: dt.date) -> list[dict] | None:
    """Each source with its latest observation and import, from the trust work's summary when present."""
    read = _selector("indicators", "indicators.scoring.selectors", "data_sources_summary")
    if read is None:
        return None
    from indicators.importers.mappings import SOURCES

    rows = []
    for summary in read():
        latest = summary.latest_observed_on
        known = SOURCES.get(summary.source)
        rows.append(
            {
                "name": summary.label,
                "citation": known.citation if known else "",
                "latest_observation": latest,
                "age_months": max(0, (as_of.year - latest.year) * 12 + as_of.month - latest.month) if latest else None,
                "last_import": summary.imported_at.date() if summary.imported_at else None,
                "assessments": summary.assessments,
                "countries": summary.countries,
            }
        )
    return rows


# --- Actor networks ------------------------------------------------------------------------------------------------


def network_summary(*, country) -> dict | None:
    """Size of the country's actor network and its most central actors, or None when there is none."""
    read = _selector("networks", "networks.selectors", "network_summary")
    if read is None:
        return None
    summary = read(country=country)
    if not summary.get("actors"):
        return None
    key_actors = []
    current = _selector("networks", "networks.selectors", "analysis_run_current")
    run = current(country=country) if current is not None else None
    if run is not None and run.results:
        ranked = run.results.get("betweenness") or run.results.get("degree") or []
        ids = [item["id"] for item in ranked[:NETWORK_KEY_ACTORS]]
        actor_model = apps.get_model("networks", "Actor")
        names = dict(actor_model.objects.filter(pk__in=ids).values_list("pk", "name"))
        kinds = dict(actor_model.objects.filter(pk__in=ids).values_list("pk", "kind"))
        key_actors = [
            {"name": names[actor_id], "role": str(kinds.get(actor_id, "")).replace("_", " ")}
            for actor_id in ids
            if actor_id in names
        ]
    actors, relationships = summary["actors"], summary["relationships"]
    return {
        "actors": actors,
        "relationships": relationships,
        "summary": (
            f"{actors} actor{'s' if actors != 1 else ''} and {relationships} "
            f"relationship{'s' if relationships != 1 else ''} are recorded for this country"
            + (
                "; the most central, by how often they lie on the paths between others, are listed below."
                if key_actors
                else "."
            )
        ),
        "key_actors": key_actors,
    }
