"""An FtM import queued from the network upload page whose worker dies is failed with the reason by the reaper and
its file imported by a re-run, as dataset imports are; it never stays "running" for ever."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from indicators.importers.services import INTERRUPTED_REASON
from indicators.models import DatasetImport
from indicators.tasks import runs_reap_stale_task
from networks import tasks
from networks.models import Actor
from networks.services import ftm_import_enqueue, ftm_import_run, imports
from tests.networks.conftest import upload
from tests.networks.ftm_samples import ftm_file, small_network

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process running the task is gone: nothing after this point runs in it."""


def raising(exception: type[BaseException]):
    def raise_it(**kwargs):
        raise exception

    return raise_it


def test_a_killed_ftm_import_is_failed_by_the_reaper_and_imported_by_a_rerun(
    monkeypatch, country_a, alice, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path
    dataset_import, queued = ftm_import_enqueue(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    assert queued

    monkeypatch.setattr(tasks, "ftm_import_execute", raising(WorkerKilled))
    started = timezone.now()
    with pytest.raises(WorkerKilled):
        tasks.ftm_import_task(dataset_import.pk)
    monkeypatch.undo()
    dataset_import.refresh_from_db()
    assert dataset_import.status == DatasetImport.Status.RUNNING
    with time_machine.travel(started + dt.timedelta(minutes=4)):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = runs_reap_stale_task()
    dataset_import.refresh_from_db()
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert "stopped without finishing" in dataset_import.error_summary
    rerun = DatasetImport.objects.get(rerun_of=dataset_import)
    assert outcome["imports"] == [rerun.pk]
    assert rerun.status == DatasetImport.Status.SUCCEEDED, rerun.errors
    assert Actor.objects.count() == 5


def test_a_worker_killed_after_writing_the_network_but_before_recording_success_leaves_no_actor(
    monkeypatch, country_a, alice, tmp_path, settings
):
    """The network's rows and the import's success commit together: a worker killed between them leaves the import
    running with nothing written, so the reaper's "nothing was imported" is true and its re-run starts clean."""
    settings.VAR_DIR = tmp_path
    dataset_import, _ = ftm_import_enqueue(path_or_file=upload(ftm_file(*small_network())), started_by=alice)

    monkeypatch.setattr(imports, "demonstration_data_retire", raising(WorkerKilled))
    with pytest.raises(WorkerKilled):
        tasks.ftm_import_task(dataset_import.pk)
    dataset_import.refresh_from_db()
    assert dataset_import.status == DatasetImport.Status.RUNNING
    assert Actor.objects.count() == 0


def test_ctrl_c_in_an_ftm_import_in_this_process_fails_it_at_once_with_nothing_written(monkeypatch, country_a, alice):
    """seed_demo imports the demo network in its own process, as a terminal import: running from the start with a
    heartbeat (so the reaper fails it if the process is killed), and Ctrl-C mid-write fails it there and then as
    interrupted, with the network's rows rolled back."""
    monkeypatch.setattr(imports, "demonstration_data_retire", raising(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        ftm_import_run(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    interrupted = DatasetImport.objects.get()
    assert interrupted.inline is True and interrupted.heartbeat_at is not None
    assert interrupted.status == DatasetImport.Status.FAILED and interrupted.error_summary == INTERRUPTED_REASON
    assert Actor.objects.count() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        assert runs_reap_stale_task()["imports"] == []


def test_an_ftm_import_failing_after_its_rows_were_written_records_no_success_counts(
    monkeypatch, country_a, alice, tmp_path, settings
):
    """An error after the network's rows were written inside the transaction rolls both back; the failed import's
    summary does not keep the counts of the success that never committed."""
    from networks.services import imports

    settings.VAR_DIR = tmp_path
    dataset_import, _ = ftm_import_enqueue(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    before = DatasetImport.objects.get(pk=dataset_import.pk).summary

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "demonstration_data_retire", fail)
    assert tasks.ftm_import_task(dataset_import.pk) == DatasetImport.Status.FAILED
    dataset_import.refresh_from_db()
    assert dataset_import.rows_created == 0 and "disk full" in dataset_import.error_summary
    assert "unchanged" not in dataset_import.summary and "unchanged" not in before
    assert Actor.objects.count() == 0
