"""Two presses of "Generate again" on one failed report at the same moment ask for one new version, never two."""

import threading

import pytest
from django.db import connection, connections

from reports import services
from reports.models import Report

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_pdf"),
]

PRESSES = 4


def test_presses_at_the_same_moment_queue_one_new_version(fiona, failed_report):
    barrier = threading.Barrier(PRESSES)
    results: list[str] = []

    def press():
        try:
            barrier.wait(timeout=10)
            services.report_regenerate(report=Report.objects.get(pk=failed_report.pk), user=fiona)
            results.append("queued")
        except services.ReportTransitionError as exc:
            results.append(" ".join(exc.messages))
        except Exception as exc:  # noqa: BLE001  (the test reports whatever escaped)
            results.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press) for _ in range(PRESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    refused = "Version 2 was already requested after this one; see it instead."
    assert sorted(results) == sorted(["queued"] + [refused] * (PRESSES - 1))
    assert sorted(Report.objects.filter(period="2026-Q3", edition="public").values_list("version", flat=True)) == [1, 2]
