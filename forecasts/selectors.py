"""Reads for the forecast: model inputs as DataFrames, and the published forecasts the pages and API show."""

from __future__ import annotations

import pandas as pd
from django.db.models import Max, OuterRef, QuerySet, Subquery

from forecasts.models import Forecast, ForecastModel, Outcome, StructuralRecord
from indicators.models import Assessment, Country, CountryScore, RiskFactorScore
from indicators.selectors import methodology_active

# When two structural sources give the same variable for a country-year, the first source listed wins.
STRUCTURAL_SOURCE_PRIORITY = ("ewp_structural", "ucdp_one_sided")


def outcomes_frame() -> pd.DataFrame:
    """Current outcomes (the newest edition's word for every year): iso3, year, onset, ongoing."""
    rows = Outcome.objects.filter(is_current=True).values_list("country__iso3", "year", "onset", "ongoing")
    frame = pd.DataFrame.from_records(list(rows), columns=["iso3", "year", "onset", "ongoing"])
    return frame.astype({"year": int, "onset": int, "ongoing": int})


def structural_frame() -> pd.DataFrame:
    """Current structural predictors, one row per country-year (sources merged by STRUCTURAL_SOURCE_PRIORITY)."""
    records = StructuralRecord.objects.filter(is_current=True).values_list("country__iso3", "year", "source", "values")
    priority = {source: index for index, source in enumerate(STRUCTURAL_SOURCE_PRIORITY)}
    merged: dict[tuple[str, int], dict] = {}
    # Lowest priority first, so a higher-priority source's values overwrite it.
    for iso3, year, _source, values in sorted(records, key=lambda r: -priority.get(r[2], len(priority))):
        merged.setdefault((iso3, year), {}).update(values)
    frame = pd.DataFrame([{"iso3": iso3, "year": year, **values} for (iso3, year), values in merged.items()])
    if frame.empty:
        return pd.DataFrame(columns=["iso3", "year"])
    return frame.sort_values(["iso3", "year"]).reset_index(drop=True)


def indicator_feature_name(code: str, source: str) -> str:
    """The feature holding one dataset's severity for one Framework indicator, e.g. indicator_2_1_pts."""
    return f"indicator_{code.replace('.', '_')}_{source}"


def indicator_frame() -> pd.DataFrame:
    """Framework indicator values as the datasets gave them: per country and year, for every indicator and importing
    source, the highest severity (0-3) that source assessed in that year, one column per indicator and source
    (`indicator_feature_name`). Analysts' own assessments reach the model through the Framework scores instead, and
    an import that a re-import under a newer mapping superseded does not count, as in scoring."""
    rows = (
        Assessment.objects.not_superseded()
        .filter(dataset_import__isnull=False)
        .values_list("country__iso3", "observed_on__year", "indicator__code", "dataset_import__source")
        .annotate(severity=Max("severity"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["iso3", "year", "code", "source", "severity"])
    if frame.empty:
        return pd.DataFrame(columns=["iso3", "year"])
    pairs = zip(frame["code"], frame["source"], strict=True)
    frame["feature"] = [indicator_feature_name(code, source) for code, source in pairs]
    wide = frame.pivot_table(index=["iso3", "year"], columns="feature", values="severity", aggfunc="max")
    wide.columns.name = None
    return wide.reset_index().astype({"year": int}).sort_values(["iso3", "year"]).reset_index(drop=True)


def framework_frame() -> pd.DataFrame:
    """Each country's December scores under the active methodology, one row per country and year: overall, common,
    the crime groups and risk factors rf1..rf14 (the values the system held at the end of that year)."""
    methodology = methodology_active()
    columns = ["iso3", "year", "overall", "common", "genocide", "crimes_against_humanity", "war_crimes"]
    if methodology is None:
        return pd.DataFrame(columns=columns)
    scores = CountryScore.objects.filter(methodology=methodology, month__month=12).values_list(
        "country__iso3", "month__year", *columns[2:]
    )
    frame = pd.DataFrame.from_records(list(scores), columns=columns)
    factors = RiskFactorScore.objects.filter(methodology=methodology, month__month=12).values_list(
        "country__iso3", "month__year", "risk_factor__number", "score"
    )
    factor_frame = pd.DataFrame.from_records(list(factors), columns=["iso3", "year", "factor", "score"])
    if not factor_frame.empty:
        wide = factor_frame.pivot_table(index=["iso3", "year"], columns="factor", values="score", aggfunc="first")
        wide.columns = [f"rf{int(number)}" for number in wide.columns]
        frame = frame.merge(wide.reset_index(), on=["iso3", "year"], how="left")
    return frame.astype({"year": int})


def forecast_model_latest() -> ForecastModel | None:
    return ForecastModel.objects.filter(is_published=True).select_related("run").order_by("-version").first()


def forecasts_latest(*, model: ForecastModel | None = None) -> QuerySet[Forecast]:
    """Every country's forecast from the newest published model, highest one-year probability first."""
    model = model or forecast_model_latest()
    if model is None:
        return Forecast.objects.none()
    return Forecast.objects.filter(model=model).select_related("country", "model").order_by("rank_1y", "country__name")


def forecast_for_country(*, country: Country, model: ForecastModel | None = None) -> Forecast | None:
    model = model or forecast_model_latest()
    if model is None:
        return None
    return Forecast.objects.filter(model=model, country=country).select_related("model").first()


def forecast_history(*, country: Country) -> QuerySet[Forecast]:
    """Every published model's forecast for the country, oldest forecast year first."""
    return (
        Forecast.objects.filter(country=country, model__is_published=True)
        .select_related("model", "country")
        .order_by("year", "model__version")
    )


def _newest_published_model_id():
    return ForecastModel.objects.filter(is_published=True).order_by("-version").values("pk")[:1]


def forecast_latest_for_country(*, country: Country) -> Forecast | None:
    """The country's forecast from the newest published model, with the model, in one query (None when that model
    has none for the country)."""
    return (
        Forecast.objects.filter(model_id=Subquery(_newest_published_model_id()), country=country)
        .select_related("model")
        .first()
    )


def forecast_probabilities_by_country(country_ids) -> dict[int, dict]:
    """{country_id: {"forecast_1y": percent, "forecast_2y": percent}} from the newest model, in one query."""
    rows = Forecast.objects.filter(
        model_id=Subquery(_newest_published_model_id()), country_id__in=list(country_ids)
    ).values_list("country_id", "probability_1y", "probability_2y")
    return {
        country_id: {"forecast_1y": round(one * 100, 2), "forecast_2y": round(two * 100, 2)}
        for country_id, one, two in rows
    }


def forecast_1y_sort_expression() -> Subquery:
    """A country's one-year probability from the newest published model, as an expression over rows with a
    `country_id` (the overview's ranked scores), so the ranking sorts by it in the same query."""
    return Subquery(
        Forecast.objects.filter(
            model_id=Subquery(_newest_published_model_id()), country_id=OuterRef("country_id")
        ).values("probability_1y")[:1]
    )


def outcome_years() -> tuple[int, int] | None:
    years = list(Outcome.objects.filter(is_current=True).values_list("year", flat=True).distinct())
    return (min(years), max(years)) if years else None
