"""Requesting and executing a network analysis run."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.services import outbox_enqueue
from indicators.models import Country
from networks.models import AnalysisRun

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------------------------
# Analysis runs


def analysis_run_request(*, country: Country | None, user=None, inline_limit: int | None = None) -> AnalysisRun:
    """The analysis of the current graph: a finished or pending run for this graph version, or a new one. Small
    graphs are computed at once (still recorded as a run); larger ones are queued for the worker."""
    from networks import selectors

    version = selectors.graph_version()
    existing = (
        AnalysisRun.objects.filter(country=country, graph_version=version)
        .exclude(status=AnalysisRun.Status.FAILED)
        .order_by("-created_at")
        .first()
    )
    if existing is not None and not _analysis_run_fail_if_dead(existing):
        return existing
    limit = settings.NETWORK_INLINE_ANALYSIS_MAX_ACTORS if inline_limit is None else inline_limit
    if selectors.graph_size(country=country, version=version)[0] <= limit:
        run = AnalysisRun.objects.create(country=country, graph_version=version, requested_by=user)
        try:
            return analysis_run_execute(run=run)
        except Exception:
            # Recorded on the run (status failed, with the error); the page shows it instead of failing.
            logger.exception("network analysis run %s failed", run.pk)
            return run
    with transaction.atomic():
        run = AnalysisRun.objects.create(country=country, graph_version=version, requested_by=user)
        outbox_enqueue(
            "networks.tasks.analysis_run_task", kwargs={"run_id": run.pk}, dedupe_key=f"network-analysis:{run.pk}"
        )
    return run


def _analysis_run_fail_if_dead(run: AnalysisRun) -> bool:
    """Fail a run still "running" past the task time limit: its worker died (a live one is stopped at the limit, and
    the redelivered message finds the run claimed), so the page would otherwise wait for it for ever."""
    if run.status != AnalysisRun.Status.RUNNING or run.started_at is None:
        return False
    cutoff = timezone.now() - dt.timedelta(seconds=settings.TASK_TIME_LIMIT_SECONDS)
    if run.started_at >= cutoff:
        return False
    started = timezone.localtime(run.started_at)
    return bool(
        AnalysisRun.objects.filter(pk=run.pk, status=AnalysisRun.Status.RUNNING, started_at=run.started_at).update(
            status=AnalysisRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"The worker analysing this network stopped without finishing (started {started:%Y-%m-%d %H:%M:%S}).",
        )
    )


def analysis_run_execute(*, run: AnalysisRun) -> AnalysisRun:
    """Compute the run's analysis from the graph as it stands, and record the outcome."""
    from networks import analysis, selectors

    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.RUNNING, started_at=timezone.now())
    try:
        graph = selectors.graph_for_analysis(country=run.country)
        results = analysis.analyse(graph["nodes"], graph["edges"], home_iso3=settings.NETWORK_HOME_JURISDICTION)
    except Exception as exc:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        run.refresh_from_db()
        raise
    run.status = AnalysisRun.Status.SUCCEEDED
    run.results = results
    run.actors_count = len(graph["nodes"])
    run.relationships_count = len(graph["edges"])
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "results", "actors_count", "relationships_count", "finished_at"])
    return run
