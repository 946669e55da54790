"""How fast the Focal Point answered escalations, against the published response targets. Pure: no ORM.

A response is a Focal Point decision (more information requested, imminent risk declared, monitoring, closed) on a
case waiting for one. Its clock starts at the submission or resubmission just before it, as the reminders' clock
does, and the target is the published response time for the case's urgency.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SUBMISSION_STATES = ("submitted", "resubmitted")
DECISION_STATES = ("more_information_requested", "imminent_risk_declared", "monitoring", "closed")


@dataclass(frozen=True)
class CaseEvent:
    """One state change of an escalation, as the audit trail recorded it."""

    escalation_id: int
    occurred_at: dt.datetime
    to_state: str


@dataclass(frozen=True)
class Response:
    escalation_id: int
    urgency: str
    waiting_since: dt.datetime
    answered_at: dt.datetime
    target: dt.timedelta

    @property
    def elapsed(self) -> dt.timedelta:
        return self.answered_at - self.waiting_since

    @property
    def within_target(self) -> bool:
        return self.elapsed <= self.target


def responses_from_events(
    events: Iterable[CaseEvent], *, urgency_of: Mapping[int, str], targets: Mapping[str, dt.timedelta]
) -> list[Response]:
    """Pair each decision with the submission before it; decisions with no submission before them are skipped."""
    waiting: dict[int, dt.datetime] = {}
    responses = []
    for event in sorted(events, key=lambda e: (e.occurred_at, e.escalation_id)):
        if event.to_state in SUBMISSION_STATES:
            waiting[event.escalation_id] = event.occurred_at
        elif event.to_state in DECISION_STATES and event.escalation_id in waiting:
            urgency = urgency_of[event.escalation_id]
            responses.append(
                Response(
                    escalation_id=event.escalation_id,
                    urgency=urgency,
                    waiting_since=waiting.pop(event.escalation_id),
                    answered_at=event.occurred_at,
                    target=targets[urgency],
                )
            )
    return responses


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def response_summary(
    responses: Iterable[Response],
    *,
    waiting: Iterable[tuple[str, dt.datetime]],
    targets: Mapping[str, dt.timedelta],
    labels: Mapping[str, str],
    as_of: dt.datetime,
) -> list[dict]:
    """Per urgency: responses, median and slowest hours, how many met the target, and cases still waiting at `as_of`
    with how many of those were already past their target."""
    responses = list(responses)
    waiting = list(waiting)
    rows = []
    for urgency, target in targets.items():
        mine = [r for r in responses if r.urgency == urgency]
        hours = [_hours(r.elapsed) for r in mine]
        still_waiting = [since for u, since in waiting if u == urgency]
        rows.append(
            {
                "urgency": urgency,
                "label": labels.get(urgency, urgency),
                "target_hours": _hours(target),
                "responses": len(mine),
                "within_target": sum(1 for r in mine if r.within_target),
                "median_hours": statistics.median(hours) if hours else None,
                "slowest_hours": max(hours) if hours else None,
                "waiting": len(still_waiting),
                "waiting_overdue": sum(1 for since in still_waiting if as_of - since > target),
            }
        )
    return rows
