"""Imports whose process died while importing (no heartbeat for RUN_STALE_SECONDS: a worker killed by SIGKILL or the
OOM killer): failed with the reason by the runs reaper's beat task, and a worker's import queued once more."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.services import outbox_enqueue
from indicators.heartbeat import heartbeat_stale_before
from indicators.importers.mappings import MAPPING_VERSION
from indicators.importers.services import DATASET_IMPORT_TASK
from indicators.models import DatasetImport


def dataset_imports_reap(*, now=None) -> list[int]:
    """Fail every worker-run import whose heartbeat is older than RUN_STALE_SECONDS, with the reason, and queue its
    file once more as a new import (not again if it was itself such a re-run); returns the new imports' ids."""
    now = now or timezone.now()
    cutoff = heartbeat_stale_before(now)
    requeued: list[int] = []
    stale = DatasetImport.objects.filter(status=DatasetImport.Status.RUNNING, heartbeat_at__lt=cutoff)
    for dataset_import in stale.order_by("pk"):
        again = dataset_import.rerun_of_id is None and Path(dataset_import.file_path or "/nonexistent").is_file()
        last = timezone.localtime(dataset_import.heartbeat_at)
        reason = (
            f"The worker importing this file stopped without finishing (no heartbeat since {last:%Y-%m-%d %H:%M:%S}); "
            "nothing was imported" + ("; the file was queued once more." if again else "; it was not queued again.")
        )
        with transaction.atomic():
            claimed = DatasetImport.objects.filter(
                pk=dataset_import.pk, status=DatasetImport.Status.RUNNING, heartbeat_at=dataset_import.heartbeat_at
            ).update(
                status=DatasetImport.Status.FAILED,
                progress=100,
                finished_at=now,
                error_summary=reason,
                requeued=again,
            )
            if not claimed or not again:
                continue
            rerun = DatasetImport.objects.create(
                source=dataset_import.source,
                file_name=dataset_import.file_name,
                checksum=dataset_import.checksum,
                mapping_version=MAPPING_VERSION,
                skip_invalid=dataset_import.skip_invalid,
                started_by=dataset_import.started_by,
                file_path=dataset_import.file_path,
                rerun_of=dataset_import,
            )
            requeued.append(rerun.pk)
            outbox_enqueue(DATASET_IMPORT_TASK, kwargs={"dataset_import_id": rerun.pk})
    return requeued
