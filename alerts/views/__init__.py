"""Pages of the alerts app, one module per concept; the URLconf names them from here."""

from alerts.views.actions import action_status, action_tracker
from alerts.views.alerts import alert_acknowledge, alert_dismiss, alert_list, alerts_acknowledge
from alerts.views.escalations import (
    escalation_claim,
    escalation_create,
    escalation_decide,
    escalation_detail,
    escalation_edit,
    escalation_list,
    escalation_resubmit,
    escalation_submit,
)
from alerts.views.impact_assessments import (
    country_pick,
    impact_assessment_detail,
    impact_assessment_list,
    trigger_event_create,
)
from alerts.views.notifications import notification_list, notification_read, notifications_read_all

__all__ = [
    "action_status",
    "action_tracker",
    "alert_acknowledge",
    "alert_dismiss",
    "alert_list",
    "alerts_acknowledge",
    "country_pick",
    "escalation_claim",
    "escalation_create",
    "escalation_decide",
    "escalation_detail",
    "escalation_edit",
    "escalation_list",
    "escalation_resubmit",
    "escalation_submit",
    "impact_assessment_detail",
    "impact_assessment_list",
    "notification_list",
    "notification_read",
    "notifications_read_all",
    "trigger_event_create",
]
