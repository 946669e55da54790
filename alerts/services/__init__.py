"""Writes of the alerts app, one module per concept; every state change, notification and audit entry goes through
them. This package re-exports the public services so callers keep writing `services.escalation_submit(...)`.

rules               publishing alert rules
alerts              evaluating rules, opening, resolving, acknowledging and dismissing alerts
forecast_alerts     the onset-forecast rule, evaluated when a forecast model is published
escalations         drafting and editing a case
workflow            the state machine: TRANSITIONS and escalation_transition
response_actions    the actions a declaration sets in motion, and their status
notifications       in-app and e-mail messages (rendered from templates) and overdue reminders
impact_assessments  trigger events and Atrocity Impact Assessments
"""

from alerts.services.alerts import (
    alert_acknowledge,
    alert_dismiss,
    alert_mark_escalated,
    alert_raise,
    alert_resolve,
    alerts_acknowledge,
    alerts_evaluate,
    alerts_resolve_demonstration,
    alerts_resolve_with_case,
)
from alerts.services.escalations import EDITABLE_STATES, escalation_create, escalation_update
from alerts.services.forecast_alerts import alerts_evaluate_forecast
from alerts.services.impact_assessments import (
    impact_assessment_complete,
    impact_assessment_update,
    trigger_event_record,
)
from alerts.services.notifications import (
    REMINDER_INTERVAL,
    escalations_send_reminders,
    notification_mark_read,
    notification_send_email,
    notifications_mark_all_read,
    notifications_mark_case_read,
)
from alerts.services.response_actions import response_action_set_status
from alerts.services.rules import alert_rule_publish
from alerts.services.workflow import (
    DECISIONS,
    TRANSITIONS,
    EscalationAlreadyClaimed,
    EscalationTransitionError,
    Transition,
    escalation_claim,
    escalation_decide,
    escalation_resubmit,
    escalation_submit,
    escalation_transition,
    transitions_available,
)

__all__ = [
    "DECISIONS",
    "EDITABLE_STATES",
    "REMINDER_INTERVAL",
    "TRANSITIONS",
    "EscalationAlreadyClaimed",
    "EscalationTransitionError",
    "Transition",
    "alert_acknowledge",
    "alert_dismiss",
    "alerts_acknowledge",
    "alert_mark_escalated",
    "alerts_resolve_demonstration",
    "alerts_resolve_with_case",
    "alert_raise",
    "alert_resolve",
    "alert_rule_publish",
    "alerts_evaluate",
    "alerts_evaluate_forecast",
    "escalation_claim",
    "escalation_create",
    "escalation_decide",
    "escalation_resubmit",
    "escalation_submit",
    "escalation_transition",
    "escalation_update",
    "escalations_send_reminders",
    "impact_assessment_complete",
    "impact_assessment_update",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notifications_mark_case_read",
    "notification_send_email",
    "response_action_set_status",
    "transitions_available",
    "trigger_event_record",
]
