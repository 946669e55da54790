"""Imports whose process died while importing (no heartbeat for RUN_STALE_SECONDS: a worker, or `import_data` in a
terminal, killed by SIGKILL or the OOM killer, or the terminal closed): failed with the reason by the runs reaper's
beat task; a worker's import is queued once more, a terminal one is left to the user to run again."""

from __future__ import annotations

import shlex
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.services import outbox_enqueue
from indicators.heartbeat import heartbeat_stale_before
from indicators.importers.mappings import MAPPING_VERSION
from indicators.importers.services import DATASET_IMPORT_TASK
from indicators.models import DatasetImport


def dataset_imports_reap(*, now=None) -> list[int]:
    """Fail every running import whose heartbeat is older than RUN_STALE_SECONDS (or that never stamped one and
    started that long ago), with the reason. A worker's import is queued once more as a new import (not again if it
    was itself such a re-run); a terminal one is left to the user, whose disk holds its file. Returns the new imports'
    ids."""
    now = now or timezone.now()
    cutoff = heartbeat_stale_before(now)
    requeued: list[int] = []
    stale = DatasetImport.objects.filter(status=DatasetImport.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    for dataset_import in stale.order_by("pk"):
        again = (
            not dataset_import.inline
            and dataset_import.rerun_of_id is None
            and Path(dataset_import.file_path or "/nonexistent").is_file()
        )
        with transaction.atomic():
            claimed = DatasetImport.objects.filter(
                pk=dataset_import.pk, status=DatasetImport.Status.RUNNING, heartbeat_at=dataset_import.heartbeat_at
            ).update(
                status=DatasetImport.Status.FAILED,
                progress=100,
                finished_at=now,
                error_summary=_dead_reason(dataset_import, again=again),
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


def _dead_reason(dataset_import: DatasetImport, *, again: bool) -> str:
    last = timezone.localtime(dataset_import.heartbeat_at or dataset_import.started_at)
    stopped = f"stopped without finishing (no heartbeat since {last:%Y-%m-%d %H:%M:%S}); nothing was imported"
    if dataset_import.inline:
        # A worker may not see a file on the user's disk (and the raw bytes are not kept), so it is not queued.
        return (
            f"The command importing this file in a terminal {stopped}. It was not queued for a worker: "
            f"run {_import_command(dataset_import)} again."
        )
    return f"The worker importing this file {stopped}" + (
        "; the file was queued once more." if again else "; it was not queued again."
    )


def _import_command(dataset_import: DatasetImport) -> str:
    """The import_data command that repeats a terminal's import word for word: its options too (a real dataset's
    import needs --skip-invalid) and its path quoted for the shell; seed_demo for its demo network, read from no
    file."""
    if dataset_import.demonstration:
        return "manage.py seed_demo"
    words = ["manage.py", "import_data", dataset_import.source, dataset_import.file_path or dataset_import.file_name]
    if dataset_import.skip_invalid:
        words.append("--skip-invalid")
    if default_country := (dataset_import.summary or {}).get("default_country"):
        words += ["--default-country", default_country]
    return shlex.join(words)
