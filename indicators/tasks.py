"""Celery tasks of the indicators app: thin shells that take ids and call the scoring service.

Recording assessments in a burst must not start a recompute per assessment: `scores_recompute_enqueue` lets one
task per country wait a few seconds (a cache key marks it pending), and the task itself skips work that a run
started after the request already did. Both make the tasks idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from celery import current_app, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from indicators.models import Country, ScoreRun
from indicators.scoring.services import scores_recompute
from indicators.selectors import methodology_active

logger = logging.getLogger(__name__)

TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_DATABASE_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}


def _pending_key(country_id: int) -> str:
    return f"indicators:scores-recompute-pending:{country_id}"


def scores_recompute_enqueue(*, country_ids: Iterable[int], trigger: str) -> list[int]:
    """Ask for a recompute of these countries soon, coalescing bursts; returns the ids a new task was queued for.

    A country whose recompute is already pending (queued within the debounce window) is left to that task: the
    task starts after the window closes, so it reads every assessment committed before then.
    """
    delay = settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS
    requested_at = timezone.now().isoformat()
    ids = sorted({int(pk) for pk in country_ids})
    if not ids:
        return []
    if current_app.conf.task_always_eager or delay <= 0:
        queued = ids
    else:
        # The key lives exactly as long as the countdown, so a skipped request always precedes the task's read.
        queued = [pk for pk in ids if cache.add(_pending_key(pk), requested_at, timeout=delay)]
    if not queued:
        return []
    if len(queued) == 1:
        scores_recompute_country.apply_async(
            kwargs={"country_id": queued[0], "trigger": trigger, "requested_at": requested_at},
            countdown=max(delay, 0),
        )
    else:
        scores_recompute_countries.apply_async(
            kwargs={"country_ids": queued, "trigger": trigger, "requested_at": requested_at},
            countdown=max(delay, 0),
        )
    return queued


def _already_covered(country_ids: list[int], requested_at: str | None) -> set[int]:
    """Countries that a successful run started after the request already recomputed."""
    if not requested_at:
        return set()
    since = dt.datetime.fromisoformat(requested_at)
    scopes = list(
        ScoreRun.objects.filter(
            methodology=methodology_active(), status=ScoreRun.Status.SUCCEEDED, started_at__gte=since
        ).values_list("country_scope", flat=True)
    )
    if any(not scope for scope in scopes):
        return set(country_ids)
    covered_codes = {code for scope in scopes for code in scope}
    return set(Country.objects.filter(pk__in=country_ids, iso3__in=covered_codes).values_list("pk", flat=True))


@shared_task(bind=True, **RETRY_OPTIONS)
def scores_recompute_all(self, trigger: str = ScoreRun.Trigger.SCHEDULE) -> int:
    """Recompute every country's scores (the nightly schedule); returns the run id."""
    return scores_recompute(trigger=trigger, celery_task_id=self.request.id or "").pk


def _recompute_unless_covered(country_ids: list[int], trigger: str, requested_at: str | None, task_id: str):
    existing = set(Country.objects.filter(pk__in=country_ids).values_list("pk", flat=True))
    missing = sorted(set(country_ids) - existing)
    if missing:
        logger.warning("Skipping unknown country ids %s in a score recompute", missing)
    remaining = sorted(existing - _already_covered(sorted(existing), requested_at))
    if not remaining:
        logger.info("Scores of %s were already recomputed after the request; nothing to do.", country_ids)
        return None
    return scores_recompute(trigger=trigger, country_ids=remaining, celery_task_id=task_id).pk


@shared_task(bind=True, **RETRY_OPTIONS)
def scores_recompute_countries(
    self, country_ids: list[int], trigger: str = ScoreRun.Trigger.NEW_DATA, requested_at: str | None = None
) -> int | None:
    """Recompute some countries' scores unless a run started after the request already did; returns the run id."""
    return _recompute_unless_covered(list(country_ids), trigger, requested_at, self.request.id or "")


@shared_task(bind=True, **RETRY_OPTIONS)
def scores_recompute_country(
    self, country_id: int, trigger: str = ScoreRun.Trigger.NEW_DATA, requested_at: str | None = None
) -> int | None:
    """Recompute one country's scores unless a run started after the request already did; returns the run id."""
    return _recompute_unless_covered([country_id], trigger, requested_at, self.request.id or "")
