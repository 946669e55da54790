"""Queued network analyses whose task message was lost before a worker took it (core/lost_messages.py) are queued
again, a bounded number of times, by a beat task every minute. (A queued FtM import is a dataset import: the
indicators reaper queues it again, as it re-runs one whose worker died.)"""

from __future__ import annotations

from django.utils import timezone

from core.lost_messages import QueuedJobKind, queued_jobs_requeue
from networks.models import AnalysisRun

ANALYSIS_RUNS_QUEUED = QueuedJobKind(
    label="network analysis",
    waiting=lambda: AnalysisRun.objects.filter(status=AnalysisRun.Status.QUEUED),
    handed_over_field="created_at",
    task_name="networks.tasks.analysis_run_task",
    task_kwargs=lambda run: {"run_id": run.pk},
    give_up=lambda reason: {"status": AnalysisRun.Status.FAILED, "finished_at": timezone.now(), "error": reason},
)


def analysis_runs_requeue_lost(*, now=None) -> dict[str, list[int]]:
    """Queue again the analysis runs no worker took; returns the ids requeued and given up."""
    return queued_jobs_requeue(ANALYSIS_RUNS_QUEUED, now=now)
