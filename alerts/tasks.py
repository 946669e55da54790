"""Celery tasks for alerts: thin shells that look rows up by id and call a service.

Every task is idempotent and acknowledged late, retried on transient database errors with the project's one retry
policy (indicators.tasks.RETRY_OPTIONS); sending an email is also retried on mail-server and network errors.
"""

from __future__ import annotations

import smtplib

from celery import shared_task

from alerts import services
from indicators.models import ScoreRun
from indicators.tasks import RETRY_OPTIONS, TRANSIENT_DATABASE_ERRORS


@shared_task(**RETRY_OPTIONS)
def alerts_evaluate_after_run(run_id: int) -> int:
    """Evaluate every active rule for the countries of a finished score run; returns the alerts opened."""
    run = ScoreRun.objects.select_related("methodology").get(pk=run_id)
    if run.status != ScoreRun.Status.SUCCEEDED:
        return 0
    return len(services.alerts_evaluate(run=run))


@shared_task(**RETRY_OPTIONS)
def alerts_evaluate_assessments(country_ids: list[int]) -> int:
    """Evaluate the serious-assessment rule for countries that just received assessments."""
    return len(services.alerts_evaluate(country_ids=country_ids, kinds=["serious_specific_indicator"]))


@shared_task(**RETRY_OPTIONS)
def escalations_send_reminders() -> int:
    """Beat task: remind the Focal Point of overdue cases."""
    return services.escalations_send_reminders()


@shared_task(
    **{**RETRY_OPTIONS, "autoretry_for": (*TRANSIENT_DATABASE_ERRORS, smtplib.SMTPException, OSError), "max_retries": 8}
)
def notification_send_email(notification_id: int) -> bool:
    return services.notification_send_email(notification_id=notification_id)
