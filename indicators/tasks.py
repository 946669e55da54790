"""Celery tasks of the indicators app: thin shells that take ids and call the scoring service.

Recording assessments in a burst must not start a recompute per assessment, yet an analyst's save should show its
score within seconds. `scores_recompute_enqueue` therefore starts the first request's recompute at once (leading
edge) and folds every later request of the same window into one trailing recompute at the window's end; a cache
key per country and edge marks each pending. A task skips work that a run started after its requests already did.
Both make the tasks idempotent.
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
from indicators.scoring.services import (
    score_run_redelivery_settled,
    score_run_rerun,
    score_runs_reap,
    scores_recompute,
)
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


def _trailing_key(country_id: int) -> str:
    return f"indicators:scores-recompute-trailing:{country_id}"


def scores_recompute_enqueue(*, country_ids: Iterable[int], trigger: str) -> list[int]:
    """Ask for a recompute of these countries, coalescing bursts; returns the ids a new task was queued for.

    A country with no recompute requested in the last window (SCORES_RECOMPUTE_DEBOUNCE_SECONDS) is recomputed
    now. Within the window, the first further request queues one trailing recompute for the window's end and later
    ones are left to it: its key lives exactly as long as its countdown, so every request it absorbs was committed
    before it reads, and it counts as requested at the window's end so an earlier run never excuses it.
    """
    delay = settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS
    now = timezone.now()
    ids = sorted({int(pk) for pk in country_ids})
    if not ids:
        return []
    if current_app.conf.task_always_eager or delay <= 0:
        _enqueue(ids, trigger=trigger, requested_at=now, countdown=0)
        return ids
    leading = [pk for pk in ids if cache.add(_pending_key(pk), now.isoformat(), timeout=delay)]
    trailing = [pk for pk in ids if pk not in leading and cache.add(_trailing_key(pk), now.isoformat(), timeout=delay)]
    _enqueue(leading, trigger=trigger, requested_at=now, countdown=0)
    _enqueue(trailing, trigger=trigger, requested_at=now + dt.timedelta(seconds=delay), countdown=delay)
    return leading + trailing


def _enqueue(ids: list[int], *, trigger: str, requested_at: dt.datetime, countdown: int) -> None:
    if not ids:
        return
    if len(ids) == 1:
        scores_recompute_country.apply_async(
            kwargs={"country_id": ids[0], "trigger": trigger, "requested_at": requested_at.isoformat()},
            countdown=countdown,
        )
    else:
        scores_recompute_countries.apply_async(
            kwargs={"country_ids": ids, "trigger": trigger, "requested_at": requested_at.isoformat()},
            countdown=countdown,
        )


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
def scores_recompute_all(self, trigger: str = ScoreRun.Trigger.SCHEDULE) -> int | None:
    """Recompute every country's scores (the nightly schedule); returns the run id."""
    settled, dead = score_run_redelivery_settled(celery_task_id=self.request.id or "")
    if settled:
        return None
    return scores_recompute(trigger=trigger, celery_task_id=self.request.id or "", rerun_of=dead).pk


def _recompute_unless_covered(country_ids: list[int], trigger: str, requested_at: str | None, task_id: str):
    settled, dead = score_run_redelivery_settled(celery_task_id=task_id)
    if settled:
        logger.info("Task %s was delivered again; its earlier run settles it.", task_id)
        return None
    existing = set(Country.objects.filter(pk__in=country_ids).values_list("pk", flat=True))
    missing = sorted(set(country_ids) - existing)
    if missing:
        logger.warning("Skipping unknown country ids %s in a score recompute", missing)
    remaining = sorted(existing - _already_covered(sorted(existing), requested_at))
    if not remaining:
        logger.info("Scores of %s were already recomputed after the request; nothing to do.", country_ids)
        return None
    return scores_recompute(trigger=trigger, country_ids=remaining, celery_task_id=task_id, rerun_of=dead).pk


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


@shared_task(bind=True, **RETRY_OPTIONS)
def scores_rerun(self, run_id: int) -> int | None:
    """Run again the work of a score run whose worker died (queued once by the reaper); returns the new run's id."""
    run = ScoreRun.objects.select_related("methodology", "requested_by").filter(pk=run_id).first()
    if run is None or ScoreRun.objects.filter(rerun_of_id=run_id).exists():
        return None
    return score_run_rerun(run=run).pk


@shared_task
def runs_reap_stale() -> dict:
    """Every minute: score runs and imports whose worker died are marked failed and re-queued once."""
    from indicators.importers.services import dataset_imports_reap

    return {"score_runs": score_runs_reap(), "imports": dataset_imports_reap()}
