"""Celery tasks: retrain after an outcomes import, and once a year from beat (new annual data has arrived by then)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from forecasts.models import ForecastRun
from forecasts.services import forecast_train

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
