"""Writes of the bottom floor: the audit trail, and the outbox through which every app enqueues its tasks.

Services enqueue tasks by name with `outbox_enqueue`, inside their own transaction; tasks import services, never the
reverse. A row is sent to the broker right after commit and, failing that, by the sweep task every minute.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import AuditEvent, OutboxMessage

logger = logging.getLogger(__name__)

OUTBOX_CLAIM_LEASE = dt.timedelta(minutes=2)
OUTBOX_BACKOFF_BASE = dt.timedelta(seconds=30)
OUTBOX_BACKOFF_MAX = dt.timedelta(minutes=30)
OUTBOX_SWEEP_BATCH = 500
# After a failed hand-over, this process leaves the broker alone for a while: a request that writes twenty rows while
# Redis is down then waits for one refused connection, not twenty (each retried by kombu), and the rows wait for the
# sweep. Process-local on purpose: every process finds out for itself when the broker is back.
OUTBOX_BROKER_PAUSE = dt.timedelta(seconds=15)
_broker_paused_until: dt.datetime | None = None


def audit_record(
    *,
    kind: str,
    summary: str,
    actor=None,
    country=None,
    escalation=None,
    alert=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Append one entry to the audit trail; entries are never changed or deleted. The country defaults to the
    escalation's or the alert's."""
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


def outbox_enqueue(
    task_name: str, *, kwargs: dict, dedupe_key: str | None = None, countdown: float = 0
) -> OutboxMessage:
    """Ask for a task in the caller's transaction; it is sent once after commit, never if the transaction rolls back.

    With a `dedupe_key`, a request made while an earlier row of the same key still waits (unsent, or sent with a
    countdown that has not run out) returns that row instead of adding another. `countdown` delays the task's start.
    """
    now = timezone.now()
    not_before = now + dt.timedelta(seconds=max(countdown, 0))
    if dedupe_key:
        waiting = (
            OutboxMessage.objects.filter(dedupe_key=dedupe_key)
            .filter(Q(status=OutboxMessage.Status.PENDING) | Q(not_before__gt=now))
            .first()
        )
        if waiting is not None:
            return waiting
    message = OutboxMessage.objects.create(
        task_name=task_name, kwargs=kwargs, dedupe_key=dedupe_key or "", not_before=not_before
    )
    transaction.on_commit(lambda: outbox_send(message_id=message.pk, after_commit=True), robust=True)
    return message


def _backoff(attempts: int) -> dt.timedelta:
    return min(OUTBOX_BACKOFF_BASE * 2 ** max(attempts - 1, 0), OUTBOX_BACKOFF_MAX)


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Take the row for this sender with a conditional UPDATE; a second sender finds it taken (the lease)."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + OUTBOX_CLAIM_LEASE)
    )


def _eager() -> bool:
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _publish(message: OutboxMessage, now: dt.datetime) -> None:
    from celery import current_app

    countdown = max((message.not_before - now).total_seconds(), 0)
    if current_app.conf.task_always_eager:
        # Eager mode (tests, a bare `manage.py` shell) runs the task here, as `.delay` would.
        if message.task_name not in current_app.tasks:
            current_app.loader.import_default_modules()  # the autodiscovered tasks modules, as a worker does
        current_app.tasks[message.task_name].apply(kwargs=message.kwargs)
        return
    # One attempt: a failure leaves the row pending for the sweep, so kombu's own publish retries would only make
    # the user's request wait.
    current_app.send_task(message.task_name, kwargs=message.kwargs, countdown=countdown or None, retry=False)


def outbox_send(*, message_id: int, after_commit: bool = False) -> bool:
    """Send one pending row if no other sender has it; on a broker error keep it pending, to be retried later.

    Never raises: it runs after the user's transaction committed, so a broker outage must not reach the user.
    """
    global _broker_paused_until
    now = timezone.now()
    if after_commit and _broker_paused_until is not None and now < _broker_paused_until and not _eager():
        return False  # the broker refused this process a moment ago: the row waits for the sweep
    if not _claim(message_id, now):
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _publish(message, now)
    except Exception as exc:  # noqa: BLE001 - any failure to hand over leaves the row for the sweep
        _broker_paused_until = now + OUTBOX_BROKER_PAUSE
        attempts = message.attempts + 1
        OutboxMessage.objects.filter(pk=message_id).update(
            attempts=attempts, next_attempt_at=now + _backoff(attempts), last_error=f"{type(exc).__name__}: {exc}"
        )
        logger.warning("Outbox row %s (%s) not sent, retried later: %s", message_id, message.task_name, exc)
        return False
    _broker_paused_until = None
    OutboxMessage.objects.filter(pk=message_id).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True


def outbox_send_pending(*, limit: int = OUTBOX_SWEEP_BATCH) -> int:
    """Send the pending rows that are due, oldest first (the sweep); returns how many were sent."""
    due = list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_send(message_id=pk) for pk in due)
