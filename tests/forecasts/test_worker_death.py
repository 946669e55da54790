"""A forecast training whose worker dies is marked failed with the reason within minutes, and its training asked for
once more; the published model stays, and a re-run that dies too is not asked for again.

`WorkerKilled` is a BaseException, as in tests/indicators/test_worker_death.py: nothing on the way out records anything,
as when the process is killed with SIGKILL.
"""

import datetime as dt
from contextlib import contextmanager
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from atrocity_watch.celery import app as celery_app
from core.models import OutboxMessage
from forecasts import services
from forecasts.models import ForecastModel, ForecastRun
from forecasts.tasks import forecast_runs_reap_task
from tests.forecasts.test_services import synthetic_database  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process running the task is gone: nothing after this point runs in it."""


def stop_training(monkeypatch, exception: type[BaseException]) -> None:
    def train_then_stop(*args, **kwargs):
        raise exception

    monkeypatch.setattr(services, "_train", train_then_stop)


def kill_mid_training(monkeypatch, trigger=ForecastRun.Trigger.IMPORT) -> ForecastRun:
    stop_training(monkeypatch, WorkerKilled)
    with pytest.raises(WorkerKilled):
        services.forecast_train(trigger=trigger)
    return ForecastRun.objects.order_by("-pk").first()


def training_requests() -> list[dict]:
    return list(
        OutboxMessage.objects.filter(task_name="forecasts.tasks.forecast_train_task").values_list("kwargs", flat=True)
    )


def test_a_killed_training_is_failed_with_the_reason_and_asked_for_once_more(monkeypatch):
    killed = kill_mid_training(monkeypatch)
    assert killed.status == ForecastRun.Status.RUNNING
    assert killed.heartbeat_at is not None  # stamped when the training began

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        assert forecast_runs_reap_task() == [killed.pk]
    killed.refresh_from_db()
    assert killed.status == ForecastRun.Status.FAILED
    assert killed.error.startswith("The process training this forecast (a worker, or forecast_train in a terminal)")
    assert "stopped without finishing (no heartbeat since" in killed.error
    assert "nothing was published, the previous model stands, and a new training was queued" in killed.error
    assert killed.finished_at is not None
    assert training_requests() == [{"trigger": ForecastRun.Trigger.RERUN}]
    assert not ForecastModel.objects.exists()

    # A second sweep finds nothing more to do.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert forecast_runs_reap_task() == []
    assert len(training_requests()) == 1


def test_a_training_with_a_recent_heartbeat_is_left_alone(monkeypatch):
    killed = kill_mid_training(monkeypatch)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        assert forecast_runs_reap_task() == []
    killed.refresh_from_db()
    assert killed.status == ForecastRun.Status.RUNNING
    assert training_requests() == []


def test_a_rerun_that_dies_too_is_failed_but_not_asked_for_again(monkeypatch):
    killed = kill_mid_training(monkeypatch, trigger=ForecastRun.Trigger.RERUN)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        assert forecast_runs_reap_task() == []
    killed.refresh_from_db()
    assert killed.status == ForecastRun.Status.FAILED
    assert "no new training was queued (this run was itself one)" in killed.error
    assert training_requests() == []


def test_a_run_left_running_from_before_heartbeats_is_failed_by_its_start(monkeypatch):
    started = timezone.now() - dt.timedelta(hours=2)
    old = ForecastRun.objects.create(
        trigger=ForecastRun.Trigger.SCHEDULE, status=ForecastRun.Status.RUNNING, started_at=started
    )
    assert forecast_runs_reap_task() == [old.pk]
    old.refresh_from_db()
    assert old.status == ForecastRun.Status.FAILED


def test_the_reaper_runs_every_minute_from_beat():
    entry = celery_app.conf.beat_schedule["forecast-runs-reap-stale-every-minute"]
    assert entry["task"] == forecast_runs_reap_task.name
    assert entry["schedule"] == 60.0


def test_ctrl_c_in_forecast_train_fails_the_training_at_once(monkeypatch):
    """Ctrl-C in the terminal: the run is failed as interrupted there and then, so the reaper asks for no new
    training."""
    stop_training(monkeypatch, KeyboardInterrupt)
    with pytest.raises(CommandError, match="Interrupted") as stopped:
        call_command("forecast_train", stdout=StringIO(), stderr=StringIO())
    assert stopped.value.returncode == 130
    interrupted = ForecastRun.objects.get()
    assert interrupted.status == ForecastRun.Status.FAILED and interrupted.error == services.FORECAST_INTERRUPTED
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=4)):
        assert forecast_runs_reap_task() == []
    assert training_requests() == []


@contextmanager
def ctrl_c_as_the_heartbeat_stops(*args, **kwargs):
    """Ctrl-C lands while the heartbeat thread is joined, after the work inside finished."""
    yield
    raise KeyboardInterrupt


@pytest.mark.usefixtures("synthetic_database")
def test_ctrl_c_after_the_model_was_published_leaves_the_training_succeeded(monkeypatch, settings):
    """The model is published and stands: its run says succeeded, not 'nothing was published'."""
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2008
    monkeypatch.setattr(services, "heartbeat", ctrl_c_as_the_heartbeat_stops)
    with pytest.raises(KeyboardInterrupt):
        services.forecast_train()
    run = ForecastRun.objects.get()
    assert run.status == ForecastRun.Status.SUCCEEDED and run.error == "" and run.finished_at is not None
    assert ForecastModel.objects.get().run == run
