"""Celery tasks for reports: thin shells that look a report up by id, or the date, and call a service."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.utils import timezone

from core.retry import RETRY_OPTIONS, TRANSIENT_DATABASE_ERRORS
from reports import services
from reports.editions import EDITIONS
from reports.models import Report
from reports.periods import quarter_before


@shared_task(**{**RETRY_OPTIONS, "soft_time_limit": 600, "time_limit": 660})
def report_build_task(report_id: int) -> str:
    """Generate a queued report; idempotent, so a redelivered message finds it drafted and does nothing."""
    return services.report_build(report_id=report_id).status


@shared_task(
    **{**RETRY_OPTIONS, "autoretry_for": (*TRANSIENT_DATABASE_ERRORS, smtplib.SMTPException, OSError), "max_retries": 8}
)
def report_notify_focal_points_task(report_id: int) -> int:
    """Email the Focal Point that a draft waits for approval; retried on mail-server and network errors."""
    return services.report_notify_drafted(report=Report.objects.get(pk=report_id))


@shared_task(**RETRY_OPTIONS)
def reports_draft_quarterly_task() -> list[int]:
    """Beat, on the first day of each quarter: draft both editions of the quarter just ended and tell the Focal
    Point. A period and edition that already has a report (other than a withdrawn or failed one) is left alone."""
    period = quarter_before(timezone.localdate())
    drafted = []
    for edition in EDITIONS:
        exists = (
            Report.objects.filter(period=period.code, edition=edition)
            .exclude(status__in=[Report.Status.WITHDRAWN, Report.Status.FAILED])
            .exists()
        )
        if exists:
            continue
        drafted.append(services.report_draft_and_notify(period=period.code, edition=edition).pk)
    return drafted
