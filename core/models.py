"""The bottom floor's tables: the append-only base model, the audit trail and the task outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a record that history depends on."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes so no code path rewrites history."""

    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} records are append-only and cannot be updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} records are append-only and cannot be deleted.")

    _raw_delete = delete


class AppendOnlyModel(models.Model):
    """A model whose rows are written once: saving an existing row or deleting one raises AppendOnlyError."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only; record a new one to correct it.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is append-only and cannot be deleted.")


class AuditEvent(AppendOnlyModel):
    """One entry of the append-only audit trail: who did what, when, to which case or country.

    The table predates this app (it was `alerts_auditevent`) and keeps its name and rows. Its links to a country,
    an escalation and an alert are declared by name, so the database keeps them whole while no core module imports
    the apps above it; core code reads only the ids.
    """

    class Kind(models.TextChoices):
        ALERT_RAISED = "alert_raised", "Alert raised"
        ALERT_ACKNOWLEDGED = "alert_acknowledged", "Alert acknowledged"
        ALERT_DISMISSED = "alert_dismissed", "Alert dismissed"
        ALERT_ESCALATED = "alert_escalated", "Alert turned into an escalation"
        ALERT_RESOLVED = "alert_resolved", "Alert resolved: its condition cleared"
        ESCALATION_CREATED = "escalation_created", "Escalation drafted"
        ESCALATION_EDITED = "escalation_edited", "Escalation edited"
        TRANSITION = "transition", "Escalation state changed"
        DECISION = "decision", "Decision"
        ACTION_CREATED = "action_created", "Response action created"
        ACTION_STATUS = "action_status", "Response action status changed"
        ASSESSMENT_RECORDED = "assessment_recorded", "Assessment recorded"
        ASSESSMENTS_IMPORTED = "assessments_imported", "Assessments imported"
        TRIGGER_EVENT = "trigger_event", "Trigger event recorded"
        AIA_UPDATED = "aia_updated", "Atrocity Impact Assessment updated"
        AIA_COMPLETED = "aia_completed", "Atrocity Impact Assessment completed"
        RULE_PUBLISHED = "rule_published", "Alert rule published"
        METHODOLOGY_PUBLISHED = "methodology_published", "Methodology published"
        METHODOLOGY_ACTIVATED = "methodology_activated", "Methodology activated"
        REPORT_REQUESTED = "report_requested", "Report to Parliament requested"
        REPORT_DRAFTED = "report_drafted", "Report to Parliament drafted"
        REPORT_FAILED = "report_failed", "Report to Parliament generation failed"
        REPORT_APPROVED = "report_approved", "Report to Parliament approved"
        REPORT_PUBLISHED = "report_published", "Report to Parliament published"
        REPORT_WITHDRAWN = "report_withdrawn", "Report to Parliament withdrawn"
        REPORT_NOTIFIED = "report_notified", "Focal Point told of a draft report, or of one that failed"
        NETWORK_ACTOR_RECORDED = "network_actor_recorded", "Network actor recorded"
        NETWORK_ACTOR_WITHDRAWN = "network_actor_withdrawn", "Network actor withdrawn"
        NETWORK_TIE_RECORDED = "network_tie_recorded", "Network relationship recorded"
        NETWORK_TIE_WITHDRAWN = "network_tie_withdrawn", "Network relationship withdrawn"
        NETWORK_IMPORTED = "network_imported", "Actor network imported"
        DEMONSTRATION_RETIRED = "demonstration_retired", "Demonstration data retired: real data imported"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the system acted (a rule fired, an import ran)",
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    country = models.ForeignKey("indicators.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    escalation = models.ForeignKey(
        "alerts.Escalation", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    alert = models.ForeignKey(
        "alerts.Alert", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    summary = models.CharField(max_length=500)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "alerts_auditevent"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["country", "occurred_at"], name="alerts_audi_country_aa8cce_idx"),
            models.Index(fields=["escalation", "occurred_at"], name="alerts_audi_escalat_b8202c_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.summary}"


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that asks for it.

    Sent after commit, or by the minute sweep when the broker was down then; a sender claims a row with a
    conditional UPDATE, so each row is sent once however many senders run.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"

    task_name = models.CharField(max_length=200, help_text="Registered Celery task name, e.g. alerts.tasks.x_task")
    kwargs = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(
        max_length=200, blank=True, help_text="While a row with this key waits, asking again adds no second row"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    not_before = models.DateTimeField(default=timezone.now, help_text="The task does not start before this time")
    next_attempt_at = models.DateTimeField(
        default=timezone.now, help_text="When a sender may claim the row next; a claim moves it forward as a lease"
    )
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_outbox_due_idx"),
            models.Index(fields=["dedupe_key", "not_before"], name="core_outbox_dedupe_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} ({self.get_status_display().lower()})"


class QueuedJobModel(models.Model):
    """A job handed to the task queue: how often it was queued again because its message was lost before any worker
    took it (core/lost_messages.py)."""

    requeues = models.PositiveSmallIntegerField(
        default=0, help_text="Times queued again because no worker took its task message (the message was lost)"
    )
    requeued_at = models.DateTimeField(null=True, blank=True, help_text="When it was last queued again")

    class Meta:
        abstract = True
