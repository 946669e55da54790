"""Reports queued for generation whose task message was lost before a worker took it (core/lost_messages.py): queued
again by the reaper's beat task, a bounded number of times, then failed with the reason."""

from __future__ import annotations

from django.db import transaction

from core.lost_messages import QueuedJobKind, queued_jobs_requeue
from reports.models import Report
from reports.services import REPORT_BUILD_TASK, report_failure_record

REPORTS_QUEUED = QueuedJobKind(
    label="report",
    # Not yet started: one a worker started and lost is the heartbeat reaper's (reports.services.reports_reap).
    waiting=lambda: Report.objects.filter(status=Report.Status.QUEUED, started_at__isnull=True),
    handed_over_field="requested_at",
    task_name=REPORT_BUILD_TASK,
    task_kwargs=lambda report: {"report_id": report.pk},
    give_up=lambda reason: {"status": Report.Status.FAILED, "error": reason},
)


def reports_requeue_lost(*, now=None) -> dict[str, list[int]]:
    """Queue again every queued report no worker took; one given up is recorded as failed in the audit trail, and the
    Focal Point hears of a scheduled one, as of one whose worker died. Returns the ids requeued and given up."""
    outcome = queued_jobs_requeue(REPORTS_QUEUED, now=now)
    for report in Report.objects.filter(pk__in=outcome["given_up"]).defer("pdf", "html", "content").order_by("pk"):
        with transaction.atomic():
            report_failure_record(report=report)
    return outcome
