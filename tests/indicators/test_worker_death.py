"""A score run or import whose worker dies is marked failed with the reason within minutes and its work re-queued
once; the previous scores stay in place and the re-run succeeds (issue 13, defect 3).

A worker killed with SIGKILL runs no cleanup: its transaction is rolled back by the database, the run row keeps
saying "running" and the heartbeat stops. `WorkerKilled` reproduces exactly that inside the test process: it is a
BaseException, so no `except Exception` records anything on the way out.
"""

import datetime as dt
import threading
from contextlib import contextmanager
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.utils import timezone

from atrocity_watch.celery import app as celery_app
from indicators import heartbeat
from indicators.importers.services import dataset_import_enqueue
from indicators.management.commands import import_data
from indicators.models import Assessment, CountryScore, DatasetImport, ScoreRun
from indicators.scoring import services
from indicators.scoring.services import score_run_redelivery_settled, scores_recompute
from indicators.tasks import runs_reap_stale_task
from tests.factories import AssessmentFactory, indicator
from tests.indicators.test_lost_messages import running_import

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process running the task is gone: nothing after this point runs in it."""


@pytest.fixture
def previously_scored(country_a, alice):
    AssessmentFactory(
        country=country_a, indicator=indicator("1.1"), severity=1, author=alice, observed_on=dt.date(2026, 1, 15)
    )
    run = scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    AssessmentFactory(
        country=country_a, indicator=indicator("1.1"), severity=3, author=alice, observed_on=dt.date(2026, 2, 15)
    )
    return run


def stored_scores(country) -> dict:
    return dict(CountryScore.objects.filter(country=country).values_list("month", "overall"))


def stop_after_first_batch(monkeypatch, exception: type[BaseException]):
    """Make the next score run raise `exception` once its first batch of scores is written inside its transaction;
    returns the real computation, to put back."""
    real_compute = services.scores_compute

    def compute_then_stop(*args, **inner):
        real_compute(*args, **inner)
        raise exception

    monkeypatch.setattr(services, "scores_compute", compute_then_stop)
    return real_compute


def kill_mid_run(monkeypatch, **kwargs) -> ScoreRun:
    """Start a run and kill its worker after the first batch of scores was written inside its transaction."""
    real_compute = stop_after_first_batch(monkeypatch, WorkerKilled)
    with pytest.raises(WorkerKilled):
        scores_recompute(trigger=ScoreRun.Trigger.NEW_DATA, **kwargs)
    monkeypatch.setattr(services, "scores_compute", real_compute)
    return ScoreRun.objects.order_by("-pk").first()


def test_a_killed_run_is_failed_with_the_reason_and_rerun_once(
    monkeypatch, previously_scored, country_a, django_capture_on_commit_callbacks
):
    """Killed mid-run: previous scores intact, the run still 'running'. Four minutes on, the reaper fails it with the
    reason and re-queues it; the re-run succeeds with the new assessment's scores."""
    before = stored_scores(country_a)
    killed = kill_mid_run(monkeypatch, country_ids=[country_a.pk])
    assert killed.status == ScoreRun.Status.RUNNING
    assert stored_scores(country_a) == before

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = runs_reap_stale_task()
    killed.refresh_from_db()
    assert outcome["score_runs"] == [killed.pk]
    assert killed.status == ScoreRun.Status.FAILED
    assert killed.error.startswith("The process running this score run (a worker, or recompute_scores in a terminal)")
    assert "stopped without finishing (no heartbeat since" in killed.error
    assert "the previous scores stand, and it was re-queued once" in killed.error
    assert killed.requeued is True
    rerun = ScoreRun.objects.get(rerun_of=killed)
    assert rerun.status == ScoreRun.Status.SUCCEEDED
    assert rerun.country_scope == [country_a.iso3]
    after = stored_scores(country_a)
    assert after[dt.date(2026, 2, 1)] > before[dt.date(2026, 2, 1)]


def test_a_run_with_a_recent_heartbeat_is_left_alone(monkeypatch, previously_scored, country_a):
    """Within RUN_STALE_SECONDS of its last heartbeat a running run is not touched."""
    killed = kill_mid_run(monkeypatch, country_ids=[country_a.pk])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert runs_reap_stale_task()["score_runs"] == []
    killed.refresh_from_db()
    assert killed.status == ScoreRun.Status.RUNNING


def test_a_rerun_that_dies_too_is_failed_but_not_queued_again(
    monkeypatch, previously_scored, country_a, django_capture_on_commit_callbacks
):
    """Re-queued once means once: the second death is recorded and left for a person."""
    first = kill_mid_run(monkeypatch, country_ids=[country_a.pk])
    second = kill_mid_run(monkeypatch, country_ids=[country_a.pk], rerun_of=first)
    ScoreRun.objects.filter(pk=first.pk).update(status=ScoreRun.Status.FAILED, requeued=True)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        with django_capture_on_commit_callbacks(execute=True):
            assert runs_reap_stale_task()["score_runs"] == []
    second.refresh_from_db()
    assert second.status == ScoreRun.Status.FAILED
    assert "not re-queued again" in second.error
    assert not ScoreRun.objects.filter(rerun_of=second).exists()


def test_ctrl_c_in_recompute_scores_fails_the_run_at_once_and_keeps_the_previous_scores(
    monkeypatch, previously_scored, country_a
):
    """Ctrl-C in the terminal mid-run: the run is failed as interrupted there and then (nothing is left for the reaper
    to re-queue) and the scores stored before stand."""
    before = stored_scores(country_a)
    stop_after_first_batch(monkeypatch, KeyboardInterrupt)
    with pytest.raises(CommandError, match="Interrupted") as stopped:
        call_command("recompute_scores", "--country", country_a.iso3, stdout=StringIO())
    assert stopped.value.returncode == 130
    interrupted = ScoreRun.objects.order_by("-pk").first()
    assert interrupted.status == ScoreRun.Status.FAILED and interrupted.finished_at is not None
    assert interrupted.error.startswith("Interrupted (Ctrl-C) before it finished")
    assert stored_scores(country_a) == before
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        assert runs_reap_stale_task()["score_runs"] == []


def test_ctrl_c_just_after_the_scores_committed_leaves_the_run_succeeded(monkeypatch, previously_scored, country_a):
    """The new scores are stored and stand: the run says succeeded, not 'nothing it computed was stored'."""

    @contextmanager
    def ctrl_c_once_committed():
        with transaction.atomic():
            yield
        raise KeyboardInterrupt

    before = stored_scores(country_a)
    monkeypatch.setattr(
        services, "transaction", SimpleNamespace(atomic=ctrl_c_once_committed, on_commit=transaction.on_commit)
    )
    with pytest.raises(KeyboardInterrupt):
        scores_recompute(trigger=ScoreRun.Trigger.MANUAL, country_ids=[country_a.pk])
    run = ScoreRun.objects.order_by("-pk").first()
    assert run.status == ScoreRun.Status.SUCCEEDED and run.error == "" and run.finished_at is not None
    assert stored_scores(country_a)[dt.date(2026, 2, 1)] > before[dt.date(2026, 2, 1)]


def test_a_task_redelivered_by_the_broker_reruns_a_dead_run_once(monkeypatch, previously_scored, country_a):
    """The broker re-sends the killed worker's unacknowledged message: that delivery re-runs the work, marking the
    dead run failed; a further delivery of the same message finds it settled."""
    killed = kill_mid_run(monkeypatch, country_ids=[country_a.pk], celery_task_id="task-1")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        settled, dead = score_run_redelivery_settled(celery_task_id="task-1")
        assert (settled, dead.pk) == (False, killed.pk)
        rerun = scores_recompute(
            trigger=ScoreRun.Trigger.NEW_DATA, country_ids=[country_a.pk], celery_task_id="task-1", rerun_of=dead
        )
        assert rerun.status == ScoreRun.Status.SUCCEEDED
        assert score_run_redelivery_settled(celery_task_id="task-1")[0] is True
    killed.refresh_from_db()
    assert killed.status == ScoreRun.Status.FAILED and killed.requeued


@pytest.fixture
def assessments_csv(country_a, tmp_path, settings):
    """An analyst's CSV of one assessment of country A (uploaded copies go under tmp_path)."""
    settings.VAR_DIR = tmp_path
    path = tmp_path / "assessments.csv"
    path.write_text(
        "iso3,indicator,date,severity,confidence,source\nQAA,1.1,2026-01-10,2,high,Desk reporting\n", encoding="utf-8"
    )
    return path


def test_a_killed_import_is_failed_with_the_reason_and_its_file_imported_by_a_rerun(
    assessments_csv, ada, django_capture_on_commit_callbacks
):
    """An import whose worker died (running, heartbeat stopped) is failed and its file queued once more; the re-run
    imports it."""
    dataset_import, _ = dataset_import_enqueue(source="csv", path_or_file=assessments_csv, started_by=ada, send=False)
    stamp = timezone.now()
    DatasetImport.objects.filter(pk=dataset_import.pk).update(
        status=DatasetImport.Status.RUNNING, started_at=stamp, heartbeat_at=stamp
    )
    with time_machine.travel(stamp + dt.timedelta(minutes=4)):
        with django_capture_on_commit_callbacks(execute=True):
            outcome = runs_reap_stale_task()
    dataset_import.refresh_from_db()
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert "stopped without finishing" in dataset_import.error_summary
    assert "queued once more" in dataset_import.error_summary
    rerun = DatasetImport.objects.get(rerun_of=dataset_import)
    assert outcome["imports"] == [rerun.pk]
    assert rerun.status == DatasetImport.Status.SUCCEEDED
    assert rerun.rows_created == 1


def import_in_terminal(monkeypatch, path, *, at_stage: str, then) -> None:
    """`manage.py import_data csv <path>` typed in a terminal; `then(the import)` runs as its progress bar reaches
    `at_stage` ("validating" before the write transaction, "writing" inside it, after the first batch)."""

    def progress(command, done, total, stage):
        if stage == at_stage:
            then(DatasetImport.objects.get())

    monkeypatch.setattr(import_data.Command, "_progress", progress)
    call_command("import_data", "csv", str(path), stdout=StringIO(), stderr=StringIO())


def raising(exception: type[BaseException]):
    def raise_it(dataset_import):
        raise exception

    return raise_it


def thread_stamps(monkeypatch, settings, *, drop_first_connection: bool = False) -> threading.Event:
    """Beat every 10 ms and return an event set once the heartbeat thread (not the caller) has written a stamp.

    With drop_first_connection the server closes the thread's connection before its first beat (a database restart,
    pg_terminate_backend): every query on it then fails until the thread closes it, as with psycopg. (Simulated, since
    Django never really closes the in-memory SQLite database of the tests.)"""
    settings.RUN_HEARTBEAT_SECONDS = 0.01
    real_stamp = heartbeat.heartbeat_stamp
    wrapper_class = type(connections[DEFAULT_DB_ALIAS])
    real_close = wrapper_class.close
    stamped, dropped, broken = threading.Event(), threading.Event(), threading.Event()

    def stamp(model, pk):
        if threading.current_thread() is threading.main_thread():
            return real_stamp(model, pk)
        if drop_first_connection and not dropped.is_set():
            connections[DEFAULT_DB_ALIAS].ensure_connection()  # the thread's connection, which the server then drops
            dropped.set()
            broken.set()
        if broken.is_set():
            raise OperationalError("server closed the connection unexpectedly")
        real_stamp(model, pk)
        stamped.set()

    def close(wrapper):
        if threading.current_thread() is not threading.main_thread():
            broken.clear()
        real_close(wrapper)

    monkeypatch.setattr(heartbeat, "heartbeat_stamp", stamp)
    monkeypatch.setattr(wrapper_class, "close", close)
    return stamped


@pytest.mark.django_db(transaction=True)  # the thread's stamps must see the committed row
def test_a_terminal_import_beats_the_heartbeat_while_it_runs(monkeypatch, settings, assessments_csv):
    """No worker runs it, yet the reaper sees it alive: while it runs, the command's heartbeat thread stamps the
    import as a worker's does, and the stamp moves."""
    stamped = thread_stamps(monkeypatch, settings)
    seen = []

    def watch(dataset_import):
        seen.append(dataset_import)
        seen.append(stamped.wait(timeout=10))
        seen.append(DatasetImport.objects.get(pk=dataset_import.pk))

    import_in_terminal(monkeypatch, assessments_csv, at_stage="validating", then=watch)
    first, thread_stamped, later = seen
    assert first.status == DatasetImport.Status.RUNNING and first.inline is True
    assert thread_stamped
    assert later.heartbeat_at > first.heartbeat_at


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_whose_connection_was_closed_reconnects_and_stamps_again(monkeypatch, settings, ada):
    """A database restart closes the thread's connection: that beat fails, the next reconnects and stamps, so the
    reaper does not fail a job that is still running."""
    stamped = thread_stamps(monkeypatch, settings, drop_first_connection=True)
    left = running_import(ada, started_at=timezone.now())
    with heartbeat.heartbeat(DatasetImport, left.pk):
        assert stamped.wait(timeout=10)


def test_a_killed_terminal_import_is_failed_with_the_reason_and_left_to_the_user(
    monkeypatch, assessments_csv, django_capture_on_commit_callbacks
):
    """The terminal is closed mid-write (nothing after that runs): four minutes on the reaper fails the import, says to
    run the command again and queues nothing, since a worker may not see a file on the user's disk."""
    with pytest.raises(WorkerKilled):
        import_in_terminal(monkeypatch, assessments_csv, at_stage="writing", then=raising(WorkerKilled))
    killed = DatasetImport.objects.get()
    assert killed.status == DatasetImport.Status.RUNNING
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        with django_capture_on_commit_callbacks(execute=True):
            assert runs_reap_stale_task()["imports"] == []
    killed.refresh_from_db()
    assert killed.status == DatasetImport.Status.FAILED and killed.finished_at is not None
    assert "The command importing this file in a terminal stopped without finishing" in killed.error_summary
    assert f"run manage.py import_data csv {assessments_csv} again" in killed.error_summary
    assert not killed.requeued and not DatasetImport.objects.filter(rerun_of=killed).exists()
    assert not Assessment.objects.exists()


def test_a_terminal_import_left_running_without_any_heartbeat_is_failed_too(ada):
    """One killed before terminal imports had a heartbeat (started, never stamped) is failed once it is stale."""
    stamp = timezone.now()
    left = running_import(ada, started_at=stamp, inline=True)
    with time_machine.travel(stamp + dt.timedelta(minutes=2)):
        assert runs_reap_stale_task()["imports"] == []
    with time_machine.travel(stamp + dt.timedelta(minutes=4)):
        runs_reap_stale_task()
    left.refresh_from_db()
    assert left.status == DatasetImport.Status.FAILED
    assert f"no heartbeat since {timezone.localtime(stamp):%Y-%m-%d %H:%M:%S}" in left.error_summary


def test_a_reaped_terminal_import_says_the_command_to_run_with_its_options(ada):
    """The advice repeats the import word for word: --skip-invalid (every real dataset needs it), the default country,
    and the path quoted for the shell."""
    stamp = timezone.now()
    left = running_import(
        ada,
        started_at=stamp,
        inline=True,
        skip_invalid=True,
        file_path="/data/my files/big.csv",
        summary={"default_country": "QAA"},
    )
    with time_machine.travel(stamp + dt.timedelta(minutes=4)):
        runs_reap_stale_task()
    left.refresh_from_db()
    assert (
        "run manage.py import_data csv '/data/my files/big.csv' --skip-invalid --default-country QAA again."
        in left.error_summary
    )


def test_a_reaped_demo_network_import_says_to_run_seed_demo_again(ada):
    """seed_demo imports its fictional network from memory, not a file: import_data could not repeat it."""
    stamp = timezone.now()
    left = running_import(ada, started_at=stamp, inline=True, demonstration=True, summary={"default_country": "QAA"})
    with time_machine.travel(stamp + dt.timedelta(minutes=4)):
        runs_reap_stale_task()
    left.refresh_from_db()
    assert "run manage.py seed_demo again." in left.error_summary


def test_ctrl_c_fails_a_terminal_import_at_once_with_nothing_imported(monkeypatch, assessments_csv):
    """Ctrl-C mid-write: the transaction is rolled back, the import is failed as interrupted there and then, and the
    command exits as an interrupted program does (130)."""
    with pytest.raises(CommandError, match="Interrupted") as stopped:
        import_in_terminal(monkeypatch, assessments_csv, at_stage="writing", then=raising(KeyboardInterrupt))
    assert stopped.value.returncode == 130
    interrupted = DatasetImport.objects.get()
    assert interrupted.status == DatasetImport.Status.FAILED and interrupted.finished_at is not None
    assert "interrupted (Ctrl-C)" in interrupted.error_summary and "nothing was imported" in interrupted.error_summary
    assert not Assessment.objects.exists()


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_is_lost(settings):
    """acks_late with reject_on_worker_lost; on Redis the visibility timeout exceeds the longest task's limit."""
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    if settings.CELERY_BROKER_URL.startswith("redis"):
        timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
        assert celery_app.conf.task_time_limit < timeout < 3600
    assert "runs-reap-stale-every-minute" in celery_app.conf.beat_schedule
