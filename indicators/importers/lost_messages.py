"""Queued imports whose task message was lost before a worker took it (core/lost_messages.py): queued again by the
runs reaper's beat task, a bounded number of times, then failed with the reason."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from core.lost_messages import QueuedJobKind, queued_jobs_requeue
from indicators.heartbeat import heartbeat_stale_before
from indicators.importers.services import DATASET_IMPORT_TASK
from indicators.models import DatasetImport

# Queued imports of every source (the registered ones too, as `dataset_imports_reap` re-runs them), for
# `queued_jobs_requeue`; none is re-queued while an import runs, since queued ones wait behind it (imports of the
# real data run one at a time, in order).
DATASET_IMPORTS_QUEUED = QueuedJobKind(
    label="import",
    waiting=lambda: DatasetImport.objects.filter(status=DatasetImport.Status.QUEUED),
    handed_over_field="created_at",
    task_name=DATASET_IMPORT_TASK,
    task_kwargs=lambda dataset_import: {"dataset_import_id": dataset_import.pk},
    give_up=lambda reason: {
        "status": DatasetImport.Status.FAILED,
        "progress": 100,
        "finished_at": timezone.now(),
        "error_summary": reason,
    },
    busy=lambda: _imports_alive(),
)


def _imports_alive():
    """A worker's running imports with a sign of life: a fresh heartbeat, or none yet but started recently. A
    terminal's `import_data` (inline) holds no worker, so nothing queued waits behind it."""
    stale = heartbeat_stale_before(timezone.now())
    return DatasetImport.objects.filter(status=DatasetImport.Status.RUNNING, inline=False).filter(
        Q(heartbeat_at__gte=stale) | Q(heartbeat_at__isnull=True, started_at__gte=stale)
    )


def dataset_imports_requeue_lost(*, now=None) -> dict[str, list[int]]:
    """Queue again every queued import whose task message was lost before a worker took it (core/lost_messages.py)."""
    return queued_jobs_requeue(DATASET_IMPORTS_QUEUED, now=now)
