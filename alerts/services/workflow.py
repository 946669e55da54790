"""The escalation workflow: one transition table (TRANSITIONS), and `escalation_transition`, the only code that
moves an escalation between states. It refuses anything the table does not allow, changing nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alerts.models import Escalation
from alerts.selectors import country_scores_snapshot
from alerts.services.alerts import alert_mark_escalated, alerts_resolve_with_case
from alerts.services.notifications import notifications_settle, notify_decision, notify_focal_points
from alerts.services.response_actions import response_actions_clean, response_actions_create
from core.models import AuditEvent
from core.roles import can_decide, is_desk_analyst
from core.services import audit_record

State = Escalation.State


class EscalationTransitionError(ValidationError):
    """The transition is not allowed from the escalation's current state; nothing was changed."""


class EscalationAlreadyClaimed(EscalationTransitionError):
    """Another focal point claimed the escalation first."""


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
            (State.UNDER_REVIEW, State.RESUBMITTED),
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
            (State.UNDER_REVIEW, State.RESUBMITTED, State.MONITORING),
            State.IMMINENT_RISK_DECLARED,
            "focal_point",
            True,
            True,
        ),
        Transition(
            "monitor",
            "put under monitoring",
            (State.UNDER_REVIEW, State.RESUBMITTED),
            State.MONITORING,
            "focal_point",
            True,
            True,
        ),
        Transition(
            "close",
            "close",
            (State.UNDER_REVIEW, State.RESUBMITTED, State.MONITORING),
            State.CLOSED,
            "focal_point",
            True,
            True,
        ),
    )
}
DECISIONS = {action: t for action, t in TRANSITIONS.items() if t.is_decision}
# Asking for more information sends the case back; only these settle it, so only these set the decided date.
FINAL_DECISIONS = ("declare_imminent_risk", "monitor", "close")


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


def _checked_reason(transition: Transition, reason: str) -> str:
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        what = "rationale" if transition.is_decision else "note on what was added"
        raise ValidationError({"reason": f"Write a {what}: it is kept with the case."})
    return reason


def _apply(transition: Transition, escalation: Escalation, *, user, reason: str, now) -> list[str]:
    """Set the target state and what the step records (submission snapshot, restarted clock, decision);
    returns the changed fields."""
    escalation.state = transition.target
    changed = ["state"]
    if transition.action == "submit":
        escalation.scores_snapshot = country_scores_snapshot(escalation.country)
        escalation.submitted_at = now
        escalation.awaiting_since = now
        changed += ["scores_snapshot", "submitted_at", "awaiting_since"]
        alert_mark_escalated(escalation=escalation, user=user)
    elif transition.action == "resubmit":
        # Back to the focal point who asked for more information (they still hold the claim, so they decide
        # without claiming again); the response clock restarts.
        escalation.awaiting_since = now
        escalation.last_reminded_at = None
        changed += ["awaiting_since", "last_reminded_at"]
    if transition.action == "close":
        alerts_resolve_with_case(escalation=escalation, user=user)
    if transition.action in FINAL_DECISIONS:
        escalation.decided_at = now
        changed += ["decided_at"]
    if transition.is_decision:
        escalation.decision_rationale = reason
        changed += ["decision_rationale"]
    return changed


def _notify(transition: Transition, escalation: Escalation, *, user, reason: str) -> None:
    if transition.action == "resubmit" and escalation.claimed_by_id is not None:
        notify_focal_points(escalation=escalation, resubmitted=True, note=reason, only=[escalation.claimed_by])
    elif transition.action in ("submit", "resubmit"):
        notify_focal_points(escalation=escalation, resubmitted=transition.action == "resubmit", note=reason)
    elif transition.is_decision:
        notify_decision(escalation=escalation, decided_by=user)
    if transition.action in FINAL_DECISIONS:
        notifications_settle(escalation=escalation)


def escalation_transition(
    *,
    escalation: Escalation,
    action: str,
    user,
    reason: str = "",
    actions: Sequence[dict] = (),
) -> Escalation:
    """Move an escalation along the transition table, or refuse with a clear error and change nothing.

    Checked twice: once before any work (a clear refusal), again on the row locked for the change (a concurrent
    step wins cleanly). The step, its audit entry, any response actions and the notifications commit together."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise EscalationTransitionError(f"Unknown action {action!r}; choose one of {', '.join(TRANSITIONS)}.")
    if action == "claim":
        return escalation_claim(escalation_id=escalation.pk, user=user)
    _check_actor(transition, escalation, user)
    _check_state(transition, escalation)
    reason = _checked_reason(transition, reason)
    cleaned_actions = response_actions_clean(actions) if action == "declare_imminent_risk" else []
    with transaction.atomic():
        locked = (
            Escalation.objects.select_for_update(of=("self",))
            .select_related("country", "claimed_by")
            .get(pk=escalation.pk)
        )
        _check_actor(transition, locked, user)
        _check_state(transition, locked)
        source = locked.state
        locked.save(update_fields=_apply(transition, locked, user=user, reason=reason, now=timezone.now()))
        audit_record(
            kind=AuditEvent.Kind.DECISION if transition.is_decision else AuditEvent.Kind.TRANSITION,
            actor=user,
            escalation=locked,
            from_state=source,
            to_state=locked.state,
            reason=reason,
            summary=f"{State(source).label} → {locked.get_state_display()}.",
        )
        response_actions_create(escalation=locked, user=user, actions=cleaned_actions)
        _notify(transition, locked, user=user, reason=reason)
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
        # The focal point who already holds a resubmitted case may take it back under review; nobody else may.
        won = (
            Escalation.objects.filter(pk=escalation_id, state__in=transition.sources)
            .filter(Q(claimed_by__isnull=True) | Q(claimed_by=user))
            .update(state=transition.target, claimed_by=user, claimed_at=now)
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
