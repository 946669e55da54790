"""Dataset sources that higher apps register in core.extensions.importer_sources (forecasts' `ewp_basedata`,
networks' `ftm`): the import machinery records and queues them like the assessment importers, and hands the bytes to
the registered `run`, which writes the app's own tables."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import extensions
from indicators.importers.demonstration import demonstration_data_retire
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


def takes_default_country(name: str) -> bool:
    registered = None if name in SOURCES else extensions.importer_sources.get(name)
    return bool(registered and registered.takes_default_country)


def is_registered(name: str) -> bool:
    return name not in SOURCES and extensions.importer_sources.get(name) is not None


def registered_import_execute(*, dataset_import: DatasetImport, raw: bytes, progress=None) -> DatasetImport:
    """Run a registered source's importer on the bytes and record its outcome on the import row, in one transaction:
    an import interrupted or killed after the importer wrote its rows leaves neither them nor a success behind."""
    source = extensions.importer_sources.get(dataset_import.source)
    with transaction.atomic():
        try:
            outcome = source.run(raw=raw, dataset_import=dataset_import, progress=progress)
        except ValidationError as exc:
            errors = [_located(error) for error in exc.error_list]
            return _record(
                dataset_import,
                DatasetImport.Status.FAILED,
                rows_read=0,
                created=0,
                skipped=0,
                message=_refusal_line(exc.messages),
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
            errors=list(outcome.errors),
        )


def _refusal_line(messages: list[str]) -> str:
    if len(messages) == 1:
        return f"Nothing was imported: {messages[0]}"
    return f"{len(messages)} problems found; nothing was imported. First: {messages[0]}."


def _located(error: ValidationError) -> dict:
    """An importer's error as the import page lists it: with row, column and value when the importer gave them
    (as params), so a located problem is never flattened into a bare message."""
    params = error.params or {}
    message = error.message % params if params and "%(" in error.message else error.message
    return {
        "row": params.get("row"),
        "column": params.get("column"),
        "message": message,
        "value": params.get("value", ""),
    }


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
    with transaction.atomic():
        dataset_import.save(update_fields=list(fields))
        # A registered dataset (an actor network, the forecast's data) is real data too: the first retires the demo.
        demonstration_data_retire(dataset_import=dataset_import)
    return dataset_import
