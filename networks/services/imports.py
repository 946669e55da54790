"""Importing FollowTheMoney files: permission, reading the upload, de-duplication, queueing and running an import."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.roles import Role, can_administer, has_role
from core.services import outbox_enqueue
from indicators.importers.demonstration import demonstration_data_retire
from indicators.importers.services import dataset_import_inline, upload_read
from indicators.models import DatasetImport
from networks import ftm
from networks.services.common import FTM_MAPPING_VERSION, FTM_SOURCE, MAX_STORED_ERRORS, UPLOAD_DIR_NAME, Progress
from networks.services.import_resolve import _default_sources, _resolve
from networks.services.import_write import FtmOutcome, _fail, _save, _write

# ------------------------------------------------------------------------------------------------------------------
# FollowTheMoney import


def ftm_import_permission_check(*, user) -> None:
    """Analysts (for their desk's countries) and administrators import FtM files."""
    if user is None or can_administer(user) or has_role(user, Role.ANALYST):
        return
    raise PermissionDenied("Only analysts and administrators import actor networks.")


def _duplicate(checksum: str) -> DatasetImport | None:
    return (
        DatasetImport.objects.filter(checksum=checksum, status=DatasetImport.Status.SUCCEEDED)
        .order_by("created_at")
        .first()
    )


def ftm_import_run(
    *,
    path_or_file: str | Path | IO[bytes],
    started_by=None,
    default_country: str = "",
    progress: Progress | None = None,
    demonstration: bool = False,
) -> DatasetImport:
    """Import an FtM JSON-lines file now, in this process (seed_demo's demo network), all or nothing, as
    dataset_import_run imports any other file: the same bytes imported before create nothing (the earlier import is
    returned with `reused` set). `demonstration` marks seed_demo's fictional network, which real data retires."""
    ftm_import_permission_check(user=started_by)
    return dataset_import_inline(
        path_or_file=path_or_file,
        default_name="upload.ftm.json",
        duplicate=_duplicate,
        fields=lambda checksum: {
            "source": FTM_SOURCE,
            "mapping_version": FTM_MAPPING_VERSION,
            "started_by": started_by,
            "summary": {"default_country": default_country.strip().upper()},
            "demonstration": demonstration,
        },
        execute=lambda dataset_import, raw: ftm_import_execute(
            dataset_import=dataset_import, raw=raw, progress=progress
        ),
    )


def ftm_import_enqueue(*, path_or_file: IO[bytes], started_by, default_country: str = "") -> tuple[DatasetImport, bool]:
    """Keep an uploaded file under VAR_DIR/imports and queue its import; (import, queued)."""
    ftm_import_permission_check(user=started_by)
    raw, file_name = upload_read(path_or_file, default_name="upload.ftm.json")
    limit = settings.ASSESSMENT_UPLOAD_MAX_BYTES
    if len(raw) > limit:
        raise ValidationError({"file": f"The file is larger than {limit // (1024 * 1024)} MB; split it."})
    checksum = hashlib.sha256(raw).hexdigest()
    earlier = _duplicate(checksum) or (
        DatasetImport.objects.filter(
            checksum=checksum, status__in=[DatasetImport.Status.QUEUED, DatasetImport.Status.RUNNING]
        ).first()
    )
    if earlier is not None:
        return earlier, False
    upload_dir = Path(settings.VAR_DIR) / UPLOAD_DIR_NAME
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = upload_dir / f"{uuid.uuid4().hex}.ftm.json"
    stored.write_bytes(raw)
    with transaction.atomic():
        dataset_import = DatasetImport.objects.create(
            source=FTM_SOURCE,
            file_name=file_name,
            checksum=checksum,
            mapping_version=FTM_MAPPING_VERSION,
            started_by=started_by,
            file_path=str(stored),
            summary={"default_country": default_country.strip().upper()},
        )
        outbox_enqueue("networks.tasks.ftm_import_task", kwargs={"dataset_import_id": dataset_import.pk})
    return dataset_import, True


def ftm_import_execute(
    *, dataset_import: DatasetImport, raw: bytes | None = None, progress: Progress | None = None
) -> DatasetImport:
    """Parse, check against the database and the importer's desks, then write everything in one transaction."""
    earlier = _duplicate(dataset_import.checksum)
    if earlier is not None and earlier.pk != dataset_import.pk:
        dataset_import.status = DatasetImport.Status.SUCCEEDED
        dataset_import.summary = {"duplicate_of": earlier.pk}
        dataset_import.error_summary = f"This file was already imported as import #{earlier.pk}; nothing new."
        dataset_import.progress = 100
        dataset_import.finished_at = timezone.now()
        dataset_import.save()
        return dataset_import
    DatasetImport.objects.filter(pk=dataset_import.pk).update(
        status=DatasetImport.Status.RUNNING, started_at=timezone.now(), progress=5
    )
    try:
        if raw is None:
            raw = Path(dataset_import.file_path).read_bytes()
        # The network's rows and the import's success commit together: a worker killed between them leaves neither,
        # so the reaper's "nothing was imported" is true and its re-run starts clean.
        with transaction.atomic():
            outcome = ftm_import_apply(dataset_import=dataset_import, raw=raw, progress=progress)
            _succeed(dataset_import, outcome)
    except FtmImportRefused as refused:
        return _fail(dataset_import, refused.parsed)
    except Exception as exc:
        # The success recorded in memory inside the rolled-back transaction (its counts) is not what the import did.
        dataset_import.refresh_from_db(fields=["summary"])
        parsed = ftm.FtmParse(errors=[ftm.LineError(None, f"the import stopped: {exc}")])
        _fail(dataset_import, parsed)
        raise
    return dataset_import


def _succeed(dataset_import: DatasetImport, outcome: FtmOutcome) -> None:
    _save(
        dataset_import,
        status=DatasetImport.Status.SUCCEEDED,
        parsed=outcome.parsed,
        summary=outcome.summary,
        line=outcome.line,
    )
    dataset_import.rows_created = outcome.changed
    dataset_import.save(update_fields=["rows_created"])
    # A real network is real data: the first real import retires the demonstration data (a demo one retires none).
    demonstration_data_retire(dataset_import=dataset_import)


class FtmImportRefused(Exception):
    """The file has problems (each named by line); nothing was written."""

    def __init__(self, parsed: ftm.FtmParse):
        super().__init__(f"{len(parsed.errors)} problems")
        self.parsed = parsed


def ftm_import_apply(*, dataset_import: DatasetImport, raw: bytes, progress: Progress | None = None) -> FtmOutcome:
    """Parse, check against the database and the importer's desks, then write everything in one transaction; raise
    FtmImportRefused (nothing written) when any line has a problem."""
    parsed = ftm.parse_ftm_lines(raw)
    if progress:
        progress(40, 100, "validating")
    resolved = _resolve(parsed, dataset_import)
    if parsed.errors:
        raise FtmImportRefused(parsed)
    _default_sources(parsed, dataset_import)
    return _write(dataset_import, parsed, resolved, progress)


def ftm_import_source_run(*, raw: bytes, dataset_import: DatasetImport, progress: Progress | None = None):
    """The `ftm` importer source of `manage.py import_data` and the shared upload page: the same all-or-nothing
    import, reported through the shared import row; every problem is named by its line."""
    from core.extensions import ImportOutcome

    try:
        outcome = ftm_import_apply(dataset_import=dataset_import, raw=raw, progress=progress)
    except FtmImportRefused as refused:
        errors = sorted(refused.parsed.errors, key=lambda error: error.line or 0)
        raise ValidationError([str(error) for error in errors[:MAX_STORED_ERRORS]]) from refused
    return ImportOutcome(
        rows_read=outcome.parsed.lines_read, created=outcome.changed, message=outcome.line, summary=outcome.summary
    )
