"""Celery tasks: retrain after an outcomes import, and once a year from beat (new annual data has arrived by then); fail
the runs whose worker died."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from forecasts.lost_messages import forecast_retrain_requeue_lost, training_settles
from forecasts.models import ForecastRun
from forecasts.services import forecast_runs_reap, forecast_train

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def forecast_train_task(trigger: str = ForecastRun.Trigger.SCHEDULE, requested_at: str | None = None) -> int | None:
    """Train and publish a new forecast model version; returns its version, or None when there is nothing to learn
    from yet (no outcomes or no features: the run records why) or a training started after the request settled it
    (one that succeeded or still runs: a failed one published nothing, so the request trains)."""
    if requested_at and training_settles(dt.datetime.fromisoformat(requested_at)):
        logger.info("forecast training skipped: one started after the request (%s)", requested_at)
        return None
    try:
        return forecast_train(trigger=trigger).version
    except ValidationError as exc:
        logger.info("forecast training skipped: %s", " ".join(exc.messages))
        return None


@shared_task
def forecast_runs_reap_task() -> list[int]:
    """Every minute: a forecast run whose worker died is marked failed and its training asked for once more."""
    return forecast_runs_reap()


@shared_task
def forecast_retrain_requeue_lost_task() -> list[int]:
    """Every minute: a retraining an outcomes import asked for whose message was lost is asked for again."""
    return forecast_retrain_requeue_lost()
