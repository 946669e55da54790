"""Writes around the pure parsers: each import is one DatasetImport row and one all-or-nothing transaction.

Re-importing a file whose bytes were already imported successfully (under any source) and the same mapping version
creates nothing: the earlier import is returned. Under a newer mapping version the file is imported again and the
earlier import's assessments stop counting (see duplicates.py). After a successful import, `assessments_imported` is
sent once the transaction commits, so the scoring engine recomputes the affected countries.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from core.roles import Role, can_administer, has_role, is_desk_analyst
from core.services import outbox_enqueue
from indicators.crosswalk import CountryCrosswalk
from indicators.heartbeat import heartbeat
from indicators.importers import PARSERS
from indicators.importers.base import AssessmentRecord, ParserContext, ParseResult, RowError
from indicators.importers.demonstration import demonstration_data_retire
from indicators.importers.duplicates import (  # noqa: F401  (re-exported: callers and tests read them here)
    dataset_import_duplicate,
    dataset_import_duplicate_locked,
    dataset_import_pending,
    remap_summary,
    superseded_country_ids,
)
from indicators.importers.extension_sources import (
    analyst_may_upload,
    is_registered,
    registered_import_execute,
    source_label,
    source_names,
    takes_default_country,
)
from indicators.importers.mappings import MAPPING_VERSION
from indicators.models import Assessment, Country, DatasetImport, Indicator
from indicators.signals import assessments_imported

BATCH_SIZE = 2000
MAX_STORED_ERRORS = 10_000
UPLOAD_DIR_NAME = "imports"
# Registered names of the tasks in indicators.importers.tasks, enqueued through the outbox.
DATASET_IMPORT_TASK = "indicators.importers.dataset_import"
DATASET_IMPORTS_IN_ORDER_TASK = "indicators.importers.dataset_imports_in_order"

INTERRUPTED_REASON = "The import was interrupted (Ctrl-C) before it finished; nothing was imported. Run it again."

# progress(done, total, stage): called as the import advances; the command draws its progress bar from it.
Progress = Callable[[int, int, str], None]


def dataset_import_permission_check(*, user, source: str) -> None:
    """Administrators import any source; analysts only the generic CSV (for their own desk's countries)."""
    known = source_names()
    if source not in known:
        raise ValidationError({"source": f"Unknown source {source!r}; choose one of {', '.join(known)}."})
    if user is None or can_administer(user):
        return
    if has_role(user, Role.ANALYST) and analyst_may_upload(source):
        return
    if has_role(user, Role.ANALYST):
        raise PermissionDenied(f"Only administrators import the {source_label(source)} dataset.")
    raise PermissionDenied("Only analysts and administrators import data.")


def _default_country_summary(source: str, default_country: str) -> dict:
    """The import's starting summary: the default country, for a source that takes one (refused for any other)."""
    code = (default_country or "").strip().upper()
    if not code:
        return {}
    if not takes_default_country(source):
        raise ValidationError({"default_country": f"The {source_label(source)} source takes no default country."})
    return {"default_country": code}


def dataset_import_run(
    *,
    source: str,
    path_or_file: str | Path | IO[bytes],
    started_by=None,
    skip_invalid: bool = False,
    default_country: str = "",
    progress: Progress | None = None,
) -> DatasetImport:
    """Import one file now, in this process (a command in a terminal), and return its DatasetImport, or the earlier
    import of the same bytes (untouched, with `reused` set) so nothing is created twice."""
    dataset_import_permission_check(user=started_by, source=source)
    summary = _default_country_summary(source, default_country)
    return dataset_import_inline(
        path_or_file=path_or_file,
        duplicate=lambda checksum: dataset_import_duplicate(checksum=checksum, source=source),
        fields=lambda checksum: {
            "source": source,
            "mapping_version": MAPPING_VERSION,
            "skip_invalid": skip_invalid,
            "started_by": started_by,
            "summary": {**summary, **remap_summary(checksum=checksum, source=source)},
        },
        execute=lambda dataset_import, raw: dataset_import_execute(
            dataset_import=dataset_import, raw=raw, progress=progress
        ),
    )


def dataset_import_inline(
    *,
    path_or_file: str | Path | IO[bytes],
    duplicate: Callable[[str], DatasetImport | None],
    fields: Callable[[str], dict],
    execute: Callable[[DatasetImport, bytes], DatasetImport],
    default_name: str = "upload.csv",
) -> DatasetImport:
    """Run an import in this process (import_data, seed_demo), for every importer: the earlier import of the same
    bytes (`duplicate(checksum)`) is returned untouched with `reused` set; otherwise a new import with
    `fields(checksum)` is `execute`d under the same heartbeat as a worker's, so the reaper fails it if this process is
    killed (reaping.py), and Ctrl-C fails it at once as interrupted."""
    raw, file_name = upload_read(path_or_file, default_name=default_name)
    checksum = hashlib.sha256(raw).hexdigest()
    earlier = duplicate(checksum)
    if earlier is not None:
        earlier.reused = True
        return earlier
    dataset_import = DatasetImport.objects.create(
        file_name=file_name,
        checksum=checksum,
        file_path=str(path_or_file) if isinstance(path_or_file, str | Path) else "",
        inline=True,
        # Running from the first moment: never "queued", where the lost-message sweep would hand it to a worker.
        status=DatasetImport.Status.RUNNING,
        started_at=timezone.now(),
        **fields(checksum),
    )
    try:
        with heartbeat(DatasetImport, dataset_import.pk):
            return execute(dataset_import, raw)
    except KeyboardInterrupt:
        # Ctrl-C in the terminal: the write transaction is already rolled back; say so now rather than leave the
        # import running until the reaper finds its heartbeat stale.
        _interrupted(dataset_import)
        raise


def dataset_import_enqueue(
    *,
    source: str,
    path_or_file: str | Path | IO[bytes],
    started_by=None,
    skip_invalid: bool = False,
    default_country: str = "",
    send: bool = True,
) -> tuple[DatasetImport, bool]:
    """Queue an import for the Celery worker; returns (import, queued). A file already imported is not queued again.

    An uploaded file is kept under VAR_DIR/imports until the worker has read it; a path is read where it lies. With
    send=False the row is created but the caller sends the task (to chain several imports).
    """

    dataset_import_permission_check(user=started_by, source=source)
    summary = _default_country_summary(source, default_country)
    raw, file_name = upload_read(path_or_file)
    if not isinstance(path_or_file, str | Path):
        limit = settings.ASSESSMENT_UPLOAD_MAX_BYTES
        if len(raw) > limit:
            raise ValidationError(
                {"file": f"The file is {_megabytes(len(raw))}; uploads are limited to {_megabytes(limit)}."}
            )
    checksum = hashlib.sha256(raw).hexdigest()
    earlier = dataset_import_duplicate(checksum=checksum, source=source) or dataset_import_pending(
        checksum=checksum, source=source
    )
    if earlier is not None:
        return earlier, False
    if isinstance(path_or_file, str | Path):
        file_path = str(Path(path_or_file).resolve())
    else:
        upload_dir = Path(settings.VAR_DIR) / UPLOAD_DIR_NAME
        upload_dir.mkdir(parents=True, exist_ok=True)
        stored = upload_dir / f"{uuid.uuid4().hex}.csv"
        stored.write_bytes(raw)
        file_path = str(stored)
    with transaction.atomic():
        dataset_import = DatasetImport.objects.create(
            source=source,
            file_name=file_name,
            checksum=checksum,
            mapping_version=MAPPING_VERSION,
            skip_invalid=skip_invalid,
            started_by=started_by,
            file_path=file_path,
            summary={**summary, **remap_summary(checksum=checksum, source=source)},
        )
        if send:
            outbox_enqueue(DATASET_IMPORT_TASK, kwargs={"dataset_import_id": dataset_import.pk})
    return dataset_import, True


def dataset_import_execute(
    *, dataset_import: DatasetImport, raw: bytes | None = None, progress: Progress | None = None
) -> DatasetImport:
    """Parse, validate against the database, and write every assessment in one transaction, or none."""
    earlier = dataset_import_duplicate(checksum=dataset_import.checksum, source=dataset_import.source)
    if earlier is not None and earlier.pk != dataset_import.pk:
        return _finish_duplicate(dataset_import, earlier)
    _set_progress(dataset_import, 2, progress, "reading", status=DatasetImport.Status.RUNNING)
    try:
        if raw is None:
            raw = Path(dataset_import.file_path).read_bytes()
        if is_registered(dataset_import.source):
            return registered_import_execute(dataset_import=dataset_import, raw=raw, progress=progress)
        indicators = {indicator.code: indicator for indicator in _active_indicators()}
        context = ParserContext(
            crosswalk=CountryCrosswalk.default(),
            indicator_codes=frozenset(indicators),
            today=timezone.localdate(),
        )
        result = PARSERS[dataset_import.source](raw, context)
        _set_progress(dataset_import, 40, progress, "validating")
        countries = _check_countries(result, dataset_import)
        return _write(dataset_import, result, countries, indicators, progress)
    except Exception as exc:
        _fail(dataset_import, [RowError(None, None, f"the import stopped: {exc}")], ParseResult())
        raise


def _interrupted(dataset_import: DatasetImport) -> None:
    """Fail the import as interrupted, unless it already ended (Ctrl-C just after its transaction committed)."""
    DatasetImport.objects.filter(pk=dataset_import.pk, status=DatasetImport.Status.RUNNING).update(
        status=DatasetImport.Status.FAILED,
        progress=100,
        finished_at=timezone.now(),
        error_summary=INTERRUPTED_REASON,
    )


def upload_read(path_or_file: str | Path | IO[bytes], *, default_name: str = "upload.csv") -> tuple[bytes, str]:
    """The bytes and file name of a path or an uploaded file (read from its start), for every importer."""
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        if not path.is_file():
            raise ValidationError({"file": f"No file at {path}."})
        return path.read_bytes(), path.name
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    raw = path_or_file.read()
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return raw, Path(getattr(path_or_file, "name", "") or default_name).name


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _active_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(framework__is_active=True, is_retired=False))


def _check_countries(result: ParseResult, dataset_import: DatasetImport) -> dict[str, Country]:
    """Every record's country must be in the country list, and an analyst's upload must stay on their desk."""
    wanted = {record.iso3 for record in result.records}
    countries = Country.objects.select_related("desk").in_bulk(list(wanted), field_name="iso3")
    user = dataset_import.started_by
    desk_bound = user is not None and not can_administer(user)
    for record in result.records:
        country = countries.get(record.iso3)
        if country is None:
            result.error(record.row, record.country_column, "unknown country: not in the country list", record.iso3)
        elif desk_bound and not is_desk_analyst(user, country):
            desk = country.desk.name if country.desk else "no desk"
            result.error(
                record.row,
                record.country_column,
                f"{country.name} belongs to {desk}; analysts import only for their own desk's countries",
                record.iso3,
            )
    return countries


def _write(
    dataset_import: DatasetImport,
    result: ParseResult,
    countries: dict[str, Country],
    indicators: dict[str, Indicator],
    progress: Progress | None,
) -> DatasetImport:
    errors = sorted(result.errors, key=lambda error: (error.row or 0, error.column or ""))
    if result.fatal or (errors and not dataset_import.skip_invalid):
        return _fail(dataset_import, errors, result)
    records = [record for record in result.records if record.row not in result.invalid_rows]
    if not records and errors:
        return _fail(dataset_import, errors, result)
    author = dataset_import.started_by if dataset_import.source == "csv" else None
    assessments = [_assessment(record, countries, indicators, dataset_import, author) for record in records]
    total = len(assessments)
    with transaction.atomic():
        if (earlier := dataset_import_duplicate_locked(dataset_import)) is not None:
            return _finish_duplicate(dataset_import, earlier)
        for start in range(0, total, BATCH_SIZE):
            Assessment.objects.bulk_create(assessments[start : start + BATCH_SIZE], batch_size=BATCH_SIZE)
            if progress:
                progress(min(start + BATCH_SIZE, total), total, "writing")
        assessed_ids = {countries[record.iso3].pk for record in records}
        country_ids = sorted(assessed_ids | superseded_country_ids(dataset_import))
        _save_outcome(
            dataset_import,
            status=DatasetImport.Status.SUCCEEDED,
            result=result,
            errors=errors,
            created=total,
            skipped=len(result.invalid_rows),
            summary_line=_success_line(total, len(assessed_ids), len(result.invalid_rows)),
        )
        # The first real data retires the demonstration data in this same transaction.
        retired = demonstration_data_retire(dataset_import=dataset_import)
        # Recorded with the assessments: a recompute request lost after the commit is made good from it.
        dataset_import.score_country_ids = sorted({*country_ids, *retired})
        dataset_import.save(update_fields=["score_country_ids"])
        # robust: a failing listener (scoring, alerts) is logged and must not turn a committed import into an error.
        transaction.on_commit(
            lambda: assessments_imported.send(
                sender=DatasetImport, dataset_import=dataset_import, country_ids=country_ids
            ),
            robust=True,
        )
    if progress:
        progress(total, total, "done")
    return dataset_import


def _assessment(
    record: AssessmentRecord,
    countries: dict[str, Country],
    indicators: dict[str, Indicator],
    dataset_import: DatasetImport,
    author,
) -> Assessment:
    return Assessment(
        country=countries[record.iso3],
        indicator=indicators[record.indicator],
        observed_on=record.observed_on,
        severity=record.severity,
        confidence=record.confidence,
        source=record.source[:500],
        evidence=record.evidence,
        author=author,
        dataset_import=dataset_import,
    )


def _success_line(created: int, countries: int, skipped: int) -> str:
    line = f"Created {created} assessment{pluralize(created)} for {countries} countr{pluralize(countries, 'y,ies')}."
    if skipped:
        line += f" Skipped {skipped} invalid row{pluralize(skipped)} (listed below)."
    return line


def _fail(dataset_import: DatasetImport, errors: list[RowError], result: ParseResult) -> DatasetImport:
    first = errors[0] if errors else None
    line = f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found; nothing was imported."
    if first is not None:
        line += f" First: {first}."
    if errors and not result.fatal and not dataset_import.skip_invalid:
        line += " Fix the file, or import with skip-invalid to import the valid rows and list the others."
    _save_outcome(
        dataset_import,
        status=DatasetImport.Status.FAILED,
        result=result,
        errors=errors,
        created=0,
        skipped=0,
        summary_line=line,
    )
    return dataset_import


def _finish_duplicate(dataset_import: DatasetImport, earlier: DatasetImport) -> DatasetImport:
    line = (
        f"This file was already imported on {timezone.localtime(earlier.finished_at or earlier.created_at):%Y-%m-%d} "
        f"as import #{earlier.pk} ({earlier.rows_created} assessments); nothing new was created."
    )
    dataset_import.status = DatasetImport.Status.SUCCEEDED
    dataset_import.progress = 100
    dataset_import.summary = {"duplicate_of": earlier.pk}
    dataset_import.error_summary = line
    dataset_import.finished_at = timezone.now()
    dataset_import.save(update_fields=["status", "progress", "summary", "error_summary", "finished_at"])
    return dataset_import


def _save_outcome(
    dataset_import: DatasetImport,
    *,
    status: str,
    result: ParseResult,
    errors: list[RowError],
    created: int,
    skipped: int,
    summary_line: str,
) -> None:
    stored = [error.as_dict() for error in errors[:MAX_STORED_ERRORS]]
    if len(errors) > MAX_STORED_ERRORS:
        stored.append(
            {"row": None, "column": None, "message": f"and {len(errors) - MAX_STORED_ERRORS} more", "value": ""}
        )
    dataset_import.status = status
    dataset_import.rows_read = result.rows_read
    dataset_import.rows_created = created
    dataset_import.rows_skipped = skipped
    dataset_import.errors = stored
    dataset_import.error_summary = summary_line
    remaps = (dataset_import.summary or {}).get("remaps")
    dataset_import.summary = result.summary() | ({"remaps": remaps} if remaps else {})
    dataset_import.progress = 100
    dataset_import.finished_at = timezone.now()
    dataset_import.save(
        update_fields=[
            "status",
            "rows_read",
            "rows_created",
            "rows_skipped",
            "errors",
            "error_summary",
            "summary",
            "progress",
            "finished_at",
        ]
    )


def _set_progress(
    dataset_import: DatasetImport, percent: int, progress: Progress | None, stage: str, status: str | None = None
) -> None:
    """Record progress outside the write transaction so the import page can show it while the import runs."""
    updates: dict = {"progress": percent}
    if status is not None:
        updates["status"] = status
        updates["started_at"] = timezone.now()
    DatasetImport.objects.filter(pk=dataset_import.pk).update(**updates)
    for field, value in updates.items():
        setattr(dataset_import, field, value)
    if progress:
        progress(percent, 100, stage)


def dataset_imports_enqueue_real_data(*, data_dir: Path, started_by=None, now: bool = False) -> list[DatasetImport]:
    """Queue (or, with now=True, run) the import of every real dataset found under data_dir, with skip-invalid so the
    few rows the crosswalk cannot place are listed rather than blocking the rest. Files already imported are skipped
    by checksum, so this is safe on every start. Queued imports run one after another in a single task (see
    dataset_imports_in_order_task)."""
    from indicators.importers import REAL_DATA_FILES

    imports: list[DatasetImport] = []
    queued_ids: list[int] = []
    for source, relative in REAL_DATA_FILES:
        path = Path(data_dir) / relative
        if not path.is_file():
            continue
        if now:
            imports.append(
                dataset_import_run(source=source, path_or_file=path, started_by=started_by, skip_invalid=True)
            )
            continue
        dataset_import, queued = dataset_import_enqueue(
            source=source, path_or_file=path, started_by=started_by, skip_invalid=True, send=False
        )
        imports.append(dataset_import)
        # A still-queued import from an earlier start is sent again in case its message was lost; the task claims
        # the row with a conditional update, so a second delivery does nothing.
        if queued or dataset_import.status == DatasetImport.Status.QUEUED:
            queued_ids.append(dataset_import.pk)
    if queued_ids:
        outbox_enqueue(DATASET_IMPORTS_IN_ORDER_TASK, kwargs={"dataset_import_ids": queued_ids})
    return imports
