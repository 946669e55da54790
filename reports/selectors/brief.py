"""Reads for a country brief: score, confidence, forecast, trend, drivers in words, evidence, alerts, cases, actions
and the actor network, as plain data for the brief's template."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from alerts.models import (
    Alert,
    Escalation,
    ResponseAction,
    TriggerEvent,
)
from alerts.selectors import escalations_visible_to
from core.bands import BAND_LABELS
from core.models import AuditEvent
from core.months import month_add
from indicators.importers.mappings import SOURCES
from indicators.models import Country
from indicators.scoring.core import band_thresholds_of
from indicators.selectors import (
    country_score_history,
    country_score_latest,
    factor_scores_change,
    factor_scores_for_month,
    indicator_moves,
    indicators_by_factor_for_country,
    methodology_active,
)
from reports import optional
from reports.wording import drivers_in_words, person_name

# --- Country brief ----------------------------------------------------------------------------------------------

TREND_YEARS = 10


def _latest_evidence_per_source(rows: list[dict]) -> list[dict]:
    """The newest assessment from each source (each dataset, and each named source analysts cite), newest first."""
    latest: dict[str, dict] = {}
    counts: Counter = Counter()
    for row in rows:  # newest first
        key = row["dataset_import__source"] or row["source"]
        counts[key] += 1
        latest.setdefault(key, row)
    entries = []
    for key, row in latest.items():
        dataset = SOURCES.get(row["dataset_import__source"] or "")
        entries.append(
            {
                "source": dataset.label if dataset else row["source"],
                "kind": "Dataset" if dataset or row["dataset_import__source"] else "Desk assessment",
                "observed_on": row["observed_on"],
                "indicator_id": row["indicator_id"],
                "severity": row["severity_label"],
                "confidence": row["confidence_label"],
                "evidence": row["evidence"],
                "shown_rows": counts[key],
            }
        )
    return sorted(entries, key=lambda e: e["observed_on"], reverse=True)


def country_brief(*, country: Country, viewer) -> dict:
    """A country's brief: score, confidence, forecast, trend, drivers in words, evidence, alerts, cases, actions."""
    methodology = methodology_active()
    parameters = methodology.parameters if methodology else {}
    thresholds = dict(band_thresholds_of(parameters or None))
    today = timezone.localdate()
    latest = country_score_latest(country=country, methodology=methodology)
    groups, rows = indicators_by_factor_for_country(country=country, parameters=parameters, today=today)
    indicators = {status.indicator.pk: status.indicator for group in groups for status in group.indicators}

    score = None
    factors: list[dict] = []
    moves = []
    trend: list[tuple[dt.date, float | None]] = []
    confidence = optional.score_confidence(latest)
    if latest is not None:
        # Below the published minimum of evidence a score is shown but not banded.
        band = "insufficient" if confidence and confidence["insufficient"] else latest.band
        score = {
            "month": latest.month,
            "overall": latest.overall,
            "band": band,
            "band_label": BAND_LABELS.get(band, "Insufficient data"),
            "coverage": latest.coverage,
            "change_3m": latest.change_3m,
            "change_12m": latest.change_12m,
            "groups": [
                ("Genocide", latest.genocide),
                ("Crimes against humanity", latest.crimes_against_humanity),
                ("War crimes", latest.war_crimes),
                ("Common risk factors", latest.common),
            ],
        }
        changes = factor_scores_change(country=country, methodology=methodology, month=latest.month)
        latest_by_indicator = {
            status.indicator.pk: status
            for group in groups
            for status in group.indicators
            if status.latest and not status.expired
        }
        for factor_score in factor_scores_for_month(country=country, methodology=methodology, month=latest.month):
            factor = factor_score.risk_factor
            top = sorted(
                (s for s in latest_by_indicator.values() if s.indicator.risk_factor_id == factor.pk),
                key=lambda s: (-s.latest["severity"], s.indicator.position),
            )[:2]
            factors.append(
                {
                    "number": factor.number,
                    "name": factor.name,
                    "score": factor_score.score,
                    "coverage": factor_score.coverage,
                    "assessed": factor_score.indicators_assessed,
                    "change_3m": changes.get(factor.number),
                    "top_indicators": [
                        {
                            "code": s.indicator.code,
                            "title": s.indicator.short_title,
                            "severity": s.latest["severity"],
                            "severity_label": s.latest["severity_label"],
                            "observed_on": s.latest["observed_on"],
                            "source": s.latest["source"],
                        }
                        for s in top
                    ],
                }
            )
        window_end = month_add(latest.month, 1) - dt.timedelta(days=1)
        window_start = month_add(window_end.replace(day=1), -2) - dt.timedelta(days=1)
        moves = indicator_moves(rows=rows, indicators=indicators, window_start=window_start, window_end=window_end)
        history = country_score_history(
            countries=[country],
            methodology=methodology,
            since=month_add(latest.month, -12 * TREND_YEARS + 1),
            columns=("month", "overall"),
        )[country.pk]
        trend = [(row["month"], row["overall"]) for row in history]

    evidence = _latest_evidence_per_source(rows)
    for entry in evidence:
        indicator = indicators.get(entry.pop("indicator_id"))
        entry["indicator"] = f"{indicator.code} {indicator.short_title}" if indicator else ""

    forecast = optional.forecast_for_country(country=country)
    visible = escalations_visible_to(viewer).filter(country=country).exclude(state=Escalation.State.DRAFT)
    escalations = list(visible.order_by("-created_at")[:10])
    deciders = {
        event.escalation_id: event.actor
        for event in AuditEvent.objects.filter(kind=AuditEvent.Kind.DECISION, escalation__in=escalations)
        .select_related("actor")
        .order_by("occurred_at")
    }
    actions = list(
        ResponseAction.objects.filter(country=country, escalation__in=visible).order_by("status", "due_on", "pk")
    )
    return {
        "country": {
            "iso3": country.iso3,
            "name": country.name,
            "region": country.region,
            "subregion": country.subregion,
            "desk": country.desk.name if country.desk else "",
        },
        "methodology": {"version": methodology.version, "name": methodology.name} if methodology else None,
        "thresholds": thresholds,
        "score": score,
        "confidence": confidence,
        "confidence_note": None if confidence else optional.ABSENT["confidence"],
        "forecast": forecast,
        "forecast_note": None if forecast else optional.forecast_note(),
        "trend": trend,
        "drivers": drivers_in_words(score=score, factors=factors, moves=moves, thresholds=thresholds),
        "factors": sorted(factors, key=lambda f: -(f["score"] or -1))[:5],
        "evidence": evidence,
        "alerts": [
            {
                "raised_on": timezone.localdate(alert.raised_at),
                "rule": alert.get_rule_kind_display(),
                "message": alert.message,
                "status": alert.get_status_display(),
            }
            for alert in Alert.objects.filter(country=country, status__in=Alert.OPEN_STATUSES).order_by("-raised_at")
        ],
        "escalations": [
            {
                "id": escalation.pk,
                "state": escalation.get_state_display(),
                "urgency": escalation.get_urgency_display(),
                "submitted_on": timezone.localdate(escalation.submitted_at) if escalation.submitted_at else None,
                "decided_on": timezone.localdate(escalation.decided_at) if escalation.decided_at else None,
                "rationale": escalation.decision_rationale,
                "decided_by": person_name(deciders.get(escalation.pk)),
                "summary": escalation.summary,
            }
            for escalation in escalations
        ],
        "actions": [
            {
                "tool": action.get_tool_display(),
                "department": action.get_lead_department_display(),
                "owner": action.owner,
                "due_on": action.due_on,
                "status": action.get_status_display(),
                "overdue": action.is_overdue,
            }
            for action in actions
        ],
        "triggers": [
            {
                "kind": event.get_kind_display(),
                "title": event.title,
                "occurred_on": event.occurred_on,
                "aia": getattr(event, "impact_assessment", None) and event.impact_assessment.get_status_display(),
            }
            for event in TriggerEvent.objects.filter(country=country)
            .select_related("impact_assessment")
            .order_by("-occurred_on")[:5]
        ],
        "network": optional.network_summary(country=country),
    }
