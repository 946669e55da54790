"""Reads for the report to Parliament: each section's content for a period, as plain data for both editions.

Content is plain data (see reports.editions): internal fields carry the keys listed in editions.INTERNAL_FIELDS and
items only the internal edition may show carry `internal_only`. Parts owned by other apps that may be absent
(forecasts, data confidence, data-source freshness) come through reports.optional, with a sentence saying what is
missing when their app does not provide them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from alerts.models import (
    RESPONSE_TIME,
    AlertRule,
    AtrocityImpactAssessment,
    Department,
    Escalation,
    ResponseAction,
    TriggerEvent,
    Urgency,
)
from core.bands import BAND_LABELS, BAND_ORDER
from core.models import AuditEvent
from indicators.importers.mappings import SOURCES
from indicators.models import Assessment, Country, CountryScore, DatasetImport, Methodology
from indicators.scoring.core import band_thresholds_of
from indicators.selectors import (
    methodology_active,
)
from reports import optional
from reports.periods import Period
from reports.response_times import (
    DECISION_STATES,
    SUBMISSION_STATES,
    CaseEvent,
    response_summary,
    responses_from_events,
)
from reports.wording import person_name

RISERS_SHOWN = 10


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) aware datetimes."""
    return _day_start(period.start), _day_start(period.end + dt.timedelta(days=1))


# --- Global risk picture ----------------------------------------------------------------------------------------


def _scores_at(*, methodology: Methodology, month: dt.date) -> dict[int, CountryScore]:
    """Each country's latest score at or before the month, by country id (one index probe per country)."""
    latest = (
        CountryScore.objects.filter(country=OuterRef("pk"), methodology=methodology, month__lte=month)
        .order_by("-month")
        .values("pk")[:1]
    )
    ids = Country.objects.annotate(score_id=Subquery(latest)).values("score_id")
    scores = CountryScore.objects.filter(pk__in=ids).select_related("country")
    return {score.country_id: score for score in scores}


def risk_picture(*, period: Period, methodology: Methodology | None) -> dict:
    """Countries by band and data confidence at the period's end, the biggest risers over it, and forecasts."""
    countries_total = Country.objects.count()
    if methodology is None:
        return {"scored": 0, "countries_total": countries_total, "by_band": [], "risers": [], "map_bands": {}}
    end = _scores_at(methodology=methodology, month=period.end_month)
    before = _scores_at(methodology=methodology, month=period.month_before)
    by_band: dict[str, list[dict]] = defaultdict(list)
    map_bands: dict[str, str] = {}
    rows = []
    rated = False
    for country_id, score in end.items():
        confidence = optional.score_confidence(score)
        rated = rated or confidence is not None
        band = "insufficient" if confidence and confidence["insufficient"] else score.band or ""
        row = {
            "iso3": score.country.iso3,
            "name": score.country.name,
            "region": score.country.region,
            "score": score.overall,
            "band": band,
            "month": score.month,
            "confidence": confidence["label"] if confidence else None,
            "coverage": score.coverage,
        }
        previous = before.get(country_id)
        row["before"] = previous.overall if previous else None
        row["change"] = (
            score.overall - previous.overall
            if previous is not None and previous.overall is not None and score.overall is not None
            else None
        )
        rows.append(row)
        if band:
            by_band[band].append(row)
            map_bands[row["iso3"]] = band
    bands = []
    for band in (*reversed(BAND_ORDER), "insufficient"):
        members = sorted(by_band.get(band, []), key=lambda r: (-(r["score"] or 0), r["name"]))
        if members or band != "insufficient":
            bands.append(
                {
                    "band": band,
                    "label": BAND_LABELS.get(band, "Insufficient data"),
                    "count": len(members),
                    # Low-band countries are many and quiet; the report names the others and counts these.
                    "countries": members if band != "low" else [],
                    "confidence_counts": _counts(members, "confidence") if rated else None,
                }
            )
    risers = sorted(
        (row for row in rows if row["change"] is not None and row["change"] > 0.05 and row["band"] != "insufficient"),
        key=lambda r: (-r["change"], r["name"]),
    )[:RISERS_SHOWN]
    forecasts = optional.forecasts_top(limit=15)
    return {
        "month": period.end_month,
        "baseline_month": period.month_before,
        "methodology": {"version": methodology.version, "name": methodology.name},
        "thresholds": dict(band_thresholds_of(methodology.parameters)),
        "scored": len(rows),
        "countries_total": countries_total,
        "band_counts": {entry["band"]: entry["count"] for entry in bands},
        "high_or_very_high": len(by_band.get("high", [])) + len(by_band.get("very_high", [])),
        "by_band": bands,
        "has_confidence": rated,
        "confidence_note": None if rated else optional.ABSENT["confidence"],
        "risers": risers,
        "forecasts": forecasts,
        "forecast_note": None if forecasts is not None else optional.forecast_note(),
        "map_bands": map_bands,
    }


def _counts(rows: list[dict], key: str) -> list[dict]:
    counter = Counter(row[key] or "Unknown" for row in rows)
    return [{"label": label, "count": count} for label, count in sorted(counter.items())]


# --- Declarations of imminent risk and response actions ---------------------------------------------------------


def _action_row(action: ResponseAction, *, as_of: dt.date) -> dict:
    return {
        "tool": action.get_tool_display(),
        "owner": action.owner,
        "due_on": action.due_on,
        "status": action.status,
        "status_label": action.get_status_display(),
        "overdue": action.status in ResponseAction.OPEN_STATUSES and action.due_on < as_of,
        "status_note": action.status_note,
    }


def _actions_by_department(actions: list[ResponseAction], *, as_of: dt.date) -> list[dict]:
    grouped: dict[str, list[ResponseAction]] = defaultdict(list)
    for action in actions:
        grouped[action.lead_department].append(action)
    return [
        {
            "department": label,
            "actions": [_action_row(a, as_of=as_of) for a in sorted(grouped[value], key=lambda a: (a.due_on, a.pk))],
        }
        for value, label in Department.choices
        if value in grouped
    ]


def declarations(*, period: Period) -> list[dict]:
    """Declarations of imminent risk made in the period, and earlier ones whose actions were still open in it."""
    start, end = _period_bounds(period)
    declared = (
        Escalation.objects.filter(state=Escalation.State.IMMINENT_RISK_DECLARED, decided_at__lt=end)
        .select_related("country", "country__desk", "created_by")
        .prefetch_related("actions")
        .order_by("decided_at", "pk")
    )
    deciders = {
        event.escalation_id: event.actor
        for event in AuditEvent.objects.filter(
            kind=AuditEvent.Kind.DECISION, to_state=Escalation.State.IMMINENT_RISK_DECLARED, escalation__in=declared
        ).select_related("actor")
    }
    today = timezone.localdate()
    rows = []
    for escalation in declared:
        actions = list(escalation.actions.all())
        in_period = escalation.decided_at >= start
        active_in_period = any(a.status in ResponseAction.OPEN_STATUSES or a.updated_at >= start for a in actions)
        if not (in_period or active_in_period):
            continue
        counts = Counter(a.status for a in actions)
        rows.append(
            {
                "id": escalation.pk,
                "country": escalation.country.name,
                "iso3": escalation.country.iso3,
                "desk": escalation.country.desk.name if escalation.country.desk else "",
                "declared_on": timezone.localdate(escalation.decided_at),
                "declared_in_period": in_period,
                "urgency": escalation.get_urgency_display(),
                "rationale": escalation.decision_rationale,
                "decided_by": person_name(deciders.get(escalation.pk)),
                "raised_by": person_name(escalation.created_by),
                "case_summary": escalation.summary,
                "risk_assessment": escalation.risk_assessment,
                "evidence_links": list(escalation.evidence_links or []),
                "departments": _actions_by_department(actions, as_of=today),
                "action_counts": [
                    {"label": label, "count": counts[value]}
                    for value, label in ResponseAction.Status.choices
                    if counts[value]
                ],
            }
        )
    return rows


# --- Escalations and response times -----------------------------------------------------------------------------


def escalations_activity(*, period: Period) -> dict:
    """Escalations received and decided in the period, and the Focal Point's response times against the targets."""
    start, end = _period_bounds(period)
    received = list(
        Escalation.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .select_related("country", "country__desk", "created_by")
        .order_by("submitted_at", "pk")
    )
    decisions = list(
        AuditEvent.objects.filter(kind=AuditEvent.Kind.DECISION, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("escalation", "escalation__country", "actor")
        .order_by("occurred_at", "pk")
    )
    state_labels = dict(Escalation.State.choices)
    outcome_counts = Counter(event.to_state for event in decisions)
    events = [
        CaseEvent(escalation_id=e.escalation_id, occurred_at=e.occurred_at, to_state=e.to_state)
        for e in AuditEvent.objects.filter(
            kind__in=[AuditEvent.Kind.TRANSITION, AuditEvent.Kind.DECISION],
            to_state__in=[*SUBMISSION_STATES, *DECISION_STATES],
            occurred_at__lt=end,
            escalation__isnull=False,
        ).only("escalation_id", "occurred_at", "to_state")
    ]
    urgency_of = dict(Escalation.objects.filter(pk__in={e.escalation_id for e in events}).values_list("pk", "urgency"))
    responses = [
        r
        for r in responses_from_events(events, urgency_of=urgency_of, targets=RESPONSE_TIME)
        if start <= r.answered_at < end
    ]
    last_event: dict[int, CaseEvent] = {}
    for event in sorted(events, key=lambda e: e.occurred_at):
        last_event[event.escalation_id] = event
    waiting = [
        (urgency_of[event.escalation_id], event.occurred_at)
        for event in last_event.values()
        if event.to_state in SUBMISSION_STATES
    ]
    drafts = Escalation.objects.filter(state=Escalation.State.DRAFT, created_at__lt=end).count()
    return {
        "received": len(received),
        "received_by_urgency": [
            {"label": label, "count": sum(1 for e in received if e.urgency == value)}
            for value, label in Urgency.choices
        ],
        "decided": len(decisions),
        "decisions_by_outcome": [
            {"label": state_labels[state], "count": outcome_counts[state]}
            for state in DECISION_STATES
            if outcome_counts[state]
        ],
        "response_times": response_summary(
            responses,
            waiting=waiting,
            targets=RESPONSE_TIME,
            labels=dict(Urgency.choices),
            as_of=min(end, timezone.now()),
        ),
        "cases": [
            {
                "id": escalation.pk,
                "country": escalation.country.name,
                "urgency": escalation.get_urgency_display(),
                "submitted_on": timezone.localdate(escalation.submitted_at),
                "state": escalation.get_state_display(),
                "desk": escalation.country.desk.name if escalation.country.desk else "",
                "raised_by": person_name(escalation.created_by),
            }
            for escalation in received
        ],
        "decision_list": [
            {
                "country": event.escalation.country.name,
                "decided_on": timezone.localdate(event.occurred_at),
                "outcome": state_labels.get(event.to_state, event.to_state),
                "decided_by": person_name(event.actor),
            }
            for event in decisions
            if event.escalation is not None
        ],
        "drafts": drafts,
    }


# --- Trigger events and Atrocity Impact Assessments -------------------------------------------------------------


def _aia_row(aia: AtrocityImpactAssessment) -> dict:
    return {
        "country": aia.country.name,
        "trigger": aia.trigger_event.title,
        "opened_on": timezone.localdate(aia.opened_at),
        "due_on": aia.due_on,
        "completed_on": timezone.localdate(aia.completed_at) if aia.completed_at else None,
        "status": aia.get_status_display(),
        "owner": person_name(aia.owner),
        "findings": [{"area": label, "text": text} for _field, label, text in aia.areas if text.strip()],
    }


def triggers_and_aias(*, period: Period) -> dict:
    start, end = _period_bounds(period)
    events = TriggerEvent.objects.filter(occurred_on__gte=period.start, occurred_on__lte=period.end).select_related(
        "country"
    )
    aias = AtrocityImpactAssessment.objects.select_related("country", "owner", "trigger_event")
    opened = aias.filter(opened_at__gte=start, opened_at__lt=end).order_by("opened_at", "pk")
    completed = aias.filter(completed_at__gte=start, completed_at__lt=end).order_by("completed_at", "pk")
    return {
        "events": [
            {
                "country": event.country.name,
                "kind": event.get_kind_display(),
                "title": event.title,
                "occurred_on": event.occurred_on,
                "source_url": event.source_url,
                "internal_note": event.description,
            }
            for event in events.order_by("occurred_on", "pk")
        ],
        "aias_opened": [_aia_row(aia) for aia in opened],
        "aias_completed": [_aia_row(aia) for aia in completed],
        "aias_open_at_end": aias.filter(opened_at__lt=end)
        .filter(Q(completed_at__isnull=True) | Q(completed_at__gte=end))
        .count(),
    }


# --- Methodology and alert-rule changes -------------------------------------------------------------------------


def method_and_rule_changes(*, period: Period) -> dict:
    start, end = _period_bounds(period)
    published = Methodology.objects.filter(published_at__gte=start, published_at__lt=end).order_by("version")
    unpublished = Methodology.objects.filter(published_at__isnull=True, created_at__lt=end).order_by("version")
    rules = AlertRule.objects.filter(published_at__gte=start, published_at__lt=end).order_by("published_at", "kind")
    return {
        "methodologies": [
            {
                "version": m.version,
                "name": m.name,
                "published_on": timezone.localdate(m.published_at),
                "description": m.description,
                "active": m.is_active,
            }
            for m in published
        ]
        + [
            {
                "version": m.version,
                "name": m.name,
                "published_on": None,
                "description": m.description,
                "active": False,
                "internal_only": True,
            }
            for m in unpublished
        ],
        "alert_rules": [
            {
                "name": rule.name,
                "version": rule.version,
                "kind": rule.get_kind_display(),
                "published_on": timezone.localdate(rule.published_at),
                "description": rule.description,
                "replaces_version": rule.version - 1 if rule.version > 1 else None,
            }
            for rule in rules
        ],
    }


# --- Data sources -----------------------------------------------------------------------------------------------


def data_sources(*, as_of: dt.date) -> dict:
    """Each dataset and the analysts' own assessments: how much is held and how recent the latest observation is."""
    freshness = optional.source_freshness(as_of=as_of)
    if freshness is not None:
        return {"rows": freshness, "note": None}
    imports = {
        row["source"]: row
        for row in DatasetImport.objects.not_superseded()
        .filter(status=DatasetImport.Status.SUCCEEDED)
        .values("source")
        .annotate(last_import=Max("finished_at"), imports=Count("id"))
    }
    observed = {
        row["dataset_import__source"]: row
        for row in Assessment.objects.not_superseded()
        .filter(dataset_import__isnull=False)
        .values("dataset_import__source")
        .annotate(latest=Max("observed_on"), assessments=Count("id"))
    }
    rows = []
    for name in sorted(set(imports) | set(observed)):
        source = SOURCES.get(name)
        latest = observed.get(name, {}).get("latest")
        rows.append(
            {
                "name": source.label if source else name,
                "citation": source.citation if source else "",
                "latest_observation": latest,
                "age_months": _months_between(latest, as_of) if latest else None,
                "last_import": timezone.localdate(imports[name]["last_import"])
                if name in imports and imports[name]["last_import"]
                else None,
                "assessments": observed.get(name, {}).get("assessments", 0),
            }
        )
    desk = (
        Assessment.objects.not_superseded()
        .filter(author__isnull=False)
        .aggregate(latest=Max("observed_on"), assessments=Count("id"))
    )
    if desk["assessments"]:
        rows.append(
            {
                "name": "Analysts' own assessments",
                "citation": "Desk officers' judgements with evidence, recorded in Atrocity Watch",
                "latest_observation": desk["latest"],
                "age_months": _months_between(desk["latest"], as_of),
                "last_import": None,
                "assessments": desk["assessments"],
            }
        )
    return {"rows": rows, "note": None}


def _months_between(earlier: dt.date, later: dt.date) -> int:
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month)


# --- The whole report -------------------------------------------------------------------------------------------


def report_content(*, period: Period) -> dict:
    """Everything the report to Parliament says about the period, as plain data for both editions."""
    methodology = methodology_active()
    today = timezone.localdate()
    return {
        "period": {"code": period.code, "label": period.label, "start": period.start, "end": period.end},
        "risk": risk_picture(period=period, methodology=methodology),
        "declarations": declarations(period=period),
        "escalations": escalations_activity(period=period),
        "triggers": triggers_and_aias(period=period),
        "changes": method_and_rule_changes(period=period),
        "sources": data_sources(as_of=today),
    }
