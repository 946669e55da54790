"""A retraining an outcomes import asked for, whose task message was lost (a Redis restart), is asked for again by a
beat task QUEUED_LOST_SECONDS after the import, once; not while a training is queued or running, nor once one was
created after the import, and a request delivered late after another training started trains nothing."""

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


@pytest.mark.parametrize("status", [ForecastRun.Status.QUEUED, ForecastRun.Status.RUNNING])
def test_nothing_is_asked_for_while_a_training_is_queued_or_running(lost_retraining, status):
    with at(-5):
        run(status)  # began before the import
    with at(11):
        assert forecast_retrain_requeue_lost_task() == []
    assert len(training_requests()) == 1


def test_a_training_created_after_the_import_settles_it_whatever_became_of_it(lost_retraining):
    run(ForecastRun.Status.FAILED)
    with at(11):
        assert forecast_retrain_requeue_lost_task() == []


def test_a_retraining_still_waiting_in_the_outbox_is_not_asked_for_twice(lost_retraining):
    OutboxMessage.objects.update(status=OutboxMessage.Status.PENDING)
    with at(11):
        assert forecast_retrain_requeue_lost_task() == []
    assert len(training_requests()) == 1


def test_a_request_delivered_after_another_training_started_trains_nothing(lost_retraining):
    """The first message was only late: the training it started settles the request asked for again."""
    run(ForecastRun.Status.SUCCEEDED)
    requested_at = lost_retraining.finished_at.isoformat()
    assert forecast_train_task(trigger=ForecastRun.Trigger.IMPORT, requested_at=requested_at) is None
    assert ForecastRun.objects.count() == 1


def test_the_lost_retraining_sweep_is_on_the_beat_schedule():
    entry = celery_app.conf.beat_schedule["forecast-retrain-requeue-lost-every-minute"]
    assert entry["task"] == forecast_retrain_requeue_lost_task.name and entry["schedule"] == 60.0
