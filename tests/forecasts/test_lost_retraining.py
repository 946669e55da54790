"""A retraining an outcomes import asked for, whose task message was lost (a Redis restart), is asked for again by a
beat task QUEUED_LOST_SECONDS after the import, once; not while a training is running, nor once one created after the
import succeeded, and a request delivered late after another training succeeded or started trains nothing. A training
that failed settles nothing: it published nothing and its task does not retry."""

import pytest
from django.utils import timezone

from atrocity_watch.celery import app as celery_app
from core.models import OutboxMessage
from forecasts.models import ForecastRun
from forecasts.services import FORECAST_TRAIN_TASK
from forecasts.tasks import forecast_retrain_requeue_lost_task, forecast_train_task
from indicators.importers.extension_sources import registered_import_execute
from tests.forecasts.test_services import _file, _import
from tests.indicators.test_lost_messages import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_retraining():
    """An outcomes import that succeeded; the broker took the retraining it asked for and then lost it."""
    raw = _file("2009,Sudan,625,0,1,0,sdn2003s1", "2010,Sudan,625,1,1,1,sdn2010ns1", "2010,Norway,385,0,0,0,")
    dataset_import = registered_import_execute(dataset_import=_import(raw), raw=raw)
    assert dataset_import.status == "succeeded"
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())
    return dataset_import


def training_requests() -> list[dict]:
    return list(OutboxMessage.objects.filter(task_name=FORECAST_TRAIN_TASK).values_list("kwargs", flat=True))


def run(status: str) -> ForecastRun:
    return ForecastRun.objects.create(trigger=ForecastRun.Trigger.IMPORT, status=status, started_at=timezone.now())


def test_a_lost_retraining_is_asked_for_again_once(lost_retraining):
    with at(9):
        assert forecast_retrain_requeue_lost_task() == []
    with at(11):
        assert forecast_retrain_requeue_lost_task() == [lost_retraining.pk]
        assert forecast_retrain_requeue_lost_task() == []
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    with at(15):
        assert forecast_retrain_requeue_lost_task() == []
    first, again = training_requests()
    assert again == {"trigger": ForecastRun.Trigger.IMPORT, "requested_at": lost_retraining.finished_at.isoformat()}
    assert first["trigger"] == ForecastRun.Trigger.IMPORT


def test_nothing_is_asked_for_while_a_training_is_running(lost_retraining):
    """The runs reaper looks after it if its worker died (no code leaves a run queued: a training starts running)."""
    with at(-5):
        run(ForecastRun.Status.RUNNING)  # began before the import
    with at(11):
        assert forecast_retrain_requeue_lost_task() == []
    assert len(training_requests()) == 1


@pytest.mark.parametrize(("minutes", "asked_again"), [(69, True), (71, False)])
def test_an_import_older_than_the_window_is_left_to_the_next_import_or_the_yearly_retraining(
    lost_retraining, minutes, asked_again
):
    """The window (QUEUED_REQUEUES_MAX + 1 periods of QUEUED_LOST_SECONDS: 70 minutes) bounds the requests again."""
    with at(minutes):
        assert forecast_retrain_requeue_lost_task() == ([lost_retraining.pk] if asked_again else [])


@pytest.mark.parametrize(
    ("status", "asked_again"), [(ForecastRun.Status.SUCCEEDED, False), (ForecastRun.Status.FAILED, True)]
)
def test_a_training_created_after_the_import_settles_it_only_if_it_succeeded(lost_retraining, status, asked_again):
    """A failed training published nothing: without a new request the forecast would wait for the yearly one."""
    run(status)
    with at(11):
        assert forecast_retrain_requeue_lost_task() == ([lost_retraining.pk] if asked_again else [])


def test_a_retraining_still_waiting_in_the_outbox_is_not_asked_for_twice(lost_retraining):
    OutboxMessage.objects.update(status=OutboxMessage.Status.PENDING)
    with at(11):
        assert forecast_retrain_requeue_lost_task() == []
    assert len(training_requests()) == 1


@pytest.mark.parametrize(
    ("status", "trains"),
    [(ForecastRun.Status.SUCCEEDED, False), (ForecastRun.Status.RUNNING, False), (ForecastRun.Status.FAILED, True)],
)
def test_a_request_delivered_after_another_training_started_trains_only_if_that_one_failed(
    lost_retraining, status, trains
):
    """The first message was only late: the training it started settles the request asked for again, unless it
    failed (here the new training fails too, for want of features, and says so on its own run)."""
    run(status)
    requested_at = lost_retraining.finished_at.isoformat()
    assert forecast_train_task(trigger=ForecastRun.Trigger.IMPORT, requested_at=requested_at) is None
    assert ForecastRun.objects.count() == (2 if trains else 1)


def test_the_lost_retraining_sweep_is_on_the_beat_schedule():
    entry = celery_app.conf.beat_schedule["forecast-retrain-requeue-lost-every-minute"]
    assert entry["task"] == forecast_retrain_requeue_lost_task.name and entry["schedule"] == 60.0
