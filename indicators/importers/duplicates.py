"""Which earlier import a file's import repeats, and which imports a re-import under a newer mapping supersedes.

The same bytes imported again under the same mapping version create nothing (the earlier import is returned). Under a
newer mapping version (mappings.MAPPING_VERSION) they are imported again, because the mapping decides what the
assessments say; the earlier import's assessments stay in the database (assessments are append-only) but no longer
count for scoring: see `superseded_import_ids`. A registered source (which writes its own tables with no mapping) is
repeated by its bytes alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from indicators.importers.extension_sources import is_registered, source_names
from indicators.importers.mappings import MAPPING_VERSION, mappings_for
from indicators.models import Assessment, DatasetImport


def _same_dataset(checksum: str, source: str | None):
    """Imports of these bytes that count as the same import: under any assessment source and the current mapping
    version, but a registered source (which writes its own tables, e.g. the forecast's structural predictors) only
    under itself and whatever the mapping version, because the same file can feed both the assessments and that
    source."""
    imports = DatasetImport.objects.filter(checksum=checksum)
    if source is not None and is_registered(source):
        return imports.filter(source=source)
    if source is not None and not is_mapped(source):
        return imports.exclude(source__in=[name for name in source_names() if is_registered(name)])
    imports = imports.filter(mapping_version=MAPPING_VERSION)
    if source is None:
        return imports
    return imports.exclude(source__in=[name for name in source_names() if is_registered(name)])


def is_mapped(source: str) -> bool:
    """Whether a source's assessments come through variable mappings (every dataset), so that a newer mapping version
    changes what its file means; an analyst's own CSV ("csv") says its severities itself, so its bytes alone decide."""
    return bool(mappings_for(source))


def superseded_country_ids(dataset_import: DatasetImport) -> set[int]:
    """The countries of the earlier imports that this one (a re-import of the same file under a newer mapping)
    supersedes once it has succeeded: their scores and alerts must be recomputed too, not only those of the countries
    the new mapping still assesses."""
    if is_registered(dataset_import.source) or not is_mapped(dataset_import.source):
        return set()
    earlier = DatasetImport.objects.filter(
        checksum=dataset_import.checksum,
        source=dataset_import.source,
        status=DatasetImport.Status.SUCCEEDED,
        pk__lt=dataset_import.pk,
    ).exclude(mapping_version=dataset_import.mapping_version)
    return set(
        Assessment.objects.filter(dataset_import__in=earlier).values_list("country_id", flat=True).distinct().order_by()
    )


def dataset_import_duplicate(*, checksum: str, source: str | None = None) -> DatasetImport | None:
    """The earlier successful import of exactly these bytes (as the same dataset, under this mapping), if any."""
    return _same_dataset(checksum, source).filter(status=DatasetImport.Status.SUCCEEDED).order_by("created_at").first()


# Namespace of the PostgreSQL advisory locks that serialise the writes of one file's imports ("AWIM").
IMPORT_LOCK_NAMESPACE = 0x4157494D & 0x7FFFFFFF


def dataset_import_duplicate_locked(dataset_import: DatasetImport) -> DatasetImport | None:
    """Inside the writing transaction: wait for any other import of the same bytes that is writing, then ask again
    for an earlier successful one. Two uploads of one file that both passed the first check (a double click, two
    workers) would otherwise both write every assessment."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = int(dataset_import.checksum[:8], 16) & 0x7FFFFFFF
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, key])
    else:
        # SQLite has one writer at a time: writing first takes the database's write lock for the transaction.
        DatasetImport.objects.filter(pk=dataset_import.pk).update(status=dataset_import.status)
    earlier = dataset_import_duplicate(checksum=dataset_import.checksum, source=dataset_import.source)
    return earlier if earlier is not None and earlier.pk != dataset_import.pk else None


def dataset_import_pending(*, checksum: str, source: str | None = None) -> DatasetImport | None:
    """A queued or running import of these bytes, so a double click does not queue the same file twice."""
    return (
        _same_dataset(checksum, source)
        .filter(status__in=[DatasetImport.Status.QUEUED, DatasetImport.Status.RUNNING])
        .order_by("created_at")
        .first()
    )


def dataset_import_remapped(*, checksum: str, source: str) -> DatasetImport | None:
    """The latest successful import of these bytes under this source and an older mapping version, which importing
    them now re-maps (None for a registered source, or when there is none)."""
    if is_registered(source) or not is_mapped(source):
        return None
    return (
        DatasetImport.objects.filter(checksum=checksum, source=source, status=DatasetImport.Status.SUCCEEDED)
        .exclude(mapping_version=MAPPING_VERSION)
        .order_by("-created_at", "-pk")
        .first()
    )


def remap_summary(*, checksum: str, source: str) -> dict:
    """The summary entry of an import that re-maps an earlier one: {"remaps": {"import": pk, "mapping_version": v}}."""
    earlier = dataset_import_remapped(checksum=checksum, source=source)
    if earlier is None:
        return {}
    return {"remaps": {"import": earlier.pk, "mapping_version": earlier.mapping_version}}


def superseded_import_ids(import_ids: Iterable[int] | None = None) -> set[int]:
    """Of these imports (all, if None), those a later successful import of the same bytes under the same source and
    another mapping version re-mapped (`DatasetImportQuerySet.superseded`): their assessments no longer count."""
    imports = DatasetImport.objects.superseded()
    if import_ids is not None:
        imports = imports.filter(pk__in=[int(pk) for pk in import_ids if pk])
    return set(imports.values_list("pk", flat=True))
