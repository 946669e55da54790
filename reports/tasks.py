"""Celery tasks for reports: thin shells that look a report up by id, or the date, and call a service."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.utils import timezone

from core.retry import RETRY_OPTIONS, TRANSIENT_DATABASE_ERRORS
from reports import services
from reports.lost_messages import reports_requeue_lost
from reports.models import Report


@shared_task(**{**RETRY_OPTIONS, "soft_time_limit": 600, "time_limit": 660})
def report_build_task(report_id: int) -> str:
    """Generate a queued report; idempotent, so a redelivered message finds it drafted and does nothing."""
    return services.report_build(report_id=report_id).status


@shared_task(
    **{**RETRY_OPTIONS, "autoretry_for": (*TRANSIENT_DATABASE_ERRORS, smtplib.SMTPException, OSError), "max_retries": 8}
)
def report_notify_focal_points_task(report_id: int) -> int:
    """Email the Focal Point that a draft waits for approval (or that a scheduled report failed); retried on
    mail-server and network errors."""
    return services.report_notify_focal_points(report=Report.objects.get(pk=report_id))


@shared_task(**RETRY_OPTIONS)
def reports_draft_quarterly_task() -> list[int]:
    """Beat, on the first day of each quarter: draft both editions of the quarter just ended and tell the Focal
    Point (reports.services.reports_draft_quarterly)."""
    return services.reports_draft_quarterly(today=timezone.localdate())


@shared_task
def reports_reap_task() -> dict[str, list[int]]:
    """Every minute: a report whose worker died is generated again once, then failed (reports.services.reports_reap);
    a queued one whose task message was lost is queued again (reports.lost_messages)."""
    return {**services.reports_reap(), **reports_requeue_lost()}
