"""Celery tasks: retrain after an outcomes import, and once a year from beat (new annual data has arrived by then); fail
the runs whose worker died."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from forecasts.models import ForecastRun
from forecasts.services import forecast_runs_reap, forecast_train

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def forecast_train_task(trigger: str = ForecastRun.Trigger.SCHEDULE) -> int | None:
    """Train and publish a new forecast model version; returns its version, or None when there is nothing to learn
    from yet (no outcomes or no features: the run records why)."""
    try:
        return forecast_train(trigger=trigger).version
    except ValidationError as exc:
        logger.info("forecast training skipped: %s", " ".join(exc.messages))
        return None


@shared_task
def forecast_runs_reap_task() -> list[int]:
    """Every minute: a forecast run whose worker died is marked failed and its training asked for once more."""
    return forecast_runs_reap()
