"""Reads for the indicators app: list and detail queries that pages and the API share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Left, RowNumber

from core.months import month_add, months_between
from core.user_cache import user_value_lookup
from indicators.models import (
    Assessment,
    Confidence,
    Country,
    CountryScore,
    DatasetImport,
    Desk,
    Indicator,
    Methodology,
    RiskFactor,
    RiskFactorScore,
    ScoreRun,
    Severity,
    UserViewState,
)


def country_get(*, iso3: str) -> Country:
    return Country.objects.select_related("desk").get(iso3=iso3.upper())


def indicators_active() -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(framework__is_active=True, is_retired=False)
        .select_related("risk_factor", "framework")
        .order_by("risk_factor__number", "position")
    )


def risk_factors_active() -> QuerySet[RiskFactor]:
    return RiskFactor.objects.filter(framework__is_active=True).order_by("number")


# --- Dashboard reads: overview ranking, country page, methodology page ------------------------------------------

SCORE_COLUMNS = ("overall", "genocide", "crimes_against_humanity", "war_crimes")
# A stored monthly score as every output shows it (API JSON and CSV, overview CSV export), after its month.
SCORE_RECORD_COLUMNS = (
    "overall",
    "band",
    "common",
    "genocide",
    "crimes_against_humanity",
    "war_crimes",
    "coverage",
    "change_3m",
    "change_12m",
    "data_confidence",
    "data_confidence_level",
    "latest_evidence_on",
)
HISTORY_SHOWN_PER_INDICATOR = 20


REAL_DATA_CACHE_KEY = "indicators:real-data-present"
# Imports clear the key; the timeout bounds how long another process's cache can lag behind an import.
REAL_DATA_CACHE_SECONDS = 300


def real_data_present() -> bool:
    """True once any real dataset (UCDP, V-Dem, PTS, an actor network, ...) has been imported, which also retires the
    demonstration data; cached, one query on a miss."""

    def ask() -> bool:
        return DatasetImport.objects.real_data().exists()

    return bool(cache.get_or_set(REAL_DATA_CACHE_KEY, ask, REAL_DATA_CACHE_SECONDS))


def methodology_active() -> Methodology | None:
    """The methodology version new scores are computed with; None before any is active."""
    return Methodology.objects.filter(is_active=True).first()


def methodology_active_required() -> Methodology:
    """The active methodology version; a ValidationError says what to do when there is none (nothing can be scored)."""
    methodology = methodology_active()
    if methodology is None:
        raise ValidationError("No methodology version is active; publish or activate one first.")
    return methodology


def methodologies_all() -> QuerySet[Methodology]:
    return Methodology.objects.select_related("created_by").order_by("-version")


def score_run_latest() -> ScoreRun | None:
    return ScoreRun.objects.select_related("methodology").order_by("-created_at").first()


def country_scores_latest(
    *, methodology: Methodology | None, with_last_assessed: bool = False
) -> QuerySet[CountryScore]:
    """Each scored country's most recent monthly score under the methodology, with its country, desk and methodology.

    The one read of "latest score per country" for the overview, its CSV export, the API and the scoring engine.
    Driven from the ~200 countries (one backward probe each on the unique (country, methodology, month) index),
    never from the score table, which holds a row per country and month since 1946. `with_last_assessed` adds
    each country's latest observation date as `last_assessed`: one backward probe per returned row on the
    (country, -observed_on) index, about 2 ms for 199 countries on the real data, where grouping the ~100,000
    assessments by country takes 80-110 ms.
    """
    if methodology is None:
        return CountryScore.objects.none()
    latest_id = (
        CountryScore.objects.filter(country=OuterRef("pk"), methodology=methodology).order_by("-month").values("pk")[:1]
    )
    latest_ids = Country.objects.annotate(latest_id=Subquery(latest_id)).values("latest_id")
    scores = (
        CountryScore.objects.filter(pk__in=latest_ids)
        .select_related("country", "country__desk", "methodology")
        .order_by("country__name")
    )
    if with_last_assessed:
        last_assessed = (
            Assessment.objects.not_superseded()
            .filter(country=OuterRef("country"))
            .order_by("-observed_on")
            .values("observed_on")[:1]
        )
        scores = scores.annotate(last_assessed=Subquery(last_assessed))
    return scores


def countries_unscored_count(
    *, methodology: Methodology | None, region: str = "", desk_ids: Iterable[int] | None = None
) -> int:
    """How many countries (of this region and these desks, when given) have no score under the methodology."""
    countries = Country.objects.all()
    if region:
        countries = countries.filter(region=region)
    if desk_ids is not None:
        countries = countries.filter(desk_id__in=list(desk_ids))
    if methodology is None:
        return countries.count()
    return countries.exclude(scores__methodology=methodology).count()


def score_risers(scores: list[CountryScore], *, limit: int = 5) -> list[CountryScore]:
    """The countries whose overall score rose most over three months (only rises backed by new evidence count, and
    only banded scores: a rise of a score with insufficient data, or from ageing evidence alone, is not news)."""
    rising = [
        score
        for score in scores
        if score.change_3m is not None and score.change_3m > 0 and score.new_data_3m and not score.insufficient_data
    ]
    return sorted(rising, key=lambda score: (-score.change_3m, score.country.name))[:limit]


def desks_all() -> list[Desk]:
    return list(Desk.objects.order_by("name"))


# The per-user cache scope of view states (core.user_cache): indicators.services puts each state it saves.
VIEW_STATE = "view-state"


def view_state_filters(*, user) -> dict[str, str]:
    """The user's remembered filter query per page (empty when they have none yet)."""
    state, _ = user_value_lookup(
        VIEW_STATE,
        "state",
        user.pk,
        lambda: UserViewState.objects.filter(user=user).first(),
        keep=lambda found: found is not None,
    )
    return dict(state.filters) if state else {}


def score_run_ids_finished_since(*, since: dt.datetime) -> set[int]:
    return set(ScoreRun.objects.filter(finished_at__gt=since).values_list("pk", flat=True))


def countries_for_search() -> list[tuple[str, str]]:
    """(ISO-3, name) of every country, by name: what the country search and pick-lists match against."""
    return list(Country.objects.order_by("name").values_list("iso3", "name"))


def regions_list() -> list[str]:
    return list(Country.objects.order_by("region").values_list("region", flat=True).distinct())


HISTORY_CHART_COLUMNS = ("month", "band", "coverage", *SCORE_COLUMNS, "common", "latest_evidence_on")


def country_score_history(
    *,
    countries: list[Country],
    methodology: Methodology | None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    columns: tuple[str, ...] = HISTORY_CHART_COLUMNS,
) -> dict[int, list[dict]]:
    """Monthly scores per country id, oldest first, as plain dicts of `columns` (for charts and the API), in one
    query however many countries; `since` and `until` bound the months, inclusive."""
    history: dict[int, list[dict]] = {country.pk: [] for country in countries}
    if methodology is None or not countries:
        return history
    rows = CountryScore.objects.filter(country__in=countries, methodology=methodology)
    if since is not None:
        rows = rows.filter(month__gte=since.replace(day=1))
    if until is not None:
        rows = rows.filter(month__lte=until)
    for row in rows.order_by("country_id", "month").values("country_id", *columns):
        history[row.pop("country_id")].append(row)
    return history


def factor_scores_for_month(*, country: Country, methodology: Methodology, month: dt.date) -> list[RiskFactorScore]:
    return list(
        RiskFactorScore.objects.filter(country=country, methodology=methodology, month=month)
        .select_related("risk_factor")
        .order_by("risk_factor__number")
    )


def factor_scores_change(
    *, country: Country, methodology: Methodology, month: dt.date, months_back: int = 3
) -> dict[int, float | None]:
    """Each risk factor's score change (by factor number) between `months_back` months earlier and the month."""
    earlier = month_add(month, -months_back)
    rows = RiskFactorScore.objects.filter(
        country=country, methodology=methodology, month__in=[earlier, month]
    ).values_list("risk_factor__number", "month", "score")
    by_factor: dict[int, dict[dt.date, float | None]] = {}
    for number, row_month, score in rows:
        by_factor.setdefault(number, {})[row_month] = score
    changes: dict[int, float | None] = {}
    for number, scores in by_factor.items():
        now, before = scores.get(month), scores.get(earlier)
        changes[number] = None if now is None or before is None else now - before
    return changes


@dataclass
class IndicatorStatus:
    """An indicator's latest assessment for a country, its recent history and whether it is going stale."""

    indicator: Indicator
    history: list[dict]
    history_total: int
    age_months: int | None
    stale: bool
    expired: bool

    @property
    def latest(self) -> dict | None:
        return self.history[0] if self.history else None


@dataclass
class FactorIndicators:
    risk_factor: RiskFactor
    indicators: list[IndicatorStatus]

    @property
    def assessed_count(self) -> int:
        return sum(1 for status in self.indicators if status.latest and not status.expired)


def _assessment_rows(*, country: Country) -> list[dict]:
    """The country's assessments newest first: at most HISTORY_SHOWN_PER_INDICATOR per indicator, each row with
    its indicator's total count; evidence cut to what the page shows (some imports write long evidence)."""
    newest_first = [F("observed_on").desc(), F("recorded_at").desc(), F("id").desc()]
    ranked = (
        Assessment.objects.not_superseded()
        .filter(country=country)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("indicator_id")], order_by=newest_first),
            indicator_total=Window(Count("id"), partition_by=[F("indicator_id")]),
            evidence_start=Left("evidence", 200),
        )
    )
    rows = list(
        ranked.filter(rank__lte=HISTORY_SHOWN_PER_INDICATOR)
        .order_by(*newest_first)
        .values(
            "indicator_id",
            "indicator_total",
            "observed_on",
            "severity",
            "confidence",
            "source",
            "evidence_start",
            "author__username",
            "author__first_name",
            "author__last_name",
            "dataset_import__source",
        )
    )
    severity_labels = dict(Severity.choices)
    confidence_labels = dict(Confidence.choices)
    for row in rows:
        row["severity_label"] = severity_labels.get(row["severity"], str(row["severity"]))
        row["confidence_label"] = confidence_labels.get(row["confidence"], row["confidence"])
        row["evidence"] = row.pop("evidence_start") or ""
        full_name = f"{row['author__first_name']} {row['author__last_name']}".strip()
        if row["author__username"]:
            row["recorded_by"] = full_name or row["author__username"]
        else:
            row["recorded_by"] = f"Import: {row['dataset_import__source']}"
    return rows


def indicators_by_factor_for_country(
    *, country: Country, parameters: dict, today: dt.date
) -> tuple[list[FactorIndicators], list[dict]]:
    """Every active indicator grouped by risk factor with its latest assessment and history, plus all rows read."""
    half_life = int(parameters.get("half_life_months", 12))
    max_age = int(parameters.get("max_age_months", 36))
    rows = _assessment_rows(country=country)
    per_indicator: dict[int, list[dict]] = {}
    for row in rows:
        per_indicator.setdefault(row["indicator_id"], []).append(row)
    groups: dict[int, FactorIndicators] = {}
    for indicator in indicators_active():
        history = per_indicator.get(indicator.pk, [])
        age = months_between(history[0]["observed_on"], today) if history else None
        status = IndicatorStatus(
            indicator=indicator,
            history=history,
            history_total=history[0]["indicator_total"] if history else 0,
            age_months=age,
            stale=age is not None and half_life <= age <= max_age,
            expired=age is not None and age > max_age,
        )
        factor = indicator.risk_factor
        groups.setdefault(factor.pk, FactorIndicators(risk_factor=factor, indicators=[])).indicators.append(status)
    return list(groups.values()), rows


@dataclass(frozen=True)
class IndicatorMove:
    """One indicator whose latest severity changed within the window: what it was, what it is now."""

    code: str
    title: str
    factor_number: int
    factor_name: str
    before: int | None
    after: int
    observed_on: dt.date
    confidence: str
    source: str

    @property
    def delta(self) -> int:
        return self.after - (self.before or 0)


def indicator_moves(
    *, rows: list[dict], indicators: dict[int, Indicator], window_start: dt.date, window_end: dt.date
) -> list[IndicatorMove]:
    """Indicators whose latest assessment in (window_start, window_end] differs from the one before the window.

    Pure: works on assessment rows as returned by `_assessment_rows` (newest first) so it needs no query. Those
    rows hold each indicator's latest 20; an indicator assessed more than 20 times within the window reads as new.
    """
    latest_in_window: dict[int, dict] = {}
    latest_before: dict[int, dict] = {}
    for row in rows:
        observed = row["observed_on"]
        indicator_id = row["indicator_id"]
        if window_start < observed <= window_end:
            latest_in_window.setdefault(indicator_id, row)
        elif observed <= window_start:
            latest_before.setdefault(indicator_id, row)
    moves = []
    for indicator_id, row in latest_in_window.items():
        before = latest_before.get(indicator_id)
        before_severity = before["severity"] if before else None
        if before_severity == row["severity"] or indicator_id not in indicators:
            continue
        indicator = indicators[indicator_id]
        moves.append(
            IndicatorMove(
                code=indicator.code,
                title=indicator.short_title,
                factor_number=indicator.risk_factor.number,
                factor_name=indicator.risk_factor.name,
                before=before_severity,
                after=row["severity"],
                observed_on=row["observed_on"],
                confidence=row["confidence_label"],
                source=row["source"],
            )
        )
    return sorted(moves, key=lambda move: (-abs(move.delta), move.factor_number, move.code))


def score_runs_since(*, country: Country, since: dt.datetime) -> list[ScoreRun]:
    """Score runs created at or after `since` whose scope includes the country (an empty scope means all)."""
    runs = ScoreRun.objects.filter(created_at__gte=since).order_by("-created_at")[:50]
    return [run for run in runs if not run.country_scope or country.iso3 in run.country_scope]


def country_score_latest(*, country: Country, methodology: Methodology | None) -> CountryScore | None:
    if methodology is None:
        return None
    return CountryScore.objects.filter(country=country, methodology=methodology).order_by("-month").first()


ENTRY_ROW_FIELDS = ("id", "indicator_id", "observed_on", "severity", "confidence", "source")


def assessment_entries_since(*, country: Country, author, since: dt.datetime) -> tuple[list[dict], list[dict]]:
    """The author's assessments of the country recorded since a moment, and every other assessment of the same
    indicators for the country, as plain rows for indicators.explaining.entry_effects (two queries)."""
    new = list(
        Assessment.objects.filter(country=country, author=author, recorded_at__gte=since)
        .select_related(None)
        .values(
            *ENTRY_ROW_FIELDS,
            "indicator__code",
            "indicator__short_title",
            "indicator__risk_factor__number",
            "indicator__risk_factor__name",
        )
        .order_by("indicator__code", "observed_on", "id")
    )
    others = list(
        Assessment.objects.not_superseded()
        .filter(country=country, indicator_id__in={row["indicator_id"] for row in new})
        .exclude(pk__in=[row["id"] for row in new])
        .values(*ENTRY_ROW_FIELDS)
    )
    return new, others


def country_scores_now(*, country: Country, methodology: Methodology | None) -> dict:
    """The country's latest overall, crime-group and factor scores as plain numbers, kept to compare with later."""
    latest = country_score_latest(country=country, methodology=methodology)
    if latest is None:
        return {}
    scores = {column: getattr(latest, column) for column in (*SCORE_COLUMNS, "common")}
    scores["month"] = latest.month.isoformat()
    for factor in factor_scores_for_month(country=country, methodology=methodology, month=latest.month):
        scores[f"factor_{factor.risk_factor.number}"] = factor.score
    return scores
