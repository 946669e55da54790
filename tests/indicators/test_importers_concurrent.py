"""The same file imported twice at the same moment (a double-clicked upload that two workers run side by side)
creates its assessments once: the second import waits for the first and finishes as "already imported"."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from django.db import connection, connections

from indicators.importers.mappings import MAPPING_VERSION
from indicators.importers.services import dataset_import_execute
from indicators.models import Assessment, DatasetImport

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
    pytest.mark.django_db(transaction=True),
]

ROWS = 2000


def _csv(tag: str) -> bytes:
    start = dt.date(1950, 1, 1)
    lines = ["iso3,indicator,date,severity,confidence,source,evidence"]
    lines += [f"QAA,1.1,{start + dt.timedelta(days=day)},2,medium,{tag},x" for day in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def _queued_twice(tmp_path, raw: bytes, user) -> list[DatasetImport]:
    """Two queued imports of one file, as two uploads that both passed the duplicate check leave them."""
    path = tmp_path / "twice.csv"
    path.write_bytes(raw)
    return [
        DatasetImport.objects.create(
            source="csv",
            file_name="twice.csv",
            checksum=hashlib.sha256(raw).hexdigest(),
            mapping_version=MAPPING_VERSION,
            started_by=user,
            file_path=str(path),
        )
        for _ in range(2)
    ]


def test_two_imports_of_one_file_running_at_once_create_its_assessments_once(tmp_path, alice, country_a):
    for attempt in range(3):
        tag = f"double upload {attempt}"
        imports = _queued_twice(tmp_path, _csv(tag), alice)
        barrier = threading.Barrier(len(imports))
        failures: list[str] = []

        def run(dataset_import, barrier=barrier, failures=failures):
            try:
                barrier.wait(timeout=10)
                dataset_import_execute(dataset_import=dataset_import)
            except Exception as exc:  # noqa: BLE001  (the test reports whatever escaped)
                failures.append(f"{type(exc).__name__}: {exc}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(item,)) for item in imports]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert Assessment.objects.filter(source=tag).count() == ROWS, f"attempt {attempt}"
        outcomes = sorted(DatasetImport.objects.get(pk=item.pk).rows_created for item in imports)
        assert outcomes == [0, ROWS]
