"""An uploaded file imported by a real Celery worker (Redis when CELERY_BROKER_URL names it, else in memory)."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from atrocity_watch.celery import app as celery_app
from indicators.importers.services import dataset_import_enqueue
from indicators.models import Assessment, DatasetImport
from indicators.signals import assessments_imported

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")


def _connections_reset() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def real_broker():
    if BROKER_URL.startswith("redis://"):
        import redis

        try:
            redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
        except redis.exceptions.RedisError as exc:
            pytest.skip(f"Redis at {BROKER_URL} is unreachable ({exc}).")
        url = BROKER_URL
    else:
        url = "memory://"
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = url, {}
    celery_app.conf.task_always_eager = False
    _connections_reset()
    yield url
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager = saved
    _connections_reset()


@pytest.fixture
def imported():
    """Lets the test wait for the worker's import without sleeping."""
    event = threading.Event()
    done: list[int] = []

    def listener(sender, dataset_import, country_ids, **kwargs):
        done.append(dataset_import.pk)
        event.set()

    assessments_imported.connect(listener, weak=False, dispatch_uid="test-importers-worker")
    yield done, event
    assessments_imported.disconnect(dispatch_uid="test-importers-worker")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_uploaded_file_is_imported_by_a_real_worker(real_broker, imported, settings, tmp_path):
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task start_worker expects)
    from celery.contrib.testing.worker import start_worker

    from tests.factories import CountryFactory, DeskFactory, UserFactory

    settings.VAR_DIR = tmp_path / "var"
    desk = DeskFactory(name="Import desk", slug="import-desk")
    CountryFactory(iso3="QIW", name="Importland", desk=desk)
    analyst = UserFactory(username="ines", role="analyst", desks=[desk])
    upload = SimpleUploadedFile(
        "ines.csv", b"iso3,indicator,date,severity,confidence,source\nQIW,2.1,2025-03-01,3,high,Mission report\n"
    )
    done, event = imported
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        dataset_import, queued = dataset_import_enqueue(source="csv", path_or_file=upload, started_by=analyst)
        assert queued
        assert event.wait(timeout=60), "the worker did not finish the import within 60 s"
    dataset_import.refresh_from_db()
    assert done == [dataset_import.pk]
    assert (dataset_import.status, dataset_import.progress, dataset_import.rows_created) == (
        DatasetImport.Status.SUCCEEDED,
        100,
        1,
    )
    assert dataset_import.started_at is not None
    assert Assessment.objects.get(dataset_import=dataset_import).author == analyst
    assert not any((tmp_path / "var" / "imports").iterdir())
