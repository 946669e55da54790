"""Reports to Parliament: one record per generated edition and version, with its stored PDF, HTML and checksums."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import QueuedJobModel
from reports.editions import CLASSIFICATION, EDITIONS


class ReportImmutableError(Exception):
    """Raised when code tries to change or delete a published report, or the content of any generated one."""


class ReportQuerySet(models.QuerySet):
    """Bulk updates and deletes may not touch a published report (a correction is a new version)."""

    def update(self, **kwargs):
        if self.filter(status=Report.Status.PUBLISHED).exists():
            raise ReportImmutableError("Published reports cannot be changed; issue a correction instead.")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Report.Status.PUBLISHED).exists():
            raise ReportImmutableError("Published reports cannot be deleted; issue a correction instead.")
        return super().delete()


class Report(QueuedJobModel):
    """One edition and version of the periodic report to Parliament, from generation to publication.

    The PDF and HTML are stored in the database, not on a disk, so the web process, the worker that drafted the
    report and any replica read the same bytes; the SHA-256 of each is kept beside it and checked on every download.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Being generated"
        FAILED = "failed", "Generation failed"
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved by the Focal Point"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn (a newer draft replaced it)"

    class Trigger(models.TextChoices):
        PAGE = "page", "Reports page"
        COMMAND = "command", "Command line"
        SCHEDULE = "schedule", "Quarterly schedule"

    # Written once, when generation finishes; never changed after.
    CONTENT_FIELDS = ("pdf", "pdf_sha256", "html", "html_sha256", "content", "page_count")

    period = models.CharField(max_length=7, help_text="2026-Q3 or 2026")
    period_start = models.DateField()
    period_end = models.DateField()
    edition = models.CharField(max_length=10, choices=list(EDITIONS.items()))
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.PAGE)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        help_text="The published report this version corrects",
    )
    correction_note = models.TextField(blank=True, help_text="What the correction changes, printed on its cover")
    pdf = models.BinaryField(null=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    html = models.TextField(blank=True)
    html_sha256 = models.CharField(max_length=64, blank=True)
    content = models.JSONField(null=True, blank=True, help_text="The data the edition was rendered from")
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    generation_seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    # A worker generating the report stamps heartbeat_at (indicators.heartbeat); reports_reap finds one that died.
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker began generating it")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of that worker")
    restarts = models.PositiveSmallIntegerField(
        default=0, help_text="Times its generation was queued again because the worker generating it died"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "period", "edition", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "edition", "version"], name="unique_report_version"),
            models.CheckConstraint(
                condition=~Q(status="published") | (Q(published_at__isnull=False) & ~Q(pdf_sha256="")),
                name="published_report_has_file_and_date",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Report {self.period} {self.get_edition_display().lower()} v{self.version} ({self.get_status_display()})"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding and self.pk:
            stored = type(self).objects.filter(pk=self.pk).values("status", *self.CONTENT_FIELDS).first()
            if stored is not None:
                if stored["status"] == self.Status.PUBLISHED:
                    raise ReportImmutableError(
                        f"Report {self.pk} is published and cannot change; issue a correction instead."
                    )
                if stored["pdf_sha256"]:
                    changed = [
                        name
                        for name in self.CONTENT_FIELDS
                        if _comparable(stored[name]) != _comparable(getattr(self, name))
                    ]
                    if changed:
                        raise ReportImmutableError(
                            f"Report {self.pk} was generated; its {', '.join(changed)} cannot change. "
                            "Generate a new version instead."
                        )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            raise ReportImmutableError(f"Report {self.pk} is published and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def classification(self) -> str:
        return CLASSIFICATION[self.edition]

    @property
    def file_name(self) -> str:
        return f"atrocity-watch-report-{self.period}-{self.edition}-v{self.version}"

    def pdf_intact(self) -> bool:
        """True when the stored PDF still has the checksum recorded when it was generated."""
        return bool(self.pdf) and hashlib.sha256(bytes(self.pdf)).hexdigest() == self.pdf_sha256

    def html_intact(self) -> bool:
        return bool(self.html) and hashlib.sha256(self.html.encode()).hexdigest() == self.html_sha256


def _comparable(value):
    return bytes(value) if isinstance(value, memoryview | bytearray) else value
