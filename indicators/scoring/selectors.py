"""Reads of scores for pages and the API: latest scores, history, runs, and the explanation behind a score.

`country_scores_latest` is the dashboards' selector in indicators.selectors, re-exported here: one read for all.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from indicators.importers.mappings import SOURCES
from indicators.models import (
    Assessment,
    Country,
    CountryScore,
    DatasetImport,
    Indicator,
    Methodology,
    RiskFactor,
    RiskFactorScore,
    ScoreRun,
)
from indicators.scoring.core import ANALYST_SOURCE, MethodologyParameters, month_first_day, month_number
from indicators.scoring.evidence import ANALYST_IMPORT_SOURCES, assessments_frame_read
from indicators.scoring.explain import factor_scores_from_contributions, indicator_contributions
from indicators.selectors import country_scores_latest as country_scores_latest
from indicators.selectors import methodology_active_required

EXPLANATION_CHANGE_MONTHS = 3


def _methodology(methodology: Methodology | None) -> Methodology:
    return methodology or methodology_active_required()


def risk_factor_score_history(
    *, country: Country, methodology: Methodology | None = None, since: dt.date | None = None
) -> QuerySet[RiskFactorScore]:
    """A country's monthly risk-factor scores, ordered by month then factor number, with each risk factor."""
    queryset = RiskFactorScore.objects.filter(country=country, methodology=_methodology(methodology))
    if since is not None:
        queryset = queryset.filter(month__gte=since.replace(day=1))
    return queryset.select_related("risk_factor").order_by("month", "risk_factor__number")


def country_score_at(*, country: Country, month: dt.date | None = None, methodology: Methodology | None = None):
    """The country's stored score for a month (default: its latest), or None when it has none."""
    queryset = CountryScore.objects.filter(country=country, methodology=_methodology(methodology)).select_related(
        "run", "methodology"
    )
    if month is not None:
        return queryset.filter(month=month.replace(day=1)).first()
    return queryset.order_by("-month").first()


def score_runs_recent(*, limit: int = 20) -> QuerySet[ScoreRun]:
    """The most recent score runs, newest first."""
    return ScoreRun.objects.select_related("methodology", "requested_by").order_by("-created_at")[:limit]


@dataclass(frozen=True)
class IndicatorContribution:
    """One source's part in a factor score: its assessment of an indicator that counts, and the weight it carries."""

    indicator_id: int
    code: str
    title: str
    source: str  # a dataset's name, or "analyst"
    assessment_id: int
    observed_on: dt.date
    severity: int
    confidence: str
    confidence_weight: float
    age_months: int
    age_weight: float
    source_weight: float
    weight: float  # confidence weight x age weight x source weight
    counts: bool  # False when the assessment is older than the methodology's maximum age
    source_share: float  # its part of the indicator's fused severity, 0-1
    share: float  # its part of the factor's score, 0-1


@dataclass(frozen=True)
class IndicatorChange:
    """How one source's contribution to an indicator differs from 3 months earlier."""

    code: str
    title: str
    source: str
    kind: str  # "new", "updated", "expired" or "aged"
    severity_before: int | None
    severity_now: int | None
    weight_before: float
    weight_now: float


@dataclass(frozen=True)
class FactorExplanation:
    number: int
    name: str
    crime_group: str
    score: float | None
    score_before: float | None  # the factor's score 3 months earlier
    change: float | None
    coverage: float
    indicators_assessed: int
    indicators_total: int
    contributions: list[IndicatorContribution] = field(default_factory=list)
    changes: list[IndicatorChange] = field(default_factory=list)


@dataclass(frozen=True)
class ScoreExplanation:
    """Why a country scored what it did in a month, factor by factor, and what changed since 3 months earlier."""

    country: Country
    month: dt.date
    compared_with: dt.date
    methodology: Methodology
    stored: CountryScore | None  # the stored overall, group and band scores for the month, if any
    factors: list[FactorExplanation]


def _float(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def score_explanation(
    *, country: Country, month: dt.date | None = None, methodology: Methodology | None = None
) -> ScoreExplanation:
    """The contributions behind each risk-factor score of a country in a month (default: its latest scored month).

    Per factor: the indicators whose assessments count, their severity, confidence weight, age in months and age
    weight, their share of the factor's weight; and, against 3 months earlier, which indicators are new, updated,
    expired or merely older. Computed by the same core as the stored scores, so the numbers match.
    """
    methodology = _methodology(methodology)
    parameters = MethodologyParameters.from_dict(methodology.parameters)
    stored = country_score_at(country=country, month=month, methodology=methodology)
    if month is None:
        month = stored.month if stored else timezone.localdate()
    month = month.replace(day=1)
    earlier = month_first_day(month_number(month) - EXPLANATION_CHANGE_MONTHS)

    indicators = list(
        Indicator.objects.filter(framework__is_active=True, is_retired=False).values_list(
            "id", "risk_factor_id", "risk_factor__number", "code", "short_title"
        )
    )
    indicator_frame = pd.DataFrame(
        [row[:3] for row in indicators], columns=["indicator_id", "risk_factor_id", "factor_number"]
    )
    labels = {row[0]: (row[3], row[4]) for row in indicators}
    assessments = assessments_frame_read(country_ids=[country.pk])
    now = indicator_contributions(assessments, indicator_frame, parameters, month=month)
    before = indicator_contributions(assessments, indicator_frame, parameters, month=earlier)
    factors_now = factor_scores_from_contributions(now, indicator_frame, parameters)
    factors_before = factor_scores_from_contributions(before, indicator_frame, parameters)
    risk_factors = {
        factor.number: factor for factor in RiskFactor.objects.filter(pk__in=indicator_frame["risk_factor_id"])
    }

    # Plain rows from here on: per-cell pandas lookups cost more than the scoring itself.
    contributions_now = _rows_by_factor(now, labels)
    contributions_before = _rows_by_factor(before, labels)
    scores_before = {int(row["factor_number"]): _float(row["score"]) for row in factors_before.to_dict("records")}
    factors: list[FactorExplanation] = []
    for row in factors_now.to_dict("records"):
        number = int(row["factor_number"])
        factor = risk_factors[number]
        current = contributions_now.get(number, [])
        score, score_before = _float(row["score"]), scores_before.get(number)
        factors.append(
            FactorExplanation(
                number=number,
                name=factor.name,
                crime_group=factor.crime_group,
                score=score,
                score_before=score_before,
                change=None if score is None or score_before is None else score - score_before,
                coverage=float(row["coverage"]),
                indicators_assessed=int(row["indicators_assessed"]),
                indicators_total=int(row["indicators_total"]),
                contributions=sorted(current, key=lambda item: (-item.share, item.indicator_id)),
                changes=_indicator_changes(current, contributions_before.get(number, [])),
            )
        )
    return ScoreExplanation(
        country=country,
        month=month,
        compared_with=earlier,
        methodology=methodology,
        stored=stored if stored and stored.month == month else None,
        factors=factors,
    )


def _rows_by_factor(contributions: pd.DataFrame, labels: dict) -> dict[int, list[IndicatorContribution]]:
    """The core's contributions as IndicatorContribution rows, grouped by factor number."""
    by_factor: dict[int, list[IndicatorContribution]] = {}
    for item in contributions.to_dict("records"):
        indicator_id = int(item["indicator_id"])
        by_factor.setdefault(int(item["factor_number"]), []).append(
            IndicatorContribution(
                indicator_id=indicator_id,
                code=labels[indicator_id][0],
                title=labels[indicator_id][1],
                source=str(item["source"]),
                assessment_id=int(item["assessment_id"]),
                observed_on=pd.Timestamp(item["observed_on"]).date(),
                severity=int(item["severity"]),
                confidence=str(item["confidence"]),
                confidence_weight=float(item["confidence_weight"]),
                age_months=int(item["age_months"]),
                age_weight=float(item["age_weight"]),
                source_weight=float(item["source_weight"]),
                weight=float(item["weight"]),
                counts=bool(item["counts"]),
                source_share=float(item["source_share"]),
                share=float(item["share"]),
            )
        )
    return by_factor


def _indicator_changes(
    current: list[IndicatorContribution], previous: list[IndicatorContribution]
) -> list[IndicatorChange]:
    """Per indicator and source: new, updated, expired or merely older than 3 months earlier."""
    now = {(item.indicator_id, item.source): item for item in current if item.counts}
    then = {(item.indicator_id, item.source): item for item in previous if item.counts}
    labels = {item.indicator_id: (item.code, item.title) for item in (*current, *previous)}
    changes: list[IndicatorChange] = []
    for key in sorted(now.keys() | then.keys(), key=lambda pair: (labels[pair[0]][0], pair[1])):
        in_now, in_then = now.get(key), then.get(key)
        if in_then is None:
            kind = "new"
        elif in_now is None:
            kind = "expired"
        elif in_now.assessment_id != in_then.assessment_id:
            kind = "updated"
        else:
            kind = "aged"
        changes.append(
            IndicatorChange(
                code=labels[key[0]][0],
                title=labels[key[0]][1],
                source=key[1],
                kind=kind,
                severity_before=in_then.severity if in_then else None,
                severity_now=in_now.severity if in_now else None,
                weight_before=in_then.weight if in_then else 0.0,
                weight_now=in_now.weight if in_now else 0.0,
            )
        )
    return changes


# --- Freshness: what each source holds, and how recent each country's evidence is --------------------------------


@dataclass(frozen=True)
class SourceSummary:
    """One source of assessments: what it covers and when it was last imported."""

    source: str
    label: str
    first_year: int | None
    latest_year: int | None
    latest_observed_on: dt.date | None
    assessments: int
    countries: int
    imported_at: dt.datetime | None
    mapping_version: str
    file_name: str


def _source_label(source: str) -> str:
    if source == ANALYST_SOURCE:
        return "Analysts' assessments (recorded by hand or uploaded as CSV)"
    known = SOURCES.get(source)
    return known.label if known else source


def _scoring_source(dataset_source: str | None) -> str:
    """The scoring source of an assessment's dataset import (None: recorded by hand), as the score run reads it."""
    return ANALYST_SOURCE if not dataset_source or dataset_source in ANALYST_IMPORT_SOURCES else dataset_source


def data_sources_summary() -> list[SourceSummary]:
    """Every source with assessments: coverage years, latest data, countries covered, and its latest import."""
    rows = (
        Assessment.objects.not_superseded()
        .order_by()
        .values("dataset_import__source")
        .annotate(
            first=Min("observed_on"),
            last=Max("observed_on"),
            count=Count("id"),
            countries=Count("country_id", distinct=True),
        )
    )
    merged: dict[str, dict] = {}
    for row in rows:
        source = _scoring_source(row["dataset_import__source"])
        into = merged.setdefault(source, {"first": row["first"], "last": row["last"], "count": 0, "countries": 0})
        into["first"], into["last"] = min(into["first"], row["first"]), max(into["last"], row["last"])
        into["count"] += row["count"]
        into["countries"] = max(into["countries"], row["countries"])  # analysts' and CSV rows may overlap
    latest_imports: dict[str, DatasetImport] = {}
    imports = DatasetImport.objects.not_superseded().filter(status=DatasetImport.Status.SUCCEEDED)
    for item in imports.order_by("finished_at"):
        latest_imports[_scoring_source(item.source)] = item
    summaries = []
    for source, row in merged.items():
        imported = latest_imports.get(source)
        summaries.append(
            SourceSummary(
                source=source,
                label=_source_label(source),
                first_year=row["first"].year,
                latest_year=row["last"].year,
                latest_observed_on=row["last"],
                assessments=row["count"],
                countries=row["countries"],
                imported_at=imported.finished_at if imported else None,
                mapping_version=imported.mapping_version if imported else "",
                file_name=imported.file_name if imported else "",
            )
        )
    return sorted(summaries, key=lambda item: (item.source == ANALYST_SOURCE, item.label))


SHORT_LABELS = {
    "ucdp_country_year": "UCDP organized violence",
    "ucdp_conflict": "UCDP/PRIO armed conflict",
    "vdem": "V-Dem",
    "pts": "Political Terror Scale",
    "polity5": "Polity5",
    "wgi": "WGI",
    "ewp_predictors": "EWP predictors",
    "ewp_forecasts": "EWP 2024 data",
    ANALYST_SOURCE: "Analysts",
}


@dataclass(frozen=True)
class SourceEvidence:
    source: str
    label: str
    latest_observed_on: dt.date
    assessments: int

    @property
    def short_label(self) -> str:
        return SHORT_LABELS.get(self.source, self.source)


def country_latest_evidence_by_source(*, country: Country) -> list[SourceEvidence]:
    """For one country, each source's newest assessment date (newest first): where each source's data ends."""
    rows = (
        Assessment.objects.not_superseded()
        .filter(country=country)
        .order_by()
        .values("dataset_import__source")
        .annotate(last=Max("observed_on"), count=Count("id"))
    )
    merged: dict[str, SourceEvidence] = {}
    for row in rows:
        source = _scoring_source(row["dataset_import__source"])
        previous = merged.get(source)
        last = max(row["last"], previous.latest_observed_on) if previous else row["last"]
        count = row["count"] + (previous.assessments if previous else 0)
        merged[source] = SourceEvidence(
            source=source, label=_source_label(source), latest_observed_on=last, assessments=count
        )
    return sorted(merged.values(), key=lambda item: (-item.latest_observed_on.toordinal(), item.label))
