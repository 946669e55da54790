"""Dataset sources that higher apps register in core.extensions.importer_sources (forecasts' `ewp_basedata`,
networks' `ftm`): the import machinery records and queues them like the assessment importers, and hands the bytes to
the registered `run`, which writes the app's own tables."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from core import extensions
from indicators.importers.mappings import SOURCES
from indicators.models import DatasetImport


def source_names() -> list[str]:
    """Every source an import may name: the assessment importers' and the registered ones."""
    return [*SOURCES, *(source.name for source in extensions.importer_sources if source.name not in SOURCES)]


def source_label(name: str) -> str:
    if name in SOURCES:
        return SOURCES[name].label
    registered = extensions.importer_sources.get(name)
    return registered.label if registered else name


def analyst_may_upload(name: str) -> bool:
    if name in SOURCES:
        return SOURCES[name].analyst_may_upload
    registered = extensions.importer_sources.get(name)
    return bool(registered and registered.analyst_may_upload)


def is_registered(name: str) -> bool:
    return name not in SOURCES and extensions.importer_sources.get(name) is not None


def registered_import_execute(*, dataset_import: DatasetImport, raw: bytes, progress=None) -> DatasetImport:
    """Run a registered source's importer on the bytes and record its outcome on the import row."""
    source = extensions.importer_sources.get(dataset_import.source)
    try:
        outcome = source.run(raw=raw, dataset_import=dataset_import, progress=progress)
    except ValidationError as exc:
        errors = [{"row": None, "column": None, "message": message, "value": ""} for message in exc.messages]
        return _record(
            dataset_import,
            DatasetImport.Status.FAILED,
            rows_read=0,
            created=0,
            skipped=0,
            message="Nothing was imported: " + " ".join(exc.messages),
            summary={},
            errors=errors,
        )
    return _record(
        dataset_import,
        DatasetImport.Status.SUCCEEDED,
        rows_read=outcome.rows_read,
        created=outcome.created,
        skipped=outcome.skipped,
        message=outcome.message,
        summary=outcome.summary,
        errors=[],
    )


def _record(dataset_import: DatasetImport, status: str, *, rows_read, created, skipped, message, summary, errors):
    fields = {
        "status": status,
        "rows_read": rows_read,
        "rows_created": created,
        "rows_skipped": skipped,
        "error_summary": message,
        "summary": summary,
        "errors": errors,
        "progress": 100,
        "finished_at": timezone.now(),
    }
    for name, value in fields.items():
        setattr(dataset_import, name, value)
    dataset_import.save(update_fields=list(fields))
    return dataset_import
