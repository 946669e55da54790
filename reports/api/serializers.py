"""Report records for API clients: metadata, checksums and where to fetch the files."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.models import Report


class ReportSerializer(serializers.ModelSerializer):
    classification = serializers.CharField(read_only=True)
    replaces = serializers.PrimaryKeyRelatedField(read_only=True, help_text="Id of the report this one corrects")
    pdf_url = serializers.SerializerMethodField(help_text="The PDF, for API clients (checked against pdf_sha256)")
    html_url = serializers.SerializerMethodField(help_text="The print-ready HTML page, for signed-in browsers")

    class Meta:
        model = Report
        fields = (
            "id",
            "period",
            "period_start",
            "period_end",
            "edition",
            "version",
            "status",
            "classification",
            "replaces",
            "correction_note",
            "page_count",
            "pdf_sha256",
            "html_sha256",
            "generated_at",
            "approved_at",
            "published_at",
            "pdf_url",
            "html_url",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_pdf_url(self, report: Report) -> str | None:
        return reverse("report-pdf", args=[report.pk]) if report.pdf_sha256 else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_html_url(self, report: Report) -> str | None:
        return reverse("reports:report_html", args=[report.pk]) if report.html_sha256 else None
