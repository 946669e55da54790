"""Writes for alerts and escalations: every state change, notification and audit entry goes through here.

The escalation workflow is one transition table (TRANSITIONS); `escalation_transition` is the only code that moves
an escalation between states, and it refuses anything the table does not allow, changing nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from alerts import rules as rule_engine
from alerts.models import (
    AIA_AREAS,
    RESPONSE_TIME,
    Alert,
    AlertRule,
    AtrocityImpactAssessment,
    AuditEvent,
    Department,
    Escalation,
    Notification,
    ResponseAction,
    RuleKind,
    Tool,
    TriggerEvent,
    Urgency,
)
from alerts.selectors import country_scores_snapshot, focal_points
from atrocity_watch.roles import (
    Role,
    can_administer,
    can_decide,
    can_edit_impact_assessment,
    can_escalate,
    can_handle_alert,
    can_record_trigger_event,
    can_update_response_action,
    has_role,
    is_desk_analyst,
)
from indicators.models import Assessment, Country, CountryScore, DatasetImport, ScoreRun
from indicators.scoring.core import max_age_months_of
from indicators.selectors import methodology_active

logger = logging.getLogger(__name__)

State = Escalation.State
REMINDER_INTERVAL = dt.timedelta(hours=24)


class EscalationTransitionError(ValidationError):
    """The transition is not allowed from the escalation's current state; nothing was changed."""


class EscalationAlreadyClaimed(EscalationTransitionError):
    """Another focal point claimed the escalation first."""


# --------------------------------------------------------------------------------------------------------------
# Audit trail


def audit_record(
    *,
    kind: str,
    summary: str,
    actor=None,
    country: Country | None = None,
    escalation: Escalation | None = None,
    alert: Alert | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one entry to the audit trail; entries are never changed or deleted."""
    return AuditEvent.objects.create(
        kind=kind,
        summary=summary[:500],
        actor=actor,
        country=country or (escalation.country if escalation else alert.country if alert else None),
        escalation=escalation,
        alert=alert,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details or {},
    )


def assessment_audit(*, assessment: Assessment) -> AuditEvent:
    return audit_record(
        kind=AuditEvent.Kind.ASSESSMENT_RECORDED,
        actor=assessment.author,
        country=assessment.country,
        summary=(
            f"Indicator {assessment.indicator.code} assessed {assessment.get_severity_display().lower()} "
            f"({assessment.get_confidence_display().lower()} confidence) for {assessment.observed_on:%d %B %Y}."
        ),
        details={"assessment_id": assessment.pk, "source": assessment.source},
    )


def assessments_import_audit(*, dataset_import: DatasetImport, country_ids: Iterable[int]) -> int:
    created = 0
    for country in Country.objects.filter(pk__in=list(country_ids)):
        audit_record(
            kind=AuditEvent.Kind.ASSESSMENTS_IMPORTED,
            actor=dataset_import.started_by,
            country=country,
            summary=f"Assessments imported from {dataset_import.source} ({dataset_import.file_name}).",
            details={"dataset_import_id": dataset_import.pk},
        )
        created += 1
    return created


# --------------------------------------------------------------------------------------------------------------
# Alert rules and alerts


def alert_rule_publish(*, kind: str, name: str, description: str, parameters: dict, actor=None) -> AlertRule:
    """Publish a new version of a rule; the previous version of the same kind stops firing."""
    if actor is not None and not can_administer(actor):
        raise PermissionDenied("Only administrators manage alert rules.")
    errors = rule_engine.rule_parameters_errors(kind, parameters)
    if not name.strip() or not description.strip():
        errors.append("A rule needs a name and a plain-words description for the methodology page.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        previous = (
            AlertRule.objects.select_for_update(of=("self",))
            .filter(kind=kind)
            .aggregate(Max("version"))["version__max"]
        )
        AlertRule.objects.filter(kind=kind, is_active=True).update(is_active=False)
        rule = AlertRule.objects.create(
            kind=kind,
            version=(previous or 0) + 1,
            name=name.strip(),
            description=description.strip(),
            parameters=parameters,
            is_active=True,
            created_by=actor,
        )
        audit_record(
            kind=AuditEvent.Kind.RULE_PUBLISHED,
            actor=actor,
            summary=f"Alert rule '{rule.name}' version {rule.version} published.",
            details={"rule_id": rule.pk, "parameters": parameters},
        )
    return rule


def _rule_rows(rules: Iterable[AlertRule]) -> list[rule_engine.Rule]:
    return [rule_engine.Rule(id=rule.pk, kind=rule.kind, parameters=rule.parameters) for rule in rules]


def _months_before(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + (month.month - 1) - months
    return dt.date(index // 12, index % 12 + 1, 1)


def alerts_evaluate(
    *,
    run: ScoreRun | None = None,
    country_ids: Sequence[int] | None = None,
    kinds: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> list[Alert]:
    """Evaluate the active rules for the run's (or the given) countries and open the alerts that fire."""
    today = today or timezone.localdate()
    active = AlertRule.objects.filter(is_active=True)
    if kinds is not None:
        active = active.filter(kind__in=list(kinds))
    active_rules = list(active)
    if not active_rules:
        return []
    countries = Country.objects.all()
    if run is not None and run.country_scope:
        countries = countries.filter(iso3__in=[code.upper() for code in run.country_scope])
    if country_ids is not None:
        countries = countries.filter(pk__in=list(country_ids))
    scope = list(countries.values_list("pk", flat=True))
    kinds_in_use = {rule.kind for rule in active_rules}

    methodology = run.methodology if run is not None else methodology_active()
    scores: list[rule_engine.ScoreRow] = []
    if kinds_in_use & {RuleKind.BAND_REACHED, RuleKind.SHARP_RISE, RuleKind.STALE_COVERAGE}:
        if methodology is not None:
            score_rows = CountryScore.objects.filter(methodology=methodology, country_id__in=scope)
            latest_month = score_rows.aggregate(Max("month"))["month__max"]
            if latest_month is not None:
                window = max(
                    [int(rule.parameters.get("months", 3)) for rule in active_rules if rule.kind == RuleKind.SHARP_RISE]
                    or [3]
                )
                since = _months_before(latest_month, window + 12)
                scores = [
                    rule_engine.ScoreRow(country_id=c, month=m, overall=o, band=b)
                    for c, m, o, b in score_rows.filter(month__gte=since).values_list(
                        "country_id", "month", "overall", "band"
                    )
                ]

    assessments: list[rule_engine.AssessmentRow] = []
    serious_rules = [rule for rule in active_rules if rule.kind == RuleKind.SERIOUS_SPECIFIC_INDICATOR]
    if serious_rules:
        factors = sorted({factor for rule in serious_rules for factor in rule.parameters.get("factors", [])})
        assessments = [
            rule_engine.AssessmentRow(
                id=pk, country_id=c, indicator_code=code, risk_factor=f, observed_on=o, recorded_at=r, severity=s
            )
            for pk, c, code, f, o, r, s in Assessment.objects.filter(
                country_id__in=scope, indicator__risk_factor__number__in=factors
            ).values_list(
                "pk",
                "country_id",
                "indicator__code",
                "indicator__risk_factor__number",
                "observed_on",
                "recorded_at",
                "severity",
            )
        ]

    trigger_events: list[rule_engine.TriggerEventRow] = []
    trigger_rules = [rule for rule in active_rules if rule.kind == RuleKind.TRIGGER_EVENT]
    if trigger_rules:
        horizon = max(int(rule.parameters.get("max_age_days", 365)) for rule in trigger_rules)
        labels = dict(TriggerEvent.Kind.choices)
        trigger_events = [
            rule_engine.TriggerEventRow(
                id=pk, country_id=c, kind=k, kind_label=labels.get(k, k), title=t, occurred_on=o, recorded_at=r
            )
            for pk, c, k, t, o, r in TriggerEvent.objects.filter(
                country_id__in=scope, occurred_on__gte=today - dt.timedelta(days=horizon)
            ).values_list("pk", "country_id", "kind", "title", "occurred_on", "recorded_at")
        ]

    last_assessed = None
    if RuleKind.STALE_COVERAGE in kinds_in_use:
        last_assessed = {pk: None for pk in scope}
        last_assessed.update(
            dict(
                Assessment.objects.filter(country_id__in=scope)
                .values("country_id")
                .annotate(last=Max("observed_on"))
                .values_list("country_id", "last")
            )
        )

    candidates = rule_engine.evaluate_rules(
        _rule_rows(active_rules),
        scores=scores,
        assessments=assessments,
        last_assessed=last_assessed,
        trigger_events=trigger_events,
        today=today,
        max_age_months=max_age_months_of(methodology.parameters if methodology is not None else None),
    )
    if run is not None:
        # A score run judges every condition afresh: what it no longer finds is resolved, with the run named.
        scored = {row.country_id for row in scores}
        judged = {
            kind: scope if kind == RuleKind.SERIOUS_SPECIFIC_INDICATOR else scored
            for kind in kinds_in_use
            if kind in rule_engine.CONDITION_KINDS
        }
        open_alerts = [
            rule_engine.OpenAlertRow(id=pk, rule_kind=kind, country_id=country_id)
            for pk, kind, country_id in Alert.objects.filter(
                status__in=Alert.OPEN_STATUSES, rule_kind__in=list(judged), country_id__in=scope
            ).values_list("pk", "rule_kind", "country_id")
        ]
        for cleared in rule_engine.alerts_cleared(open_alerts, candidates, judged=judged, scores=scores):
            alert_resolve(alert_id=cleared.alert_id, run=run, reason=cleared.reason)
    raised = []
    for candidate in candidates:
        alert = alert_raise(candidate=candidate, run=run)
        if alert is not None:
            raised.append(alert)
    return raised


def alert_raise(*, candidate: rule_engine.AlertCandidate, run: ScoreRun | None = None) -> Alert | None:
    """Open an alert unless one is already open for the rule and country, or a person already handled this same
    finding. A finding that cleared by itself (resolved) and comes back raises a new alert."""
    seen = Alert.objects.filter(rule_kind=candidate.rule_kind, country_id=candidate.country_id).filter(
        Q(status__in=Alert.OPEN_STATUSES) | (Q(fingerprint=candidate.fingerprint) & ~Q(status=Alert.Status.RESOLVED))
    )
    if seen.exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule_id=candidate.rule_id,
                rule_kind=candidate.rule_kind,
                country_id=candidate.country_id,
                message=candidate.message[:500],
                fingerprint=candidate.fingerprint[:200],
                details=candidate.details,
                run=run,
            )
            audit_record(
                kind=AuditEvent.Kind.ALERT_RAISED,
                alert=alert,
                country=alert.country,
                summary=f"{alert.get_rule_kind_display()}: {alert.message}",
            )
    except IntegrityError:
        # Another evaluation opened the same alert a moment ago; one open alert per rule and country.
        return None
    return alert


def alert_resolve(*, alert_id: int, run: ScoreRun, reason: str) -> Alert | None:
    """Resolve an open alert whose condition a score run no longer finds; None if someone handled it meanwhile."""
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",)).select_related("country", "rule").get(pk=alert_id)
        if not locked.is_open:
            return None
        locked.status = Alert.Status.RESOLVED
        locked.handled_by = None
        locked.handled_at = timezone.now()
        locked.resolved_by_run = run
        locked.save(update_fields=["status", "handled_by", "handled_at", "resolved_by_run"])
        audit_record(
            kind=AuditEvent.Kind.ALERT_RESOLVED,
            alert=locked,
            country=locked.country,
            summary=(
                f"Alert resolved: '{locked.rule.name}' no longer fires after score run {run.pk}. "
                f"It had said: {locked.message}"
            ),
            reason=reason,
            details={"run_id": run.pk},
        )
    return locked


def _alert_handle(*, alert: Alert, user, status: str, kind: str, summary: str, reason: str = "") -> Alert:
    if not can_handle_alert(user, alert.country):
        raise PermissionDenied(f"Only analysts of {alert.country.name}'s desk and the Focal Point handle its alerts.")
    with transaction.atomic():
        locked = Alert.objects.select_for_update(of=("self",)).get(pk=alert.pk)
        if not locked.is_open:
            raise ValidationError(f"This alert is already {locked.get_status_display().lower()}.")
        if status == Alert.Status.ACKNOWLEDGED and locked.status == Alert.Status.ACKNOWLEDGED:
            raise ValidationError("This alert is already acknowledged.")
        locked.status = status
        locked.handled_by = user
        locked.handled_at = timezone.now()
        locked.dismissal_reason = reason
        locked.save(update_fields=["status", "handled_by", "handled_at", "dismissal_reason"])
        audit_record(kind=kind, actor=user, alert=locked, country=locked.country, summary=summary, reason=reason)
    return locked


def alert_acknowledge(*, alert: Alert, user) -> Alert:
    return _alert_handle(
        alert=alert,
        user=user,
        status=Alert.Status.ACKNOWLEDGED,
        kind=AuditEvent.Kind.ALERT_ACKNOWLEDGED,
        summary=f"Alert acknowledged: {alert.message}",
    )


def alert_dismiss(*, alert: Alert, user, reason: str) -> Alert:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this alert is dismissed."})
    return _alert_handle(
        alert=alert,
        user=user,
        status=Alert.Status.DISMISSED,
        kind=AuditEvent.Kind.ALERT_DISMISSED,
        summary=f"Alert dismissed: {alert.message}",
        reason=reason.strip(),
    )


# --------------------------------------------------------------------------------------------------------------
# Escalations: drafting


def _clean_escalation_fields(
    *, summary: str, risk_assessment: str, evidence_links: Sequence[str], recommended_responses: Sequence[str], urgency
) -> dict:
    errors: dict[str, list[str]] = {}
    if not (summary or "").strip():
        errors["summary"] = ["Write a short summary of the case."]
    if not (risk_assessment or "").strip():
        errors["risk_assessment"] = ["Write the risk assessment: what is happening and why it points to atrocity risk."]
    links = [link.strip() for link in evidence_links if link and link.strip()]
    validate = URLValidator(schemes=["http", "https"])
    bad = []
    for link in links:
        try:
            validate(link)
        except ValidationError:
            bad.append(link)
    if bad:
        errors["evidence_links"] = [f"Not a web address (http:// or https://): {', '.join(bad)}."]
    unknown = [code for code in recommended_responses if code not in Tool.values]
    if unknown:
        errors["recommended_responses"] = [f"Not in the prevention toolkit: {', '.join(unknown)}."]
    if urgency not in Urgency.values:
        errors["urgency"] = [f"Urgency must be urgent, high or routine; got {urgency!r}."]
    if errors:
        raise ValidationError(errors)
    return {
        "summary": summary.strip(),
        "risk_assessment": risk_assessment.strip(),
        "evidence_links": links,
        "recommended_responses": list(dict.fromkeys(recommended_responses)),
        "urgency": urgency,
    }


def escalation_create(
    *,
    country: Country,
    user,
    summary: str,
    risk_assessment: str,
    evidence_links: Sequence[str] = (),
    recommended_responses: Sequence[str] = (),
    urgency: str = Urgency.ROUTINE,
    alert: Alert | None = None,
    submit: bool = False,
) -> Escalation:
    """Draft an escalation; only analysts of the country's desk may. An open alert it answers is linked to it and
    stays open until the case is submitted: a draft nobody submits must not bury the warning.

    With submit=True the draft goes straight to the Focal Point in the same transaction: if the submission is
    refused, nothing is kept (no orphan draft, the alert stays open) and the error reaches the caller.
    """
    if not can_escalate(user, country):
        raise PermissionDenied(f"Only analysts of the desk that owns {country.name} may escalate it.")
    fields = _clean_escalation_fields(
        summary=summary,
        risk_assessment=risk_assessment,
        evidence_links=evidence_links,
        recommended_responses=recommended_responses,
        urgency=urgency,
    )
    if alert is not None and alert.country_id != country.pk:
        raise ValidationError(f"That alert is about {alert.country.name}, not {country.name}.")
    with transaction.atomic():
        escalation = Escalation.objects.create(country=country, created_by=user, alert=alert, **fields)
        audit_record(
            kind=AuditEvent.Kind.ESCALATION_CREATED,
            actor=user,
            escalation=escalation,
            to_state=State.DRAFT,
            summary=f"Escalation drafted; urgency: {escalation.get_urgency_display().lower()}.",
        )
        if alert is not None:
            locked = Alert.objects.select_for_update(of=("self",)).get(pk=alert.pk)
            if not locked.is_open:
                raise ValidationError(f"This alert is already {locked.get_status_display().lower()}.")
        if submit:
            escalation = escalation_transition(escalation=escalation, action="submit", user=user)
    return escalation


EDITABLE_STATES = (State.DRAFT, State.MORE_INFORMATION_REQUESTED)


def escalation_update(
    *,
    escalation: Escalation,
    user,
    summary: str,
    risk_assessment: str,
    evidence_links: Sequence[str] = (),
    recommended_responses: Sequence[str] = (),
    urgency: str = Urgency.ROUTINE,
) -> Escalation:
    """Edit a draft, or a case the Focal Point returned for more information."""
    if not can_escalate(user, escalation.country):
        raise PermissionDenied(f"Only analysts of the desk that owns {escalation.country.name} may edit its cases.")
    fields = _clean_escalation_fields(
        summary=summary,
        risk_assessment=risk_assessment,
        evidence_links=evidence_links,
        recommended_responses=recommended_responses,
        urgency=urgency,
    )
    with transaction.atomic():
        locked = Escalation.objects.select_for_update(of=("self",)).get(pk=escalation.pk)
        if locked.state not in EDITABLE_STATES:
            raise EscalationTransitionError(
                f"Escalation {locked.pk} is {locked.get_state_display().lower()}; it can be edited only as a draft "
                "or when more information was requested."
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        audit_record(kind=AuditEvent.Kind.ESCALATION_EDITED, actor=user, escalation=locked, summary="Case edited.")
    return locked


# --------------------------------------------------------------------------------------------------------------
# Escalations: the state machine


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    actor: str  # "desk_analyst" or "focal_point"
    needs_reason: bool
    is_decision: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", "submit", (State.DRAFT,), State.SUBMITTED, "desk_analyst", False),
        Transition("claim", "claim", (State.SUBMITTED, State.RESUBMITTED), State.UNDER_REVIEW, "focal_point", False),
        Transition(
            "request_information",
            "request more information on",
            (State.UNDER_REVIEW,),
            State.MORE_INFORMATION_REQUESTED,
            "focal_point",
            True,
            True,
        ),
        Transition(
            "resubmit", "resubmit", (State.MORE_INFORMATION_REQUESTED,), State.RESUBMITTED, "desk_analyst", True
        ),
        Transition(
            "declare_imminent_risk",
            "declare imminent risk on",
            (State.UNDER_REVIEW, State.MONITORING),
            State.IMMINENT_RISK_DECLARED,
            "focal_point",
            True,
            True,
        ),
        Transition(
            "monitor", "put under monitoring", (State.UNDER_REVIEW,), State.MONITORING, "focal_point", True, True
        ),
        Transition("close", "close", (State.UNDER_REVIEW, State.MONITORING), State.CLOSED, "focal_point", True, True),
    )
}
DECISIONS = {action: t for action, t in TRANSITIONS.items() if t.is_decision}


def transitions_available(escalation: Escalation, user) -> list[Transition]:
    """The transitions this user may make on this escalation now (drives which buttons a page shows)."""
    available = []
    for transition in TRANSITIONS.values():
        if escalation.state not in transition.sources:
            continue
        try:
            _check_actor(transition, escalation, user)
        except PermissionDenied:
            continue
        available.append(transition)
    return available


def _state_labels(states: Iterable[str]) -> str:
    return " or ".join(State(state).label.lower() for state in states)


def _check_actor(transition: Transition, escalation: Escalation, user) -> None:
    if transition.actor == "desk_analyst":
        if not is_desk_analyst(user, escalation.country):
            raise PermissionDenied(
                f"Only analysts of the desk that owns {escalation.country.name} may {transition.label} this case."
            )
    elif not can_decide(user):
        raise PermissionDenied(f"Only the R2P Focal Point may {transition.label} an escalation.")
    elif transition.action != "claim" and escalation.claimed_by_id not in (None, user.pk):
        raise PermissionDenied(
            f"Escalation {escalation.pk} is claimed by {escalation.claimed_by}; only they may decide on it."
        )


def _check_state(transition: Transition, escalation: Escalation) -> None:
    if escalation.state not in transition.sources:
        raise EscalationTransitionError(
            f"Cannot {transition.label} escalation {escalation.pk}: it is "
            f"{escalation.get_state_display().lower()}. That is possible only when it is "
            f"{_state_labels(transition.sources)}."
        )


def _alert_escalated(*, escalation: Escalation, user) -> None:
    """On submission: the alert the case answers, if still open, is marked escalated (once, by the first case)."""
    alert = Alert.objects.select_for_update(of=("self",)).filter(pk=escalation.alert_id).first()
    if alert is None or not alert.is_open:
        return
    alert.status = Alert.Status.ESCALATED
    alert.handled_by = user
    alert.handled_at = timezone.now()
    alert.save(update_fields=["status", "handled_by", "handled_at"])
    audit_record(
        kind=AuditEvent.Kind.ALERT_ESCALATED,
        actor=user,
        alert=alert,
        escalation=escalation,
        summary=f"Alert turned into escalation {escalation.pk}: {alert.message}",
    )


def escalation_transition(
    *,
    escalation: Escalation,
    action: str,
    user,
    reason: str = "",
    actions: Sequence[dict] = (),
) -> Escalation:
    """Move an escalation along the transition table, or refuse with a clear error and change nothing."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise EscalationTransitionError(f"Unknown action {action!r}; choose one of {', '.join(TRANSITIONS)}.")
    if action == "claim":
        return escalation_claim(escalation_id=escalation.pk, user=user)
    _check_actor(transition, escalation, user)
    _check_state(transition, escalation)
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        what = "rationale" if transition.is_decision else "note on what was added"
        raise ValidationError({"reason": f"Write a {what}: it is kept with the case."})
    cleaned_actions = _clean_actions(actions) if action == "declare_imminent_risk" else []

    now = timezone.now()
    with transaction.atomic():
        locked = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("country", "claimed_by")
            .get(pk=escalation.pk)
        )
        _check_actor(transition, locked, user)
        _check_state(transition, locked)
        source = locked.state
        locked.state = transition.target
        changed = ["state"]
        if action == "submit":
            locked.scores_snapshot = country_scores_snapshot(locked.country)
            locked.submitted_at = now
            locked.awaiting_since = now
            changed += ["scores_snapshot", "submitted_at", "awaiting_since"]
            if locked.alert_id is not None:
                _alert_escalated(escalation=locked, user=user)
        elif action == "resubmit":
            # Back to the queue: any focal point may pick it up again, and the response clock restarts.
            locked.awaiting_since = now
            locked.claimed_by = None
            locked.claimed_at = None
            locked.last_reminded_at = None
            changed += ["awaiting_since", "claimed_by", "claimed_at", "last_reminded_at"]
        if transition.is_decision:
            locked.decided_at = now
            locked.decision_rationale = reason
            changed += ["decided_at", "decision_rationale"]
        locked.save(update_fields=changed)
        audit_record(
            kind=AuditEvent.Kind.DECISION if transition.is_decision else AuditEvent.Kind.TRANSITION,
            actor=user,
            escalation=locked,
            from_state=source,
            to_state=locked.state,
            reason=reason,
            summary=f"{State(source).label} → {locked.get_state_display()}.",
        )
        for cleaned in cleaned_actions:
            response_action = ResponseAction.objects.create(
                escalation=locked, country=locked.country, created_by=user, **cleaned
            )
            audit_record(
                kind=AuditEvent.Kind.ACTION_CREATED,
                actor=user,
                escalation=locked,
                summary=(
                    f"Response action: {response_action.get_tool_display()}, led by "
                    f"{response_action.get_lead_department_display()} ({response_action.owner}), due "
                    f"{response_action.due_on:%d %B %Y}."
                ),
                details={"action_id": response_action.pk},
            )
        if action in ("submit", "resubmit"):
            _notify_focal_points(escalation=locked, resubmitted=action == "resubmit", note=reason)
        elif transition.is_decision:
            _notify_decision(escalation=locked, decided_by=user)
    return locked


def escalation_submit(*, escalation: Escalation, user) -> Escalation:
    return escalation_transition(escalation=escalation, action="submit", user=user)


def escalation_resubmit(*, escalation: Escalation, user, note: str) -> Escalation:
    return escalation_transition(escalation=escalation, action="resubmit", user=user, reason=note)


def escalation_decide(
    *, escalation: Escalation, user, decision: str, rationale: str, actions: Sequence[dict] = ()
) -> Escalation:
    if decision not in DECISIONS:
        raise EscalationTransitionError(f"Unknown decision {decision!r}; choose one of {', '.join(DECISIONS)}.")
    return escalation_transition(escalation=escalation, action=decision, user=user, reason=rationale, actions=actions)


def escalation_claim(*, escalation_id: int, user) -> Escalation:
    """Claim a case for review with one conditional UPDATE, so of two focal points exactly one wins."""
    transition = TRANSITIONS["claim"]
    escalation = Escalation.objects.select_related("country", "claimed_by").get(pk=escalation_id)
    _check_actor(transition, escalation, user)
    now = timezone.now()
    with transaction.atomic():
        won = Escalation.objects.filter(pk=escalation_id, claimed_by__isnull=True, state__in=transition.sources).update(
            state=transition.target, claimed_by=user, claimed_at=now
        )
        if not won:
            current = Escalation.objects.select_related("claimed_by").get(pk=escalation_id)
            if current.claimed_by_id is not None and current.claimed_by_id != user.pk:
                raise EscalationAlreadyClaimed(
                    f"Escalation {escalation_id} was already claimed by "
                    f"{current.claimed_by.get_full_name() or current.claimed_by.username}."
                )
            _check_state(transition, current)
            raise EscalationTransitionError(f"Escalation {escalation_id} could not be claimed.")
        claimed = Escalation.objects.select_related("country", "claimed_by").get(pk=escalation_id)
        audit_record(
            kind=AuditEvent.Kind.TRANSITION,
            actor=user,
            escalation=claimed,
            from_state=escalation.state,
            to_state=claimed.state,
            summary=f"{State(escalation.state).label} → {claimed.get_state_display()} (claimed for review).",
        )
    return claimed


def _clean_actions(actions: Sequence[dict]) -> list[dict]:
    errors = []
    cleaned = []
    today = timezone.localdate()
    for number, raw in enumerate(actions, start=1):
        tool = raw.get("tool")
        department = raw.get("lead_department")
        owner = (raw.get("owner") or "").strip()
        owner_account = raw.get("owner_account")
        due_on = raw.get("due_on")
        problems = []
        if owner_account is not None and not (owner_account.is_active and has_role(owner_account, *Role)):
            problems.append("the owner's account must be an active user with a role")
        if tool not in Tool.values:
            problems.append("choose a tool from the toolkit")
        if department not in Department.values:
            problems.append("choose a lead department")
        if not owner:
            problems.append("name an owner")
        if not isinstance(due_on, dt.date):
            problems.append("give a due date")
        elif due_on < today:
            problems.append(f"the due date {due_on:%d %B %Y} is in the past")
        if problems:
            errors.append(f"Action {number}: {'; '.join(problems)}.")
        else:
            cleaned.append(
                {
                    "tool": tool,
                    "lead_department": department,
                    "owner": owner,
                    "owner_account": owner_account,
                    "due_on": due_on,
                }
            )
    if not actions:
        errors.append("Declaring imminent risk sets response actions in motion: add at least one.")
    if errors:
        raise ValidationError({"actions": errors})
    return cleaned


def response_action_set_status(*, action: ResponseAction, user, status: str, note: str) -> ResponseAction:
    """Move an action along planned -> in progress -> done or cancelled, with a note kept in the audit trail.

    Who may: atrocity_watch.roles.can_update_response_action, i.e. the Focal Point and the action's owner account,
    whatever its role. Owners from other departments often hold only the viewer role; updating their own action's
    status is deliberately allowed.
    """
    if not can_update_response_action(user, owner_account_id=action.owner_account_id):
        raise PermissionDenied("Only the action's owner and the R2P Focal Point update a response action.")
    labels = dict(ResponseAction.Status.choices)
    if status not in labels:
        raise ValidationError({"status": f"Status must be one of {', '.join(labels.values()).lower()}."})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Add a note on what changed: it is kept with the action."})
    with transaction.atomic():
        locked = (
            ResponseAction.objects.select_for_update(of=("self",))
            .select_related("escalation", "country")
            .get(pk=action.pk)
        )
        allowed = ResponseAction.NEXT_STATUSES[ResponseAction.Status(locked.status)]
        if status not in allowed:
            current = locked.get_status_display().lower()
            if not allowed:
                message = f"This action is {current}; its status can no longer change."
            else:
                names = [labels[value].lower() for value in allowed]
                choices = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
                message = f"This action is {current}; it can move only to {choices}."
            raise ValidationError({"status": message})
        previous, previous_label = locked.status, locked.get_status_display()
        locked.status = status
        locked.status_note = note
        locked.status_changed_by = user
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "status_note", "status_changed_by", "updated_at"])
        audit_record(
            kind=AuditEvent.Kind.ACTION_STATUS,
            actor=user,
            escalation=locked.escalation,
            summary=f"{locked.get_tool_display()} ({locked.get_lead_department_display()}, {locked.owner}): "
            f"{previous_label} → {locked.get_status_display()}.",
            reason=note,
            details={"action_id": locked.pk, "from_status": previous, "to_status": status},
        )
    return locked


# --------------------------------------------------------------------------------------------------------------
# Notifications


def _absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _display_name(user) -> str:
    return user.get_full_name() or user.username


def _notify(*, recipients: Iterable, escalation: Escalation, topic: str, subject: str, body: str) -> list[Notification]:
    """Record an in-app and an email notification per recipient; emails go out after the transaction commits."""
    from alerts.tasks import notification_send_email

    now = timezone.now()
    created = []
    for recipient in recipients:
        created.append(
            Notification.objects.create(
                recipient=recipient,
                escalation=escalation,
                topic=topic,
                channel=Notification.Channel.IN_APP,
                subject=subject,
                body=body,
                sent_at=now,
            )
        )
        if recipient.email:
            email = Notification.objects.create(
                recipient=recipient,
                escalation=escalation,
                topic=topic,
                channel=Notification.Channel.EMAIL,
                address=recipient.email,
                subject=subject,
                body=body,
            )
            created.append(email)
            transaction.on_commit(lambda pk=email.pk: notification_send_email.delay(pk))
    return created


def _case_lines(escalation: Escalation) -> list[str]:
    snapshot = escalation.scores_snapshot or {}
    score = (
        f"Overall score {snapshot['overall']:.1f} ({snapshot.get('band_label') or snapshot.get('band')}), "
        f"{snapshot['month'][:7]}"
        if snapshot.get("overall") is not None
        else "No scores yet"
    )
    due = escalation.response_due_at
    lines = [
        f"Country: {escalation.country.name} ({escalation.country.iso3})",
        f"Urgency: {escalation.get_urgency_display()}",
        f"Raised by: {_display_name(escalation.created_by)}",
        f"Scores at submission: {score}",
    ]
    if due:
        lines.append(f"Response due: {timezone.localtime(due):%d %B %Y %H:%M %Z}")
    lines += ["", "Summary:", escalation.summary]
    return lines


def _notify_focal_points(*, escalation: Escalation, resubmitted: bool, note: str = "") -> list[Notification]:
    verb = "Resubmitted" if resubmitted else "New"
    subject = (
        f"[Atrocity Watch] {verb} {escalation.get_urgency_display().lower()} escalation: "
        f"{escalation.country.name} (#{escalation.pk})"
    )
    lines = _case_lines(escalation)
    if resubmitted and note:
        lines += ["", "What the analyst added:", note]
    lines += ["", f"Review it: {_absolute_url(reverse('alerts:escalation_detail', args=[escalation.pk]))}"]
    return _notify(
        recipients=focal_points(),
        escalation=escalation,
        topic=Notification.Topic.RESUBMITTED if resubmitted else Notification.Topic.SUBMITTED,
        subject=subject,
        body="\n".join(lines),
    )


def _notify_decision(*, escalation: Escalation, decided_by) -> list[Notification]:
    recipients = {escalation.created_by.pk: escalation.created_by}
    if escalation.country.desk_id:
        for analyst in escalation.country.desk.analysts.filter(is_active=True, groups__name=Role.ANALYST.value):
            recipients.setdefault(analyst.pk, analyst)
    subject = (
        f"[Atrocity Watch] Decision on {escalation.country.name} (#{escalation.pk}): "
        f"{escalation.get_state_display().lower()}"
    )
    lines = [
        f"{_display_name(decided_by)} decided: {escalation.get_state_display()}.",
        "",
        "Rationale:",
        escalation.decision_rationale,
    ]
    actions = list(escalation.actions.all())
    if actions:
        lines += ["", "Response actions:"]
        lines += [
            f"- {a.get_tool_display()}: {a.get_lead_department_display()}, {a.owner}, due {a.due_on:%d %B %Y}"
            for a in actions
        ]
    lines += ["", f"See the case: {_absolute_url(reverse('alerts:escalation_detail', args=[escalation.pk]))}"]
    return _notify(
        recipients=recipients.values(),
        escalation=escalation,
        topic=Notification.Topic.DECISION,
        subject=subject,
        body="\n".join(lines),
    )


def notification_send_email(*, notification_id: int) -> bool:
    """Send one recorded email notification once; True when it went out now."""
    notification = Notification.objects.get(pk=notification_id)
    if notification.channel != Notification.Channel.EMAIL or notification.sent_at is not None:
        return False
    send_mail(
        notification.subject,
        notification.body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.address],
        fail_silently=False,
    )
    Notification.objects.filter(pk=notification.pk).update(sent_at=timezone.now(), error="")
    return True


def notification_mark_read(*, notification: Notification, user) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionDenied("That notification is someone else's.")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def escalations_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the Focal Point of every overdue case, at most once a day per case; returns the cases reminded."""
    now = now or timezone.now()
    overdue = Q()
    for urgency, window in RESPONSE_TIME.items():
        overdue |= Q(urgency=urgency, awaiting_since__lt=now - window)
    due_for_reminder = Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMINDER_INTERVAL)
    candidates = Escalation.objects.filter(overdue, due_for_reminder, state__in=Escalation.AWAITING_FOCAL_POINT)
    reminded = 0
    for escalation in candidates.select_related("country", "created_by", "claimed_by"):
        with transaction.atomic():
            # Claim the reminder with a conditional update so two beat runs never send it twice.
            won = Escalation.objects.filter(pk=escalation.pk, last_reminded_at=escalation.last_reminded_at).update(
                last_reminded_at=now
            )
            if not won:
                continue
            hours = int((now - escalation.response_due_at).total_seconds() // 3600)
            overdue_text = f"{hours} hours" if hours < 48 else f"{hours // 24} days"
            subject = (
                f"[Atrocity Watch] Overdue: {escalation.get_urgency_display().lower()} escalation for "
                f"{escalation.country.name} (#{escalation.pk})"
            )
            status = (
                f"Claimed by {_display_name(escalation.claimed_by)}; under review."
                if escalation.claimed_by
                else "Nobody has claimed it yet."
            )
            lines = [
                f"The response time for this {escalation.get_urgency_display().lower()} case passed "
                f"{overdue_text} ago.",
                status,
                "",
                *_case_lines(escalation),
                "",
                f"Review it: {_absolute_url(reverse('alerts:escalation_detail', args=[escalation.pk]))}",
            ]
            recipients = [escalation.claimed_by] if escalation.claimed_by else list(focal_points())
            _notify(
                recipients=recipients,
                escalation=escalation,
                topic=Notification.Topic.REMINDER,
                subject=subject,
                body="\n".join(lines),
            )
        reminded += 1
    return reminded


# --------------------------------------------------------------------------------------------------------------
# Trigger events and Atrocity Impact Assessments


def trigger_event_record(
    *,
    country: Country,
    user,
    kind: str,
    title: str,
    occurred_on: dt.date,
    owner,
    due_on: dt.date,
    source_url: str = "",
    description: str = "",
) -> AtrocityImpactAssessment:
    """Record a court finding, inquiry or UN notification and open an Atrocity Impact Assessment for it."""
    if not can_record_trigger_event(user, country):
        raise PermissionDenied(f"Only analysts of {country.name}'s desk and the Focal Point record trigger events.")
    errors: dict[str, list[str]] = {}
    if kind not in TriggerEvent.Kind.values:
        errors["kind"] = ["Choose a court finding, a commission of inquiry or a UN Special Advisers notification."]
    if not (title or "").strip():
        errors["title"] = ["Name the finding or notification."]
    today = timezone.localdate()
    if not isinstance(occurred_on, dt.date):
        errors["occurred_on"] = ["Give the date of the finding."]
    elif occurred_on > today:
        errors["occurred_on"] = [f"The date {occurred_on:%d %B %Y} is in the future."]
    if not isinstance(due_on, dt.date):
        errors["due_on"] = ["Give a due date for the assessment."]
    elif due_on < today:
        errors["due_on"] = [f"The due date {due_on:%d %B %Y} is in the past."]
    if owner is None or not has_role(owner, Role.ANALYST, Role.FOCAL_POINT):
        errors["owner"] = ["The owner must be an analyst or the Focal Point."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = TriggerEvent.objects.create(
            country=country,
            kind=kind,
            title=title.strip(),
            occurred_on=occurred_on,
            source_url=source_url.strip(),
            description=description.strip(),
            recorded_by=user,
        )
        aia = AtrocityImpactAssessment.objects.create(country=country, trigger_event=event, owner=owner, due_on=due_on)
        audit_record(
            kind=AuditEvent.Kind.TRIGGER_EVENT,
            actor=user,
            country=country,
            summary=(
                f"{event.get_kind_display()}: {event.title}. Atrocity Impact Assessment opened, owner "
                f"{_display_name(owner)}, due {due_on:%d %B %Y}."
            ),
            details={"trigger_event_id": event.pk, "aia_id": aia.pk},
        )
        # The published trigger-event rule raises the country's alert in the same transaction: all or nothing.
        alerts_evaluate(country_ids=[country.pk], kinds=[RuleKind.TRIGGER_EVENT], today=today)
    return aia


def impact_assessment_update(*, aia: AtrocityImpactAssessment, user, areas: dict[str, str]) -> AtrocityImpactAssessment:
    """Save the areas written so far; an assessment may be filled in over several sittings."""
    if not can_edit_impact_assessment(user, country=aia.country, owner_id=aia.owner_id):
        raise PermissionDenied("Only the owner, the country's desk analysts and the Focal Point edit this assessment.")
    allowed = {field for field, _ in AIA_AREAS}
    unknown = sorted(set(areas) - allowed)
    if unknown:
        raise ValidationError(f"Unknown areas: {', '.join(unknown)}.")
    with transaction.atomic():
        refusal = "This assessment is completed; it can no longer be changed."
        locked = _impact_assessment_locked_open(aia, refusal=refusal)
        changed = [field for field, value in areas.items() if (value or "").strip() != getattr(locked, field)]
        for field in changed:
            setattr(locked, field, (areas[field] or "").strip())
        if changed:
            locked.save(update_fields=changed)
            labels = dict(AIA_AREAS)
            audit_record(
                kind=AuditEvent.Kind.AIA_UPDATED,
                actor=user,
                country=locked.country,
                summary=f"Atrocity Impact Assessment {locked.pk} updated: {', '.join(labels[f] for f in changed)}.",
                details={"aia_id": locked.pk},
            )
    return locked


def _impact_assessment_locked_open(aia: AtrocityImpactAssessment, *, refusal: str) -> AtrocityImpactAssessment:
    """Inside a transaction: the assessment, locked until the transaction ends; refused once it is completed."""
    locked = AtrocityImpactAssessment.objects.select_for_update(of=("self",)).select_related("country").get(pk=aia.pk)
    if locked.status == AtrocityImpactAssessment.Status.COMPLETED:
        raise ValidationError(refusal)
    return locked


def impact_assessment_complete(*, aia: AtrocityImpactAssessment, user) -> AtrocityImpactAssessment:
    """Complete the assessment; refused while any of the eight areas is empty."""
    if not can_edit_impact_assessment(user, country=aia.country, owner_id=aia.owner_id):
        raise PermissionDenied("Only the owner, the country's desk analysts and the Focal Point complete it.")
    with transaction.atomic():
        locked = _impact_assessment_locked_open(aia, refusal="This assessment is already completed.")
        missing = locked.missing_areas
        if missing:
            raise ValidationError(f"Fill every area before completing. Still empty: {', '.join(missing)}.")
        locked.status = AtrocityImpactAssessment.Status.COMPLETED
        locked.completed_at = timezone.now()
        locked.completed_by = user
        locked.save(update_fields=["status", "completed_at", "completed_by"])
        audit_record(
            kind=AuditEvent.Kind.AIA_COMPLETED,
            actor=user,
            country=locked.country,
            summary=f"Atrocity Impact Assessment {locked.pk} completed.",
            details={"aia_id": locked.pk},
        )
    return locked
