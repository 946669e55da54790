"""Reads of report records: lists, one report, the latest published version, a report's audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import AuditEvent
from reports.models import Report

# --- Report records ---------------------------------------------------------------------------------------------


_STORED_FILES = ("pdf", "html", "content")


def reports_list(*, include_unpublished: bool) -> QuerySet[Report]:
    """Reports newest period first, without their stored files; only published ones unless asked."""
    queryset = Report.objects.select_related("requested_by", "approved_by", "published_by", "replaces").defer(
        *_STORED_FILES, *(f"replaces__{name}" for name in _STORED_FILES)
    )
    if not include_unpublished:
        queryset = queryset.filter(status=Report.Status.PUBLISHED)
    return queryset.order_by("-period_end", "period", "edition", "-version")


def report_get(*, pk: int) -> Report:
    return Report.objects.select_related("requested_by", "approved_by", "published_by", "replaces").get(pk=pk)


def report_latest_published(*, period: str, edition: str) -> Report | None:
    return (
        Report.objects.defer("pdf", "html", "content")
        .filter(period=period, edition=edition, status=Report.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


def report_audit_trail(report: Report) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(details__report_id=report.pk).select_related("actor").order_by("occurred_at", "pk")
