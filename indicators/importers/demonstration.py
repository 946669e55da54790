"""seed_demo's invented assessments as one demonstration import, and their retirement by the first real import.

Demonstration data never mixes with real data. Every demonstration row hangs off a DatasetImport marked
`demonstration` (the demo's assessments here, the networks app's fictional network through its own importer). From the
commit of the first real import on, `DatasetImportQuerySet.superseded` counts those imports as superseded, so every
reader of assessments (scoring, pages, API, exports, reports, forecast features) leaves their rows out; they stay
recorded, as assessments are append-only. `demonstration_data_retire` runs in that import's transaction: it records
the retirement in each demo country's audit trail, asks for their scores to be recomputed (the stored ones were
made of invented data) and tells higher apps (`demonstration_retired`) to withdraw their own demo rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.models import AuditEvent
from core.services import audit_record
from indicators.demo import DEMO_IMPORT_SOURCE, DemoAssessment
from indicators.models import Assessment, Country, DatasetImport, ScoreRun
from indicators.selectors import REAL_DATA_CACHE_KEY, indicators_active
from indicators.services import scores_recompute_request
from indicators.signals import demonstration_retired

DEMO_IMPORT_FILE_NAME = "seed_demo (invented demonstration assessments)"
BATCH_SIZE = 2000


def demo_assessments_import_exists() -> bool:
    """Whether seed_demo has already recorded its assessments (so a second run adds none)."""
    return DatasetImport.objects.filter(source=DEMO_IMPORT_SOURCE, demonstration=True).exists()


def demo_assessments_record(
    *, records: Sequence[DemoAssessment], authors_by_desk: Mapping[int, object]
) -> DatasetImport:
    """Store the demo's invented assessments under one demonstration import, each credited to its desk's demo
    analyst, and audit them per country; one transaction."""
    indicators = {indicator.code: indicator for indicator in indicators_active()}
    countries = Country.objects.in_bulk(sorted({record.iso3 for record in records}), field_name="iso3")
    digest = hashlib.sha256(repr(sorted(records, key=repr)).encode()).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        dataset_import = DatasetImport.objects.create(
            source=DEMO_IMPORT_SOURCE,
            file_name=DEMO_IMPORT_FILE_NAME,
            checksum=digest,
            status=DatasetImport.Status.SUCCEEDED,
            demonstration=True,
            rows_read=len(records),
            rows_created=len(records),
            progress=100,
            error_summary=f"Recorded {len(records)} invented demonstration assessments; real data retires them.",
            started_at=now,
            finished_at=now,
            score_country_ids=sorted(country.pk for country in countries.values()),
        )
        rows = [
            Assessment(
                country=countries[record.iso3],
                indicator=indicators[record.indicator_code],
                observed_on=record.observed_on,
                severity=record.severity,
                confidence=record.confidence,
                source=record.source,
                evidence=record.evidence,
                author=authors_by_desk[countries[record.iso3].desk_id],
                dataset_import=dataset_import,
            )
            for record in records
        ]
        Assessment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        for country in sorted({row.country for row in rows}, key=lambda country: country.iso3):
            audit_record(
                kind=AuditEvent.Kind.ASSESSMENTS_IMPORTED,
                country=country,
                summary="Invented demonstration assessments recorded by seed_demo.",
                details={"dataset_import_id": dataset_import.pk},
            )
    return dataset_import


def demonstration_data_retire(*, dataset_import: DatasetImport) -> list[int]:
    """Inside the transaction that records a real import as succeeded: if it is the first real data, retire the
    demonstration data (audit, recompute, `demonstration_retired`); returns the countries whose scores it affects."""
    is_real = DatasetImport.objects.real_data().filter(pk=dataset_import.pk).exists()
    if not is_real:
        return []
    with transaction.atomic():
        # Locking the demonstration imports serialises two first real imports: the second sees the first's.
        demo = list(DatasetImport.objects.select_for_update().filter(demonstration=True).order_by("pk"))
        if not demo or DatasetImport.objects.real_data().exclude(pk=dataset_import.pk).exists():
            return []
        demo_rows = Assessment.objects.filter(dataset_import__in=demo).order_by()
        country_ids = sorted(demo_rows.values_list("country_id", flat=True).distinct())
        for country in Country.objects.filter(pk__in=country_ids).order_by("iso3"):
            audit_record(
                kind=AuditEvent.Kind.DEMONSTRATION_RETIRED,
                actor=dataset_import.started_by,
                country=country,
                summary=(
                    f"Demonstration assessments retired: real data imported ({dataset_import.source}, import "
                    f"#{dataset_import.pk}); they stay recorded but no longer count."
                ),
                details={"dataset_import_id": dataset_import.pk, "demonstration_import_ids": [i.pk for i in demo]},
            )
        scores_recompute_request(country_ids=country_ids, trigger=ScoreRun.Trigger.IMPORT)
        demonstration_retired.send(
            sender=DatasetImport, dataset_import=dataset_import, demonstration_imports=demo, country_ids=country_ids
        )
        transaction.on_commit(lambda: cache.delete(REAL_DATA_CACHE_KEY), robust=True)
    return country_ids
