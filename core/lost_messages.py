"""Queued jobs whose task message was lost before any worker took it: queue them again, a bounded number of times.

The outbox guarantees a message reaches the broker, not that a worker takes it: our Redis keeps nothing on disk, so a
restart or a flush loses every queued message, and the job's row stays "queued" for ever. Each app's reaper calls
`queued_jobs_requeue` with a `QueuedJobKind` naming its rows that still wait for a first worker. A row whose last
hand-over (created, or last re-queued) is older than QUEUED_LOST_SECONDS, and whose message is not still waiting in
the outbox, is queued again (a new outbox message) and its `requeues`/`requeued_at` recorded; after
QUEUED_REQUEUES_MAX re-queues it is given up with a clear reason instead. A job merely waiting behind a slow one is
queued twice at worst, which is harmless: every task claims its row with a conditional update.

Work that has no row before a worker takes it (score recomputes, forecast retrainings) is found from state by its
app's sweep instead; `lost_window` gives those sweeps the same period and the same bound.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from core.models import OutboxMessage
from core.services import outbox_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueuedJobKind:
    """One kind of job that waits in the broker: which rows still wait, and how to queue one again or give it up.

    `waiting` must select only rows no worker has taken (a status or a claim field), so a conditional update on it
    loses to a worker that claims the row meanwhile. `give_up(reason)` returns the fields that end the job.
    """

    label: str
    waiting: Callable[[], QuerySet]
    handed_over_field: str
    task_name: str
    task_kwargs: Callable[[Model], dict]
    give_up: Callable[[str], dict]
    busy: Callable[[], QuerySet] | None = None
    after: dt.timedelta | None = None
    requeues_max: int | None = None

    def lost_after(self) -> dt.timedelta:
        return self.after or dt.timedelta(seconds=settings.QUEUED_LOST_SECONDS)

    def max_requeues(self) -> int:
        return settings.QUEUED_REQUEUES_MAX if self.requeues_max is None else self.requeues_max


def lost_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(start, cutoff) for the work that has no row before a worker takes it (score recomputes, retrainings): a change
    older than cutoff whose request brought no run is lost; one older than start is left to the nightly or yearly
    schedule, which bounds the requests again for one change to QUEUED_REQUEUES_MAX, one a period."""
    lost_after = dt.timedelta(seconds=settings.QUEUED_LOST_SECONDS)
    return now - lost_after * (settings.QUEUED_REQUEUES_MAX + 1), now - lost_after


def _still_in_outbox(task_name: str) -> set[str]:
    """The arguments of this task's messages the outbox has not handed over yet (the relay will send them)."""
    pending = OutboxMessage.objects.filter(task_name=task_name, status=OutboxMessage.Status.PENDING)
    return {json.dumps(kwargs, sort_keys=True) for kwargs in pending.values_list("kwargs", flat=True)}


def queued_jobs_lost(kind: QueuedJobKind, *, now: dt.datetime) -> QuerySet:
    """The rows of this kind still waiting for a worker whose last hand-over is older than the kind's threshold."""
    cutoff = now - kind.lost_after()
    handed_over_before = Q(requeued_at__lt=cutoff) | Q(
        requeued_at__isnull=True, **{f"{kind.handed_over_field}__lt": cutoff}
    )
    return kind.waiting().filter(handed_over_before).order_by("pk")


def queued_jobs_requeue(kind: QueuedJobKind, *, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Queue again every lost job of this kind, or give it up past the cap; returns the ids requeued and given up."""
    now = now or timezone.now()
    outcome: dict[str, list[int]] = {"requeued": [], "given_up": []}
    if kind.busy is not None and kind.busy().exists():
        return outcome  # the waiting rows may simply be behind the running one
    in_outbox = _still_in_outbox(kind.task_name)
    for job in queued_jobs_lost(kind, now=now):
        kwargs = kind.task_kwargs(job)
        if json.dumps(kwargs, sort_keys=True) in in_outbox:
            continue
        given_up = job.requeues >= kind.max_requeues()
        updates: dict = {"requeues": F("requeues") + 1, "requeued_at": now}
        if given_up:
            minutes = int(kind.lost_after().total_seconds() // 60)
            updates.update(
                kind.give_up(
                    f"No worker took this {kind.label} although it was queued {job.requeues + 1} times, "
                    f"{minutes} minutes apart (the task queue lost its messages, or no worker is running); "
                    "it was given up. Ask for it again once the workers run."
                )
            )
        with transaction.atomic():
            if not kind.waiting().filter(pk=job.pk, requeues=job.requeues).update(**updates):
                continue  # a worker took it, or another sweep got there first
            if not given_up:
                outbox_enqueue(kind.task_name, kwargs=kwargs)
        outcome["given_up" if given_up else "requeued"].append(job.pk)
        logger.warning("%s %s never reached a worker; %s", kind.label, job.pk, "given up" if given_up else "re-queued")
    return outcome
