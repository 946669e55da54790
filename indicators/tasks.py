"""Celery tasks of the indicators app: thin shells that take ids and call the scoring service.

Recording assessments in a burst must not start a recompute per assessment, yet an analyst's save should show its
score within seconds: `indicators.services.scores_recompute_request` enqueues, through the outbox, the first
request's recompute at once (leading edge) and one trailing recompute at the window's end for the rest. A task skips
work that a run started after its requests already did, which makes it idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from core.retry import RETRY_OPTIONS
from indicators.models import Country, ScoreRun
from indicators.scoring.services import (
    score_run_redelivery_settled,
    score_run_rerun,
    score_runs_reap,
    scores_recompute,
)
from indicators.selectors import methodology_active

logger = logging.getLogger(__name__)


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
def scores_recompute_all_task(self, trigger: str = ScoreRun.Trigger.SCHEDULE) -> int | None:
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
def scores_recompute_countries_task(
    self, country_ids: list[int], trigger: str = ScoreRun.Trigger.NEW_DATA, requested_at: str | None = None
) -> int | None:
    """Recompute some countries' scores unless a run started after the request already did; returns the run id."""
    return _recompute_unless_covered(list(country_ids), trigger, requested_at, self.request.id or "")


@shared_task(bind=True, **RETRY_OPTIONS)
def scores_recompute_country_task(
    self, country_id: int, trigger: str = ScoreRun.Trigger.NEW_DATA, requested_at: str | None = None
) -> int | None:
    """Recompute one country's scores unless a run started after the request already did; returns the run id."""
    return _recompute_unless_covered([country_id], trigger, requested_at, self.request.id or "")


@shared_task(bind=True, **RETRY_OPTIONS)
def scores_rerun_task(self, run_id: int) -> int | None:
    """Run again the work of a score run whose worker died (queued once by the reaper); returns the new run's id."""
    run = ScoreRun.objects.select_related("methodology", "requested_by").filter(pk=run_id).first()
    if run is None or ScoreRun.objects.filter(rerun_of_id=run_id).exists():
        return None
    return score_run_rerun(run=run).pk


@shared_task
def runs_reap_stale_task() -> dict:
    """Every minute: score runs and imports whose worker died are marked failed and re-queued once; queued imports
    whose task message was lost are queued again, and so are the recomputes of countries whose request was lost."""
    from indicators.importers.lost_messages import dataset_imports_requeue_lost
    from indicators.importers.reaping import dataset_imports_reap
    from indicators.scoring.lost_messages import scores_recompute_requeue_lost

    return {
        "score_runs": score_runs_reap(),
        "imports": dataset_imports_reap(),
        "imports_lost": dataset_imports_requeue_lost(),
        "scores_lost": scores_recompute_requeue_lost(),
    }
