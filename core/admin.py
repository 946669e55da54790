"""Admin building blocks shared by every app, and the outbox shown read-only (the audit trail's admin is in alerts,
where the rule for reading draft escalations lives)."""

from django.contrib import admin

from core.models import OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services or background jobs: visible to administrators, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "task_name", "status", "attempts", "sent_at", "last_error")
    list_filter = ("status", "task_name")
    search_fields = ("task_name", "dedupe_key", "last_error")
