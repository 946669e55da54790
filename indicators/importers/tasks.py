"""Celery task for imports started from the upload page or seed_demo: takes an id, calls the service."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from indicators.importers.services import UPLOAD_DIR_NAME, dataset_import_execute
from indicators.models import DatasetImport


@shared_task(name="indicators.importers.dataset_import", acks_late=True)
def dataset_import_task(dataset_import_id: int) -> str:
    """Run one queued import; a second delivery of the same message finds it claimed and does nothing."""
    claimed = DatasetImport.objects.filter(pk=dataset_import_id, status=DatasetImport.Status.QUEUED).update(
        status=DatasetImport.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "already claimed"
    dataset_import = DatasetImport.objects.select_related("started_by").get(pk=dataset_import_id)
    try:
        dataset_import_execute(dataset_import=dataset_import)
    finally:
        _remove_upload(dataset_import)
    return dataset_import.status


def _remove_upload(dataset_import: DatasetImport) -> None:
    # Uploaded copies live under VAR_DIR/imports only until imported; dataset files elsewhere are never touched.
    path = Path(dataset_import.file_path) if dataset_import.file_path else None
    upload_dir = (Path(settings.VAR_DIR) / UPLOAD_DIR_NAME).resolve()
    if path is not None and path.resolve().parent == upload_dir:
        path.unlink(missing_ok=True)
