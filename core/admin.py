"""Admin building blocks shared by every app, and the audit trail and outbox shown read-only."""

from django.contrib import admin

from core.models import AuditEvent, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services or background jobs: visible to administrators, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "actor", "country", "escalation", "summary")
    list_filter = ("kind",)
    list_select_related = ("actor", "country", "escalation", "escalation__country")
    search_fields = ("summary", "reason")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "task_name", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "task_name")
    search_fields = ("task_name", "dedupe_key", "last_error")
