"""Serializers for alerts and escalations; the workflow services validate every write again."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from alerts.models import Alert, Department, Escalation, ResponseAction, RuleKind, Tool, Urgency
from core.models import AuditEvent


class AlertSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso3")
    country_name = serializers.CharField(source="country.name")
    rule = serializers.CharField(source="rule.name")
    rule_kind = serializers.ChoiceField(choices=RuleKind.choices)
    handled_by = serializers.CharField(source="handled_by.username", allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "country",
            "country_name",
            "rule",
            "rule_kind",
            "status",
            "message",
            "details",
            "raised_at",
            "handled_by",
            "handled_at",
            "dismissal_reason",
        ]


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000, help_text="Why the alert needs no escalation.")


class ResponseActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResponseAction
        fields = ["id", "tool", "lead_department", "owner", "due_on", "status"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = AuditEvent
        fields = ["kind", "actor", "occurred_at", "from_state", "to_state", "summary", "reason"]


class EscalationSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.iso3")
    country_name = serializers.CharField(source="country.name")
    created_by = serializers.CharField(source="created_by.username")
    claimed_by = serializers.CharField(source="claimed_by.username", allow_null=True, default=None)
    alert = serializers.IntegerField(source="alert_id", allow_null=True)
    evidence_links = serializers.ListField(child=serializers.CharField())
    recommended_responses = serializers.ListField(child=serializers.ChoiceField(choices=Tool.choices))

    class Meta:
        model = Escalation
        fields = [
            "id",
            "country",
            "country_name",
            "state",
            "urgency",
            "summary",
            "risk_assessment",
            "evidence_links",
            "recommended_responses",
            "alert",
            "created_by",
            "created_at",
            "submitted_at",
            "awaiting_since",
            "claimed_by",
            "claimed_at",
            "decided_at",
            "decision_rationale",
        ]


class EscalationDetailSerializer(EscalationSerializer):
    available_actions = serializers.SerializerMethodField(help_text="Transitions you may make on this case now.")
    timeline = AuditEventSerializer(many=True, source="timeline_events")
    actions = ResponseActionSerializer(many=True, source="response_actions")
    scores_snapshot = serializers.JSONField(allow_null=True, help_text="Scores when the case was first submitted.")

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "scores_snapshot", "available_actions", "timeline", "actions"]

    def get_available_actions(self, escalation) -> list[str]:
        return [transition.action for transition in self.context.get("available", [])]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Draft an escalation",
            value={
                "country": "KEN",
                "summary": "Militia mobilisation against the minority in the north.",
                "risk_assessment": "Hate speech by officials has been followed by arms deliveries to militias.",
                "evidence_links": ["https://example.org/report"],
                "recommended_responses": ["diplomatic_engagement"],
                "urgency": "high",
            },
            request_only=True,
        )
    ]
)
class EscalationWriteSerializer(serializers.Serializer):
    country = serializers.CharField(max_length=3, help_text="ISO-3 code; only on create.")
    summary = serializers.CharField(max_length=10000)
    risk_assessment = serializers.CharField(max_length=50000)
    evidence_links = serializers.ListField(child=serializers.CharField(max_length=2000), required=False, default=list)
    recommended_responses = serializers.ListField(
        child=serializers.ChoiceField(choices=Tool.choices), required=False, default=list
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)
    alert = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text="The alert it answers."
    )


class EscalationUpdateSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=10000)
    risk_assessment = serializers.CharField(max_length=50000)
    evidence_links = serializers.ListField(child=serializers.CharField(max_length=2000), required=False, default=list)
    recommended_responses = serializers.ListField(
        child=serializers.ChoiceField(choices=Tool.choices), required=False, default=list
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.ROUTINE)


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20000, help_text="Rationale or note; kept with it."
    )


class ActionPlanSerializer(serializers.Serializer):
    tool = serializers.ChoiceField(choices=Tool.choices)
    lead_department = serializers.ChoiceField(choices=Department.choices)
    owner = serializers.CharField(max_length=200)
    due_on = serializers.DateField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Declare imminent risk with one action",
            value={
                "reason": "Arms deliveries and mobilisation confirmed by two sources.",
                "actions": [
                    {
                        "tool": "diplomatic_engagement",
                        "lead_department": "fcdo",
                        "owner": "Regional director",
                        "due_on": "2026-12-31",
                    }
                ],
            },
            request_only=True,
        )
    ]
)
class DeclareSerializer(TransitionSerializer):
    actions = ActionPlanSerializer(many=True, help_text="At least one response action.")
