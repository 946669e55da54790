"""Reports in the admin: read-only, since every change goes through reports.services and is audited."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("period", "edition", "version", "status", "generated_at", "published_at")
    list_filter = ("status", "edition")
    exclude = ("pdf", "html", "content")
