"""Celery tasks for imports started from the upload page (one file) or seed_demo (every real dataset, in order)."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from core.retry import RETRY_OPTIONS
from indicators.heartbeat import heartbeat
from indicators.importers.services import UPLOAD_DIR_NAME, dataset_import_execute
from indicators.models import DatasetImport

logger = logging.getLogger(__name__)

# The project's retry policy, applied by hand: the import row goes back to the queue before each retry.
MAX_RETRIES = RETRY_OPTIONS["max_retries"]


def _retry_countdown(retries: int) -> int:
    """Seconds before the next attempt: the policy's backoff, doubling up to its ceiling."""
    return min(RETRY_OPTIONS["retry_backoff"] * 2**retries, RETRY_OPTIONS["retry_backoff_max"])


@shared_task(bind=True, name="indicators.importers.dataset_import", acks_late=True, max_retries=MAX_RETRIES)
def dataset_import_task(self, dataset_import_id: int) -> str:
    """Run one queued import; a second delivery of the same message finds it claimed and does nothing.

    A locked database (SQLite while a score run writes) is transient: the import goes back to the queue and is retried
    with a growing delay. Any other failure is recorded on the import and not raised.
    """
    dataset_import = _claim(dataset_import_id)
    if dataset_import is None:
        return "already claimed"
    try:
        with heartbeat(DatasetImport, dataset_import.pk):
            dataset_import_execute(dataset_import=dataset_import)
    except OperationalError as exc:
        if self.request.retries < MAX_RETRIES:
            _requeue(dataset_import_id, exc, attempt=self.request.retries + 1)
            raise self.retry(exc=exc, countdown=_retry_countdown(self.request.retries)) from exc
        _give_up(dataset_import_id, exc)
    except Exception:
        logger.exception("dataset import %s failed", dataset_import_id)
    return _finish(dataset_import)


@shared_task(bind=True, name="indicators.importers.dataset_imports_in_order", acks_late=True, max_retries=MAX_RETRIES)
def dataset_imports_in_order_task(self, dataset_import_ids: list[int]) -> list[str]:
    """Run several queued imports one after another in one task (seed_demo's real data).

    One message, sent first, instead of a chain: each link of a chain is sent only when the previous one ends, so it
    would queue behind every message sent meanwhile. Running them in order also keeps SQLite's single writer free
    of import-against-import contention. A locked database sends the import back to the queue and retries the task
    from that import on, with the retry policy's backoff, instead of holding the worker.
    """
    outcomes = []
    for index, dataset_import_id in enumerate(dataset_import_ids):
        dataset_import = _claim(dataset_import_id)
        if dataset_import is None:
            outcomes.append("already claimed")
            continue
        try:
            with heartbeat(DatasetImport, dataset_import.pk):
                dataset_import_execute(dataset_import=dataset_import)
        except OperationalError as exc:
            if self.request.retries < MAX_RETRIES:
                _requeue(dataset_import_id, exc, attempt=self.request.retries + 1)
                remaining = list(dataset_import_ids[index:])
                raise self.retry(args=[remaining], exc=exc, countdown=_retry_countdown(self.request.retries)) from exc
            _give_up(dataset_import_id, exc)
        except Exception:
            logger.exception("dataset import %s failed", dataset_import_id)
        outcomes.append(_finish(dataset_import))
    return outcomes


def _claim(dataset_import_id: int) -> DatasetImport | None:
    claimed = DatasetImport.objects.filter(pk=dataset_import_id, status=DatasetImport.Status.QUEUED).update(
        status=DatasetImport.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    return DatasetImport.objects.select_related("started_by").get(pk=dataset_import_id)


def _requeue(dataset_import_id: int, exc: Exception, *, attempt: int) -> None:
    DatasetImport.objects.filter(pk=dataset_import_id).update(
        status=DatasetImport.Status.QUEUED,
        progress=0,
        errors=[],
        error_summary=f"Waiting to retry ({attempt} of {MAX_RETRIES}): {exc}.",
        # Handed over again now: the lost-message sweep counts from here, not from when the import was asked for.
        requeued_at=timezone.now(),
    )


def _give_up(dataset_import_id: int, exc: Exception) -> None:
    logger.error("dataset import %s failed after %s retries: %s", dataset_import_id, MAX_RETRIES, exc)
    DatasetImport.objects.filter(pk=dataset_import_id).update(
        status=DatasetImport.Status.FAILED,
        progress=100,
        finished_at=timezone.now(),
        error_summary=f"The database stayed busy through {MAX_RETRIES} retries ({exc}); nothing was imported.",
    )


def _finish(dataset_import: DatasetImport) -> str:
    # Uploaded copies live under VAR_DIR/imports only until imported; dataset files elsewhere are never touched.
    path = Path(dataset_import.file_path) if dataset_import.file_path else None
    upload_dir = (Path(settings.VAR_DIR) / UPLOAD_DIR_NAME).resolve()
    if path is not None and path.resolve().parent == upload_dir:
        path.unlink(missing_ok=True)
    dataset_import.refresh_from_db(fields=["status"])
    return dataset_import.status
