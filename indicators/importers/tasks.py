"""Celery task for imports started from the upload page or seed_demo: takes an id, calls the service."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from indicators.importers.services import UPLOAD_DIR_NAME, dataset_import_execute
from indicators.models import DatasetImport

logger = logging.getLogger(__name__)

MAX_RETRIES = 6
RETRY_SECONDS = 30


@shared_task(bind=True, name="indicators.importers.dataset_import", acks_late=True, max_retries=MAX_RETRIES)
def dataset_import_task(self, dataset_import_id: int) -> str:
    """Run one queued import; a second delivery of the same message finds it claimed and does nothing.

    A locked database (SQLite while a score run writes) is transient: the import goes back to the queue and is retried
    with a growing delay. Any other failure is recorded on the import and not raised, so the next import of a
    seed_demo chain still runs.
    """
    claimed = DatasetImport.objects.filter(pk=dataset_import_id, status=DatasetImport.Status.QUEUED).update(
        status=DatasetImport.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "already claimed"
    dataset_import = DatasetImport.objects.select_related("started_by").get(pk=dataset_import_id)
    try:
        dataset_import_execute(dataset_import=dataset_import)
    except OperationalError as exc:
        if self.request.retries < MAX_RETRIES:
            DatasetImport.objects.filter(pk=dataset_import_id).update(
                status=DatasetImport.Status.QUEUED,
                progress=0,
                errors=[],
                error_summary=f"Waiting to retry ({self.request.retries + 1} of {MAX_RETRIES}): {exc}.",
            )
            raise self.retry(exc=exc, countdown=RETRY_SECONDS * (self.request.retries + 1)) from exc
        logger.exception("dataset import %s failed after %s retries", dataset_import_id, MAX_RETRIES)
        DatasetImport.objects.filter(pk=dataset_import_id).update(
            status=DatasetImport.Status.FAILED,
            progress=100,
            finished_at=timezone.now(),
            error_summary=f"The database stayed busy through {MAX_RETRIES} retries ({exc}); nothing was imported.",
        )
    except Exception:
        logger.exception("dataset import %s failed", dataset_import_id)
    _remove_upload(dataset_import)
    dataset_import.refresh_from_db(fields=["status"])
    return dataset_import.status


def _remove_upload(dataset_import: DatasetImport) -> None:
    # Uploaded copies live under VAR_DIR/imports only until imported; dataset files elsewhere are never touched.
    path = Path(dataset_import.file_path) if dataset_import.file_path else None
    upload_dir = (Path(settings.VAR_DIR) / UPLOAD_DIR_NAME).resolve()
    if path is not None and path.resolve().parent == upload_dir:
        path.unlink(missing_ok=True)
