"""A queued dataset import whose task message was lost before any worker took it (a Redis restart) is queued again by
the every-minute reaper, once per QUEUED_LOST_SECONDS, and imported; one still waiting behind a running import, or
whose message still waits in the outbox, is left alone."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from indicators.importers.services import DATASET_IMPORT_TASK, dataset_import_enqueue
from indicators.models import Assessment, DatasetImport
from indicators.tasks import runs_reap_stale_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_import(country_a, ada, tmp_path, settings) -> DatasetImport:
    """An uploaded CSV queued for import; the broker took its message and then lost it."""
    settings.VAR_DIR = tmp_path
    path = tmp_path / "assessments.csv"
    path.write_text(
        "iso3,indicator,date,severity,confidence,source\nQAA,1.1,2026-01-10,2,high,Desk reporting\n", encoding="utf-8"
    )
    dataset_import, _ = dataset_import_enqueue(source="csv", path_or_file=path, started_by=ada)
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())
    return dataset_import


def at(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def running_import(ada, **times) -> DatasetImport:
    """Another import, running: `times` says when it started and its last heartbeat, if any."""
    return DatasetImport.objects.create(
        source="csv",
        file_name="big.csv",
        checksum="x" * 64,
        status=DatasetImport.Status.RUNNING,
        started_by=ada,
        **times,
    )


def import_requests(dataset_import: DatasetImport) -> int:
    return OutboxMessage.objects.filter(
        task_name=DATASET_IMPORT_TASK, kwargs={"dataset_import_id": dataset_import.pk}
    ).count()


def test_an_import_whose_message_was_lost_is_queued_again_once_and_imported(
    lost_import, django_capture_on_commit_callbacks
):
    with at(9):
        assert runs_reap_stale_task()["imports_lost"]["requeued"] == []
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert runs_reap_stale_task()["imports_lost"]["requeued"] == [lost_import.pk]
        assert runs_reap_stale_task()["imports_lost"]["requeued"] == []
    lost_import.refresh_from_db()
    assert lost_import.status == DatasetImport.Status.SUCCEEDED and lost_import.requeues == 1
    assert Assessment.objects.filter(dataset_import=lost_import).count() == 1
    assert import_requests(lost_import) == 2


def test_the_import_page_says_it_was_queued_again(lost_import, ada, client):
    with at(11):
        runs_reap_stale_task()
    client.force_login(ada)
    page = client.get(reverse("indicators:imports:detail", args=[lost_import.pk])).content.decode()
    assert "Queued again 1 time," in page and "no worker had taken it" in page


def test_an_import_nobody_takes_is_failed_with_the_reason_after_the_cap(lost_import, settings):
    settings.QUEUED_REQUEUES_MAX = 1
    with at(11):
        runs_reap_stale_task()
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    with at(22):
        assert runs_reap_stale_task()["imports_lost"]["given_up"] == [lost_import.pk]
        gave_up_at = timezone.now()
    lost_import.refresh_from_db()
    assert lost_import.status == DatasetImport.Status.FAILED and lost_import.finished_at == gave_up_at
    assert "No worker took this import although it was queued 2 times" in lost_import.error_summary


def test_an_import_waiting_behind_a_running_one_is_left_in_its_queue(lost_import, ada):
    """A running import with a sign of life (its worker's heartbeat) holds the queued ones back: they wait behind it."""
    with at(11):
        running_import(ada, started_at=timezone.now() - dt.timedelta(minutes=9), heartbeat_at=timezone.now())
        assert runs_reap_stale_task()["imports_lost"]["requeued"] == []
    assert import_requests(lost_import) == 1


@pytest.mark.parametrize("terminal", [False, True], ids=["dead worker", "terminal"])
def test_a_running_import_that_holds_no_live_worker_does_not_hold_lost_ones_back(lost_import, ada, terminal):
    """Lost imports wait only behind a live worker's import: not behind one with no sign of life for minutes, nor
    behind `import_data` running in a terminal (inline, heartbeat fresh), which holds no worker."""
    if terminal:
        with at(11):
            running_import(ada, inline=True, started_at=timezone.now(), heartbeat_at=timezone.now())
    else:
        running_import(ada, started_at=timezone.now())  # never stamped a heartbeat
    with at(11):
        assert runs_reap_stale_task()["imports_lost"]["requeued"] == [lost_import.pk]
    assert import_requests(lost_import) == 2


def test_a_second_delivery_of_an_import_does_nothing(lost_import, django_capture_on_commit_callbacks):
    """Duplicate delivery is harmless: the task claims the queued import with a conditional update."""
    from indicators.importers.tasks import dataset_import_task

    assert dataset_import_task(lost_import.pk) == "succeeded"
    assert dataset_import_task(lost_import.pk) == "already claimed"
    assert Assessment.objects.filter(dataset_import=lost_import).count() == 1
