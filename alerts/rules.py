"""Pure alert-rule evaluation: score and assessment rows in, alerts to open out. No ORM here.

Each rule kind reads plain rows, so the rules are tested without a database and the service layer only does I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.bands import BAND_LABELS, BAND_ORDER
from core.months import month_add, month_first_day, month_number
from indicators.scoring.core import DEFAULT_MAX_AGE_MONTHS

BAND_REACHED = "band_reached"
SHARP_RISE = "sharp_rise"
SERIOUS_SPECIFIC_INDICATOR = "serious_specific_indicator"
STALE_COVERAGE = "stale_coverage"
TRIGGER_EVENT = "trigger_event"
ONSET_FORECAST = "onset_forecast"

# Rules that watch a condition of the scores or assessments: when a score run no longer finds it, the alert resolves.
# A trigger event is a fact that happened, not a condition, so its alerts wait for a person to handle them.
CONDITION_KINDS = (BAND_REACHED, SHARP_RISE, SERIOUS_SPECIFIC_INDICATOR, STALE_COVERAGE)
SCORE_KINDS = (BAND_REACHED, SHARP_RISE, STALE_COVERAGE)
TRIGGER_EVENT_KINDS = ("court_finding", "commission_of_inquiry", "un_special_advisers")

DEFAULT_PARAMETERS: dict[str, dict] = {
    BAND_REACHED: {"bands": ["high", "very_high"]},
    SHARP_RISE: {"points": 15, "months": 3},
    # No age limit of its own: a serious assessment fires while the scoring methodology still counts it.
    SERIOUS_SPECIFIC_INDICATOR: {"factors": [10, 12], "severity": 3},
    STALE_COVERAGE: {"bands": ["high", "very_high"], "max_age_days": 180},
    TRIGGER_EVENT: {"kinds": list(TRIGGER_EVENT_KINDS), "max_age_days": 365},
    # The forecast's one-year probability, in percent as the pages show it, or the country's rank among all countries.
    ONSET_FORECAST: {"threshold_percent": 10, "top": 10},
}


@dataclass(frozen=True)
class Rule:
    id: int
    kind: str
    parameters: Mapping


@dataclass(frozen=True)
class ScoreRow:
    country_id: int
    month: dt.date
    overall: float | None
    band: str


@dataclass(frozen=True)
class AssessmentRow:
    id: int
    country_id: int
    indicator_code: str
    risk_factor: int
    observed_on: dt.date
    recorded_at: dt.datetime
    severity: int


@dataclass(frozen=True)
class TriggerEventRow:
    id: int
    country_id: int
    kind: str
    kind_label: str
    title: str
    occurred_on: dt.date
    recorded_at: dt.datetime


@dataclass(frozen=True)
class ForecastRow:
    """One country's forecast from the newest published forecast model."""

    country_id: int
    year: int
    probability_1y: float
    rank_1y: int
    countries_ranked: int
    model_version: int


@dataclass(frozen=True)
class AlertCandidate:
    rule_id: int
    rule_kind: str
    country_id: int
    message: str
    fingerprint: str
    details: dict = field(default_factory=dict, hash=False, compare=False)


def _latest_per_country(scores: Iterable[ScoreRow]) -> dict[int, ScoreRow]:
    """Each country's latest month, scored or not. An unscored latest month is the country's state now: the overview
    shows it as "not scored", so no rule may fire on (or quote) an older score instead."""
    latest: dict[int, ScoreRow] = {}
    for row in scores:
        current = latest.get(row.country_id)
        if current is None or row.month > current.month:
            latest[row.country_id] = row
    return latest


def _not_a_list_of(value, allowed) -> bool:
    """True unless value is a non-empty list whose every item passes `allowed`."""
    return not isinstance(value, list) or not value or not all(allowed(item) for item in value)


def _value_errors(parameters: Mapping) -> list[str]:
    """Problems with the values of the parameters present; missing ones are reported by the caller."""
    errors = []
    if "bands" in parameters and _not_a_list_of(parameters["bands"], lambda band: band in BAND_ORDER):
        errors.append(f"bands must be a non-empty list drawn from {', '.join(BAND_ORDER)}.")
    for name in ("points", "months", "max_age_days", "severity", "threshold_percent", "top"):
        value = parameters.get(name)
        if name in parameters and (isinstance(value, bool) or not isinstance(value, int | float) or value <= 0):
            errors.append(f"{name} must be a positive number; got {value!r}.")
    if parameters.get("severity") not in (None, 1, 2, 3):
        errors.append("severity must be 1, 2 or 3.")
    if "kinds" in parameters and _not_a_list_of(parameters["kinds"], lambda kind: kind in TRIGGER_EVENT_KINDS):
        errors.append(f"kinds must be a non-empty list drawn from {', '.join(TRIGGER_EVENT_KINDS)}.")
    if "factors" in parameters and _not_a_list_of(parameters["factors"], lambda f: isinstance(f, int) and 1 <= f <= 14):
        errors.append("factors must be a non-empty list of risk-factor numbers 1-14.")
    return errors + _forecast_value_errors(parameters)


def _forecast_value_errors(parameters: Mapping) -> list[str]:
    errors = []
    threshold = parameters.get("threshold_percent")
    if isinstance(threshold, int | float) and not isinstance(threshold, bool) and threshold > 100:
        errors.append(f"threshold_percent must be at most 100; got {threshold!r}.")
    top = parameters.get("top")
    if "top" in parameters and isinstance(top, float) and not top.is_integer():
        errors.append(f"top must be a whole number of countries; got {top!r}.")
    return errors


def rule_parameters_errors(kind: str, parameters: Mapping) -> list[str]:
    """Name every problem with a rule's parameters; an empty list means they are usable."""
    if kind not in DEFAULT_PARAMETERS:
        return [f"Unknown rule kind {kind!r}."]
    if not isinstance(parameters, Mapping):
        return ["Parameters must be a JSON object."]
    errors = []
    missing = sorted(set(DEFAULT_PARAMETERS[kind]) - set(parameters))
    if missing:
        errors.append(f"Missing parameters: {', '.join(missing)}.")
    unknown = sorted(set(parameters) - set(DEFAULT_PARAMETERS[kind]))
    if unknown:
        errors.append(f"Unknown parameters: {', '.join(unknown)}.")
    return errors + _value_errors(parameters)


def evaluate_band_reached(rule: Rule, scores: Iterable[ScoreRow]) -> list[AlertCandidate]:
    """Fire when a country's latest overall score sits in one of the rule's bands (a score with insufficient data has
    no band, so it never fires)."""
    bands = set(rule.parameters["bands"])
    candidates = []
    for country_id, row in sorted(_latest_per_country(scores).items()):
        if row.band in bands:
            candidates.append(
                AlertCandidate(
                    rule_id=rule.id,
                    rule_kind=rule.kind,
                    country_id=country_id,
                    message=(
                        f"Overall score {row.overall:.1f} is in band {BAND_LABELS.get(row.band, row.band)} "
                        f"({row.month:%B %Y})."
                    ),
                    fingerprint=f"{row.month:%Y-%m}:{row.band}",
                    details={"month": row.month.isoformat(), "overall": row.overall, "band": row.band},
                )
            )
    return candidates


def evaluate_sharp_rise(rule: Rule, scores: Iterable[ScoreRow]) -> list[AlertCandidate]:
    """Fire when the latest overall score is at least `points` above the lowest of the preceding `months` months."""
    points = float(rule.parameters["points"])
    months = int(rule.parameters["months"])
    scores = list(scores)
    rows = [row for row in scores if row.overall is not None]
    candidates = []
    for country_id, latest in sorted(_latest_per_country(scores).items()):
        if latest.overall is None:
            continue
        window_start = month_add(latest.month, -months)
        earlier = [
            row
            for row in rows
            if row.country_id == country_id and window_start <= row.month < latest.month and row.overall is not None
        ]
        if not earlier:
            continue
        lowest = min(earlier, key=lambda row: (row.overall, row.month))
        rise = latest.overall - lowest.overall
        if rise >= points:
            candidates.append(
                AlertCandidate(
                    rule_id=rule.id,
                    rule_kind=rule.kind,
                    country_id=country_id,
                    message=(
                        f"Overall score rose {rise:.1f} points within {months} months, from {lowest.overall:.1f} "
                        f"({lowest.month:%B %Y}) to {latest.overall:.1f} ({latest.month:%B %Y})."
                    ),
                    fingerprint=f"{latest.month:%Y-%m}",
                    details={
                        "month": latest.month.isoformat(),
                        "overall": latest.overall,
                        "from_month": lowest.month.isoformat(),
                        "from_overall": lowest.overall,
                        "rise": round(rise, 2),
                    },
                )
            )
    return candidates


def evaluate_serious_specific_indicator(
    rule: Rule, assessments: Iterable[AssessmentRow], *, today: dt.date, max_age_months: int
) -> list[AlertCandidate]:
    """Fire when the latest assessment of any indicator of the rule's factors is at the rule's severity or above and
    still counts in the score (no more than the methodology's max_age_months old, measured in months as it does)."""
    factors = set(rule.parameters["factors"])
    severity = int(rule.parameters["severity"])
    oldest = month_first_day(month_number(today) - max_age_months)
    latest: dict[tuple[int, str], AssessmentRow] = {}
    for row in assessments:
        if row.risk_factor not in factors or row.observed_on > today:
            continue
        key = (row.country_id, row.indicator_code)
        current = latest.get(key)
        if current is None or (row.observed_on, row.recorded_at, row.id) > (
            current.observed_on,
            current.recorded_at,
            current.id,
        ):
            latest[key] = row
    serious: dict[int, list[AssessmentRow]] = {}
    for row in latest.values():
        if row.severity >= severity and row.observed_on >= oldest:
            serious.setdefault(row.country_id, []).append(row)
    candidates = []
    for country_id, rows in sorted(serious.items()):
        rows.sort(key=lambda row: [int(part) for part in row.indicator_code.split(".") if part.isdigit()])
        codes = ", ".join(row.indicator_code for row in rows)
        noun = "indicator" if len(rows) == 1 else "indicators"
        candidates.append(
            AlertCandidate(
                rule_id=rule.id,
                rule_kind=rule.kind,
                country_id=country_id,
                message=f"Specific-crime {noun} {codes} assessed serious.",
                fingerprint="assessments:" + ",".join(str(row.id) for row in sorted(rows, key=lambda r: r.id)),
                details={
                    "indicators": [row.indicator_code for row in rows],
                    "assessment_ids": [row.id for row in rows],
                },
            )
        )
    return candidates


def evaluate_stale_coverage(
    rule: Rule,
    scores: Iterable[ScoreRow],
    last_assessed: Mapping[int, dt.date | None],
    *,
    today: dt.date,
) -> list[AlertCandidate]:
    """Fire when a country in one of the rule's bands has had no new assessment for more than max_age_days."""
    bands = set(rule.parameters["bands"])
    max_age = int(rule.parameters["max_age_days"])
    candidates = []
    for country_id, row in sorted(_latest_per_country(scores).items()):
        if row.band not in bands:
            continue
        last = last_assessed.get(country_id)
        if last is not None and (today - last).days <= max_age:
            continue
        since = f"since {last:%d %B %Y}" if last else "ever"
        candidates.append(
            AlertCandidate(
                rule_id=rule.id,
                rule_kind=rule.kind,
                country_id=country_id,
                message=(
                    f"Band {BAND_LABELS.get(row.band, row.band)}, but no new assessment {since} "
                    f"(more than {max_age} days)."
                ),
                fingerprint=f"last:{last.isoformat() if last else 'never'}",
                details={"band": row.band, "last_assessed": last.isoformat() if last else None},
            )
        )
    return candidates


def evaluate_trigger_event(rule: Rule, events: Iterable[TriggerEventRow], *, today: dt.date) -> list[AlertCandidate]:
    """Fire for each country with a trigger event of the rule's kinds dated within max_age_days; the newest recorded
    event names the alert, so a later event can raise a new alert once the earlier one is handled."""
    kinds = set(rule.parameters["kinds"])
    max_age = int(rule.parameters["max_age_days"])
    oldest = today - dt.timedelta(days=max_age)
    by_country: dict[int, list[TriggerEventRow]] = {}
    for row in events:
        if row.kind in kinds and oldest <= row.occurred_on <= today:
            by_country.setdefault(row.country_id, []).append(row)
    candidates = []
    for country_id, rows in sorted(by_country.items()):
        rows.sort(key=lambda row: (row.recorded_at, row.id))
        newest = rows[-1]
        message = f"{newest.kind_label}: {newest.title} ({newest.occurred_on:%d %B %Y})."
        if len(rows) > 1:
            others = len(rows) - 1
            message += f" {others} earlier trigger event{'s' if others > 1 else ''} within {max_age} days."
        candidates.append(
            AlertCandidate(
                rule_id=rule.id,
                rule_kind=rule.kind,
                country_id=country_id,
                message=message,
                fingerprint=f"trigger_event:{newest.id}",
                details={
                    "trigger_event_id": newest.id,
                    "kind": newest.kind,
                    "occurred_on": newest.occurred_on.isoformat(),
                    "trigger_event_ids": [row.id for row in rows],
                },
            )
        )
    return candidates


def _forecast_reasons(row: ForecastRow, threshold: float, top: int) -> list[str]:
    reasons = []
    if row.probability_1y * 100 >= threshold:
        reasons.append(f"passes the {threshold:g}% threshold")
    if row.rank_1y <= top:
        reasons.append(f"is in the top {top}")
    return reasons


def _forecast_words(row: ForecastRow) -> str:
    return (
        f"one-year onset probability {row.probability_1y * 100:.1f}% for {row.year} "
        f"(rank {row.rank_1y} of {row.countries_ranked}, forecast model v{row.model_version})"
    )


def evaluate_onset_forecast(rule: Rule, forecasts: Iterable[ForecastRow]) -> list[AlertCandidate]:
    """Fire when a country's one-year onset probability from the newest model reaches `threshold_percent` or its
    rank is within the `top` countries. The forecast year names the finding: a dismissed alert stays dismissed
    when the model is retrained for the same year, and a new year's forecast can raise a new one."""
    threshold = float(rule.parameters["threshold_percent"])
    top = int(rule.parameters["top"])
    candidates = []
    for row in sorted(forecasts, key=lambda row: row.country_id):
        reasons = _forecast_reasons(row, threshold, top)
        if not reasons:
            continue
        candidates.append(
            AlertCandidate(
                rule_id=rule.id,
                rule_kind=rule.kind,
                country_id=row.country_id,
                message=f"The {_forecast_words(row)} {' and '.join(reasons)}.",
                fingerprint=f"forecast:{row.year}",
                details={
                    "forecast_year": row.year,
                    "probability_1y": row.probability_1y,
                    "rank_1y": row.rank_1y,
                    "countries_ranked": row.countries_ranked,
                    "model_version": row.model_version,
                },
            )
        )
    return candidates


def forecast_alerts_cleared(
    open_alerts: Iterable[OpenAlertRow], candidates: Iterable[AlertCandidate], forecasts: Iterable[ForecastRow]
) -> list[ClearedAlert]:
    """Open onset-forecast alerts that the newest model no longer supports, each with what that model says now.
    Every country is judged: a model without a forecast for a country no longer supports its alert either."""
    firing = {candidate.country_id for candidate in candidates if candidate.rule_kind == ONSET_FORECAST}
    latest = {row.country_id: row for row in forecasts}
    cleared = []
    for alert in sorted(open_alerts, key=lambda row: row.id):
        if alert.rule_kind != ONSET_FORECAST or alert.country_id in firing:
            continue
        row = latest.get(alert.country_id)
        if row is None:
            reason = "The newest forecast model has no forecast for this country."
        else:
            reason = f"Now below the threshold and outside the top: {_forecast_words(row)}."
        cleared.append(ClearedAlert(alert_id=alert.id, reason=reason))
    return cleared


def evaluate_rules(
    rules: Iterable[Rule],
    *,
    scores: Iterable[ScoreRow] = (),
    assessments: Iterable[AssessmentRow] = (),
    last_assessed: Mapping[int, dt.date | None] | None = None,
    trigger_events: Iterable[TriggerEventRow] = (),
    forecasts: Iterable[ForecastRow] = (),
    today: dt.date,
    max_age_months: int = DEFAULT_MAX_AGE_MONTHS,
) -> list[AlertCandidate]:
    """Evaluate every rule against the rows given; a rule whose rows were not given finds nothing. `max_age_months`
    is the scoring methodology's: an assessment older than that no longer counts, for the rules either."""
    scores = list(scores)
    assessments = list(assessments)
    trigger_events = list(trigger_events)
    forecasts = list(forecasts)
    candidates: list[AlertCandidate] = []
    for rule in rules:
        if rule.kind == BAND_REACHED:
            candidates += evaluate_band_reached(rule, scores)
        elif rule.kind == SHARP_RISE:
            candidates += evaluate_sharp_rise(rule, scores)
        elif rule.kind == SERIOUS_SPECIFIC_INDICATOR:
            candidates += evaluate_serious_specific_indicator(
                rule, assessments, today=today, max_age_months=max_age_months
            )
        elif rule.kind == STALE_COVERAGE and last_assessed is not None:
            candidates += evaluate_stale_coverage(rule, scores, last_assessed, today=today)
        elif rule.kind == TRIGGER_EVENT:
            candidates += evaluate_trigger_event(rule, trigger_events, today=today)
        elif rule.kind == ONSET_FORECAST:
            candidates += evaluate_onset_forecast(rule, forecasts)
    return candidates


@dataclass(frozen=True)
class OpenAlertRow:
    id: int
    rule_kind: str
    country_id: int


@dataclass(frozen=True)
class ClearedAlert:
    alert_id: int
    reason: str


def alerts_cleared(
    open_alerts: Iterable[OpenAlertRow],
    candidates: Iterable[AlertCandidate],
    *,
    judged: Mapping[str, Iterable[int]],
    scores: Iterable[ScoreRow] = (),
) -> list[ClearedAlert]:
    """Open alerts whose condition was judged again and no longer holds, each with what the evaluation saw instead.

    `judged` names, per condition kind, the countries for which the evaluation had the data to decide; an alert of
    another kind or country is left alone, so a partial evaluation never resolves what it did not look at.
    """
    firing = {(candidate.rule_kind, candidate.country_id) for candidate in candidates}
    judged_sets = {kind: set(countries) for kind, countries in judged.items() if kind in CONDITION_KINDS}
    latest = _latest_per_country(scores)
    cleared = []
    for alert in sorted(open_alerts, key=lambda row: row.id):
        if alert.country_id not in judged_sets.get(alert.rule_kind, ()):
            continue
        if (alert.rule_kind, alert.country_id) in firing:
            continue
        row = latest.get(alert.country_id)
        if alert.rule_kind == SERIOUS_SPECIFIC_INDICATOR:
            reason = "No watched specific-crime indicator is assessed serious any more."
        elif row is not None and row.overall is None:
            reason = f"No score for {row.month:%B %Y}: the overview shows the country as not scored."
        elif row is not None:
            # A score with insufficient data is stored without a band: band rules never fire on it.
            band = BAND_LABELS.get(row.band, row.band) if row.band else "none (insufficient data)"
            reason = f"Latest overall score {row.overall:.1f}, band {band} ({row.month:%B %Y})."
            if alert.rule_kind == STALE_COVERAGE:
                reason = f"Recent assessments back the score again, or its band fell. {reason}"
        else:
            reason = "The rule no longer fires."
        cleared.append(ClearedAlert(alert_id=alert.id, reason=reason))
    return cleared
