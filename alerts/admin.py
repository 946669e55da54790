"""Admin: administrators publish alert-rule versions; everything else here is read-only history."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q

from alerts import rules as rule_engine
from alerts.models import (
    Alert,
    AlertRule,
    AtrocityImpactAssessment,
    Escalation,
    Notification,
    ResponseAction,
    TriggerEvent,
)
from alerts.selectors import escalations_visible_to
from alerts.services import alert_rule_publish
from core.admin import ReadOnlyAdmin
from core.models import AuditEvent


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["kind", "name", "description", "parameters"]
        help_texts = {
            "parameters": "JSON. Defaults: "
            + "; ".join(f"{kind}: {json.dumps(params)}" for kind, params in rule_engine.DEFAULT_PARAMETERS.items())
        }

    def clean(self):
        cleaned = super().clean()
        errors = rule_engine.rule_parameters_errors(cleaned.get("kind", ""), cleaned.get("parameters"))
        if errors:
            raise ValidationError({"parameters": errors})
        return cleaned


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    """Adding a rule publishes a new version of its kind; published versions are never edited."""

    form = AlertRuleForm
    list_display = ("name", "kind", "version", "is_active", "published_at", "created_by")
    list_filter = ("kind", "is_active")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("kind", "version", "name", "description", "parameters", "is_active", "published_at", "created_by")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("kind", "name", "description", "parameters")
        return self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        published = alert_rule_publish(
            kind=obj.kind,
            name=obj.name,
            description=obj.description,
            parameters=obj.parameters,
            actor=request.user,
        )
        obj.pk = published.pk
        obj.version = published.version

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail (a core model) is administered here, where the rule for reading drafts lives."""

    list_display = ("occurred_at", "kind", "actor", "country", "escalation", "summary")
    list_filter = ("kind",)
    list_select_related = ("actor", "country", "escalation", "escalation__country")
    search_fields = ("summary", "reason")

    def get_queryset(self, request):
        # The pages' rule for drafts holds here too: entries of a case the user may not read are not listed.
        visible = escalations_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(Q(escalation__isnull=True) | Q(escalation__in=visible))


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_at", "rule_kind", "country", "status", "message")
    list_filter = ("rule_kind", "status")
    list_select_related = ("country",)


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "country", "state", "urgency", "created_by", "claimed_by", "submitted_at")
    list_filter = ("state", "urgency")
    list_select_related = ("country", "created_by", "claimed_by")

    def get_queryset(self, request):
        # Other users' drafts stay private in the admin as on /escalations/<id>/ (a 404 there, absent here).
        visible = escalations_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "channel", "topic", "subject", "sent_at")
    list_filter = ("channel", "topic")
    list_select_related = ("recipient",)


@admin.register(ResponseAction)
class ResponseActionAdmin(ReadOnlyAdmin):
    list_display = ("tool", "lead_department", "owner", "country", "due_on", "status")
    list_filter = ("lead_department", "status", "tool")
    list_select_related = ("country",)


@admin.register(TriggerEvent)
class TriggerEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "kind", "country", "title", "recorded_by")
    list_select_related = ("country", "recorded_by")


@admin.register(AtrocityImpactAssessment)
class AtrocityImpactAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "country", "owner", "due_on", "status")
    list_filter = ("status",)
    list_select_related = ("country", "owner")
