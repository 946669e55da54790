"""Alerts: evaluating the published rules against scores, assessments and trigger events, opening and resolving
alerts, and an analyst's acknowledgement or dismissal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from alerts import rules as rule_engine
from alerts.models import Alert, AlertRule, Escalation, RuleKind, TriggerEvent
from core.models import AuditEvent
from core.months import month_add
from core.roles import can_handle_alert
from core.services import audit_record
from indicators.models import Assessment, Country, CountryScore, ScoreRun
from indicators.scoring.core import max_age_months_of
from indicators.selectors import methodology_active


def _rule_rows(rules: Iterable[AlertRule]) -> list[rule_engine.Rule]:
    return [rule_engine.Rule(id=rule.pk, kind=rule.kind, parameters=rule.parameters) for rule in rules]


def _rules_active(kinds: Iterable[str] | None) -> list[AlertRule]:
    active = AlertRule.objects.filter(is_active=True)
    if kinds is not None:
        active = active.filter(kind__in=list(kinds))
    return list(active)


def _country_scope(run: ScoreRun | None, country_ids: Sequence[int] | None) -> list[int]:
    """The countries to judge: the run's scope (every country for a full run), narrowed to `country_ids`."""
    countries = Country.objects.all()
    if run is not None and run.country_scope:
        countries = countries.filter(iso3__in=[code.upper() for code in run.country_scope])
    if country_ids is not None:
        countries = countries.filter(pk__in=list(country_ids))
    return list(countries.values_list("pk", flat=True))


def _score_rows(rules: list[AlertRule], scope: list[int], methodology) -> list[rule_engine.ScoreRow]:
    """The scores the score-based rules read: every month back from the latest that the widest rise window needs."""
    if methodology is None or not {rule.kind for rule in rules} & set(rule_engine.SCORE_KINDS):
        return []
    score_rows = CountryScore.objects.filter(methodology=methodology, country_id__in=scope)
    latest_month = score_rows.aggregate(Max("month"))["month__max"]
    if latest_month is None:
        return []
    windows = [int(rule.parameters.get("months", 3)) for rule in rules if rule.kind == RuleKind.SHARP_RISE]
    since = month_add(latest_month, -(max(windows or [3]) + 12))
    return [
        rule_engine.ScoreRow(country_id=c, month=m, overall=o, band=b)
        for c, m, o, b in score_rows.filter(month__gte=since).values_list("country_id", "month", "overall", "band")
    ]


def _assessment_rows(rules: list[AlertRule], scope: list[int]) -> list[rule_engine.AssessmentRow]:
    """The assessments of the factors the serious-assessment rules watch."""
    serious_rules = [rule for rule in rules if rule.kind == RuleKind.SERIOUS_SPECIFIC_INDICATOR]
    if not serious_rules:
        return []
    factors = sorted({factor for rule in serious_rules for factor in rule.parameters.get("factors", [])})
    rows = (
        Assessment.objects.not_superseded()
        .filter(country_id__in=scope, indicator__risk_factor__number__in=factors)
        .values_list(
            "pk",
            "country_id",
            "indicator__code",
            "indicator__risk_factor__number",
            "observed_on",
            "recorded_at",
            "severity",
        )
    )
    return [
        rule_engine.AssessmentRow(
            id=pk, country_id=c, indicator_code=code, risk_factor=f, observed_on=o, recorded_at=r, severity=s
        )
        for pk, c, code, f, o, r, s in rows
    ]


def _trigger_event_rows(rules: list[AlertRule], scope: list[int], today: dt.date) -> list[rule_engine.TriggerEventRow]:
    """The trigger events recent enough for the trigger-event rules to fire on."""
    trigger_rules = [rule for rule in rules if rule.kind == RuleKind.TRIGGER_EVENT]
    if not trigger_rules:
        return []
    horizon = max(int(rule.parameters.get("max_age_days", 365)) for rule in trigger_rules)
    labels = dict(TriggerEvent.Kind.choices)
    rows = TriggerEvent.objects.filter(
        country_id__in=scope, occurred_on__gte=today - dt.timedelta(days=horizon)
    ).values_list("pk", "country_id", "kind", "title", "occurred_on", "recorded_at")
    return [
        rule_engine.TriggerEventRow(
            id=pk, country_id=c, kind=k, kind_label=labels.get(k, k), title=t, occurred_on=o, recorded_at=r
        )
        for pk, c, k, t, o, r in rows
    ]


def _last_assessed(rules: list[AlertRule], scope: list[int]) -> dict | None:
    """Each country's latest observation date (None if never assessed), for the stale-coverage rule."""
    if RuleKind.STALE_COVERAGE not in {rule.kind for rule in rules}:
        return None
    last_assessed = dict.fromkeys(scope)
    last_assessed.update(
        Assessment.objects.not_superseded()
        .filter(country_id__in=scope)
        .values("country_id")
        .annotate(last=Max("observed_on"))
        .values_list("country_id", "last")
    )
    return last_assessed


def _resolve_cleared(run: ScoreRun, rules, scope, scores, candidates) -> None:
    """A score run judges every condition afresh: an open alert it no longer finds is resolved, with the run named."""
    scored = {row.country_id for row in scores}
    judged = {
        kind: scope if kind == RuleKind.SERIOUS_SPECIFIC_INDICATOR else scored
        for kind in {rule.kind for rule in rules}
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


def alerts_evaluate(
    *,
    run: ScoreRun | None = None,
    country_ids: Sequence[int] | None = None,
    kinds: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> list[Alert]:
    """Evaluate the active rules for the run's (or the given) countries and open the alerts that fire; after a
    score run, also resolve the open alerts whose condition it no longer finds. A run that did not succeed judges
    nothing: its scores may be partial, and a missing score must not read as a cleared condition."""
    if run is not None and run.status != ScoreRun.Status.SUCCEEDED:
        return []
    today = today or timezone.localdate()
    rules = _rules_active(kinds)
    if not rules:
        return []
    scope = _country_scope(run, country_ids)
    methodology = run.methodology if run is not None else methodology_active()
    scores = _score_rows(rules, scope, methodology)
    candidates = rule_engine.evaluate_rules(
        _rule_rows(rules),
        scores=scores,
        assessments=_assessment_rows(rules, scope),
        last_assessed=_last_assessed(rules, scope),
        trigger_events=_trigger_event_rows(rules, scope, today),
        today=today,
        max_age_months=max_age_months_of(methodology.parameters if methodology is not None else None),
    )
    if run is not None:
        _resolve_cleared(run, rules, scope, scores, candidates)
    raised = [alert_raise(candidate=candidate, run=run) for candidate in candidates]
    return [alert for alert in raised if alert is not None]


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


def alert_resolve(
    *, alert_id: int, run: ScoreRun | None, reason: str, after: str = "", details: dict | None = None
) -> Alert | None:
    """Resolve an open alert whose condition a score run (or, as `after` says, a new forecast model) no longer
    finds; None if someone handled it meanwhile."""
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
                f"Alert resolved: '{locked.rule.name}' no longer fires after {after or f'score run {run.pk}'}. "
                f"It had said: {locked.message}"
            ),
            reason=reason,
            details=details if details is not None else {"run_id": run.pk},
        )
    return locked


def alerts_resolve_demonstration(*, country_ids: Sequence[int], dataset_import_id: int) -> int:
    """Resolve the open condition alerts of countries scored on demonstration data, when the first real import retires
    it (`indicators.signals.demonstration_retired`): the score runs that follow raise afresh what real data supports.
    Returns how many were resolved."""
    open_ids = Alert.objects.filter(
        status__in=Alert.OPEN_STATUSES, rule_kind__in=rule_engine.CONDITION_KINDS, country_id__in=list(country_ids)
    ).values_list("pk", flat=True)
    resolved = [
        alert_resolve(
            alert_id=pk,
            run=None,
            reason="Raised on demonstration data, which no longer counts now that real data is in.",
            after=f"real data replaced the demonstration data (import #{dataset_import_id})",
            details={"dataset_import_id": dataset_import_id},
        )
        for pk in list(open_ids)
    ]
    return sum(alert is not None for alert in resolved)


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


def alerts_acknowledge(*, alert_ids: Iterable[int], user, reason: str) -> tuple[list[Alert], list[str]]:
    """Acknowledge several alerts with one reason; each is handled on its own, so one refused (another desk's, or
    handled meanwhile) leaves the others acknowledged. Returns the acknowledged alerts and the refusals."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why these alerts are acknowledged."})
    acknowledged, refused = [], []
    for alert in Alert.objects.filter(pk__in=list(alert_ids)).select_related("country").order_by("pk"):
        try:
            acknowledged.append(
                _alert_handle(
                    alert=alert,
                    user=user,
                    status=Alert.Status.ACKNOWLEDGED,
                    kind=AuditEvent.Kind.ALERT_ACKNOWLEDGED,
                    summary=f"Alert acknowledged: {alert.message}",
                    reason=reason,
                )
            )
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"{alert.country.name}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
    return acknowledged, refused


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


ALERTS_AND_CASES = (
    "Submitting a case carries every open alert of its country: each is marked escalated, naming the case. A "
    "declaration of imminent risk or monitoring keeps carrying them while it stands. Closing the case resolves "
    "them; a rule that still fires raises a fresh alert at the next evaluation."
)


def alert_mark_escalated(*, escalation: Escalation, user) -> None:
    """On submission the case carries every open alert of its country, whether it was started from one of them or
    from the country page: each is marked escalated with an audit entry naming the case (see ALERTS_AND_CASES)."""
    alerts = Alert.objects.select_for_update(of=("self",)).filter(
        country_id=escalation.country_id, status__in=Alert.OPEN_STATUSES
    )
    now = timezone.now()
    for alert in alerts.order_by("pk"):
        alert.status = Alert.Status.ESCALATED
        alert.handled_by = user
        alert.handled_at = now
        alert.save(update_fields=["status", "handled_by", "handled_at"])
        audit_record(
            kind=AuditEvent.Kind.ALERT_ESCALATED,
            actor=user,
            alert=alert,
            escalation=escalation,
            country=escalation.country,
            summary=f"Alert carried by escalation {escalation.pk}: {alert.message}",
        )


def alerts_resolve_with_case(*, escalation: Escalation, user) -> int:
    """When a case is closed, the alerts it carried are resolved with it; a rule that still fires raises a fresh
    alert at the next evaluation. A declaration or monitoring keeps carrying them."""
    carried = Alert.objects.filter(
        status=Alert.Status.ESCALATED,
        audit_events__kind=AuditEvent.Kind.ALERT_ESCALATED,
        audit_events__escalation=escalation,
    ).distinct()
    count = 0
    for alert in carried.order_by("pk"):
        alert.status = Alert.Status.RESOLVED
        alert.save(update_fields=["status"])
        audit_record(
            kind=AuditEvent.Kind.ALERT_RESOLVED,
            actor=user,
            alert=alert,
            escalation=escalation,
            country=escalation.country,
            summary=f"Alert resolved with escalation {escalation.pk}, which was closed: {alert.message}",
        )
        count += 1
    return count
