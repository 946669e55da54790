"""A queued network analysis or FtM import whose task message was lost before any worker took it (a Redis restart)
is queued again by the every-minute beat tasks, once per QUEUED_LOST_SECONDS, and then runs; after
QUEUED_REQUEUES_MAX re-queues it is failed with the reason."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from indicators.models import DatasetImport
from indicators.tasks import runs_reap_stale_task
from networks import tasks
from networks.models import Actor, AnalysisRun
from networks.services import analysis_run_request, ftm_import_enqueue
from tests.networks.conftest import upload
from tests.networks.ftm_samples import ftm_file, small_network

pytestmark = pytest.mark.django_db


def messages_lost() -> None:
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())


def at(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


@pytest.fixture
def lost_run(imported_network, settings, country_a) -> AnalysisRun:
    settings.NETWORK_INLINE_ANALYSIS_MAX_ACTORS = 1
    run = analysis_run_request(country=country_a)
    assert run.status == AnalysisRun.Status.QUEUED
    messages_lost()
    return run


def test_an_analysis_whose_message_was_lost_is_queued_again_once_and_computed(
    lost_run, django_capture_on_commit_callbacks
):
    with at(9):
        assert tasks.analysis_runs_requeue_lost_task()["requeued"] == []
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert tasks.analysis_runs_requeue_lost_task()["requeued"] == [lost_run.pk]
        assert tasks.analysis_runs_requeue_lost_task()["requeued"] == []
    lost_run.refresh_from_db()
    assert lost_run.status == AnalysisRun.Status.SUCCEEDED and lost_run.requeues == 1
    assert tasks.analysis_run_task(lost_run.pk) == "already claimed"  # a late duplicate does nothing


def test_the_network_page_says_the_analysis_was_queued_again(lost_run, victor, client):
    with at(11):
        tasks.analysis_runs_requeue_lost_task()
    client.force_login(victor)
    page = client.get(reverse("networks:country_network", args=["QAA"])).content.decode()
    assert f"Analysis run #{lost_run.pk}: queued" in page and "Queued again 1 time," in page


def test_an_analysis_nobody_takes_is_failed_with_the_reason_after_the_cap(lost_run, settings):
    settings.QUEUED_REQUEUES_MAX = 1
    with at(11):
        tasks.analysis_runs_requeue_lost_task()
    messages_lost()
    with at(22):
        assert tasks.analysis_runs_requeue_lost_task()["given_up"] == [lost_run.pk]
    lost_run.refresh_from_db()
    assert lost_run.status == AnalysisRun.Status.FAILED and lost_run.finished_at is not None
    assert "No worker took this network analysis" in lost_run.error


def test_an_ftm_import_whose_message_was_lost_is_queued_again_and_imported(
    country_a, alice, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    dataset_import, queued = ftm_import_enqueue(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    assert queued
    messages_lost()
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert runs_reap_stale_task()["imports_lost"]["requeued"] == [dataset_import.pk]
    dataset_import.refresh_from_db()
    assert dataset_import.status == DatasetImport.Status.SUCCEEDED and dataset_import.requeues == 1
    assert Actor.objects.count() == 5
