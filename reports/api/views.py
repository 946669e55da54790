"""Read-only API for reports to Parliament: every role lists published reports; preparers see drafts too."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer

from core.roles import can_prepare_report
from reports import selectors
from reports.api.serializers import ReportSerializer
from reports.models import Report


class PdfRenderer(BaseRenderer):
    """Lets a client ask for application/pdf; the PDF itself is an HttpResponse, so only errors pass through here,
    and they are sent as the API's usual JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data)


class ChecksumMismatch(APIException):
    status_code = 409
    default_code = "checksum_mismatch"
    default_detail = "The stored PDF does not match the checksum recorded when it was generated; it is not served."


@extend_schema_view(
    list=extend_schema(
        summary="List reports to Parliament",
        description="Newest period first. Every role lists published reports; administrators and the Focal Point "
        "also see drafts, approved, failed and withdrawn ones.",
    ),
    retrieve=extend_schema(summary="One report to Parliament", description="Its record, checksums and file links."),
)
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        return selectors.reports_list(include_unpublished=can_prepare_report(self.request.user)).order_by(
            "-period_end", "period", "edition", "-version", "-id"
        )

    @extend_schema(
        summary="Download a report's PDF",
        description="The stored PDF, served only while it matches its recorded SHA-256 (sent as X-Checksum-SHA256).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The stored file no longer matches its checksum."),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        report = self.get_object()
        stored = Report.objects.only("pdf", "pdf_sha256").get(pk=report.pk)
        if not stored.pdf_sha256:
            raise NotFound(f"Report {report.pk} has no file yet.")
        if not stored.pdf_intact():
            raise ChecksumMismatch()
        response = HttpResponse(bytes(stored.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report.file_name}.pdf"'
        response["X-Checksum-SHA256"] = stored.pdf_sha256
        return response
