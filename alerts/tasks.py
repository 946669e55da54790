"""Celery tasks for alerts: thin shells that look rows up by id and call a service.

Every task is idempotent and acknowledged late, retried on transient database errors with the project's one retry
policy (core.retry.RETRY_OPTIONS); sending an email is also retried on mail-server and network errors. Services
enqueue these tasks by name through the outbox (core.services.outbox_enqueue); tasks import services, never the
reverse.
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from alerts.services.alerts import alerts_evaluate
from alerts.services.forecast_alerts import alerts_evaluate_forecast
from alerts.services.notifications import (
    escalations_send_reminders,
    notification_send_email,
    notifications_resend_unconfirmed,
)
from core.retry import RETRY_OPTIONS, TRANSIENT_DATABASE_ERRORS
from indicators.models import ScoreRun


@shared_task(**RETRY_OPTIONS)
def alerts_evaluate_after_run_task(run_id: int) -> int:
    """Evaluate every active rule for the countries of a finished score run; returns the alerts opened."""
    return len(alerts_evaluate(run=ScoreRun.objects.select_related("methodology").get(pk=run_id)))


@shared_task(**RETRY_OPTIONS)
def alerts_evaluate_assessments_task(country_ids: list[int]) -> int:
    """Evaluate the serious-assessment rule for countries that just received assessments."""
    return len(alerts_evaluate(country_ids=country_ids, kinds=["serious_specific_indicator"]))


@shared_task(**RETRY_OPTIONS)
def alerts_evaluate_forecast_task(model_id: int) -> int:
    """Evaluate the onset-forecast rule after forecast model `model_id` was published; it always judges the newest
    published model, so a late or repeated delivery does no harm. Returns the alerts opened."""
    return len(alerts_evaluate_forecast())


@shared_task(**RETRY_OPTIONS)
def escalations_send_reminders_task() -> int:
    """Beat task: remind the Focal Point of overdue cases."""
    return escalations_send_reminders()


@shared_task(
    **{
        **RETRY_OPTIONS,
        # A mail server that hangs is a transient fault too: the soft limit stops the attempt and the retry sends.
        "autoretry_for": (*TRANSIENT_DATABASE_ERRORS, smtplib.SMTPException, OSError, SoftTimeLimitExceeded),
        "max_retries": 8,
        # Far inside EMAIL_CLAIM_LEASE, so a claim older than the lease is a dead worker's, never a slow one's.
        "soft_time_limit": 120,
        "time_limit": 150,
    }
)
def notification_send_email_task(notification_id: int) -> bool:
    """Send one recorded e-mail notification; a second delivery finds it sent, or claimed, and does nothing."""
    return notification_send_email(notification_id=notification_id)


@shared_task(**RETRY_OPTIONS)
def notifications_resend_unconfirmed_task() -> list[int]:
    """Every minute: an email whose worker died between claiming and sending it is queued again."""
    return notifications_resend_unconfirmed()
