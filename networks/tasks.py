"""Celery tasks of the actor network: a queued FtM import and a queued analysis run. Each looks its row up by id,
claims it with a conditional update (a second delivery does nothing) and calls a service. A beat task queues again
the ones whose message was lost."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from indicators.heartbeat import heartbeat
from indicators.models import DatasetImport
from networks.models import AnalysisRun
from networks.services import UPLOAD_DIR_NAME, analysis_run_execute, ftm_import_execute
from networks.services.lost_messages import analysis_runs_requeue_lost

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def ftm_import_task(dataset_import_id: int) -> str:
    """Run one queued FtM import; the outcome (or the failure) is recorded on the import."""
    claimed = DatasetImport.objects.filter(pk=dataset_import_id, status=DatasetImport.Status.QUEUED).update(
        status=DatasetImport.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "already claimed"
    dataset_import = DatasetImport.objects.select_related("started_by").get(pk=dataset_import_id)
    try:
        # Stamped like every import, so if this worker dies the reaper fails the import and queues its file again.
        with heartbeat(DatasetImport, dataset_import.pk):
            ftm_import_execute(dataset_import=dataset_import)
    except Exception:
        logger.exception("FtM import %s failed", dataset_import_id)
    path = Path(dataset_import.file_path) if dataset_import.file_path else None
    if path is not None and path.resolve().parent == (Path(settings.VAR_DIR) / UPLOAD_DIR_NAME).resolve():
        path.unlink(missing_ok=True)
    dataset_import.refresh_from_db(fields=["status"])
    return dataset_import.status


@shared_task(acks_late=True)
def analysis_run_task(run_id: int) -> str:
    """Compute one queued analysis run."""
    claimed = AnalysisRun.objects.filter(pk=run_id, status=AnalysisRun.Status.QUEUED).update(
        status=AnalysisRun.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "already claimed"
    run = AnalysisRun.objects.select_related("country").get(pk=run_id)
    try:
        analysis_run_execute(run=run)
    except Exception:
        logger.exception("network analysis run %s failed", run_id)
    run.refresh_from_db(fields=["status"])
    return run.status


@shared_task
def analysis_runs_requeue_lost_task() -> dict[str, list[int]]:
    """Every minute: queued analysis runs whose task message was lost are queued again."""
    return analysis_runs_requeue_lost()
