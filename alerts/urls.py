"""Alert, escalation, action-tracker, trigger-event and AIA pages; included at the site root."""

from django.urls import path

import core.converters  # noqa: F401  (registers the <iso3:...> path converter)
from alerts import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/acknowledge/", views.alerts_acknowledge, name="alerts_acknowledge"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
    path("escalations/", views.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("escalations/<int:pk>/edit/", views.escalation_edit, name="escalation_edit"),
    path("escalations/<int:pk>/submit/", views.escalation_submit, name="escalation_submit"),
    path("escalations/<int:pk>/claim/", views.escalation_claim, name="escalation_claim"),
    path("escalations/<int:pk>/decide/", views.escalation_decide, name="escalation_decide"),
    path("escalations/<int:pk>/resubmit/", views.escalation_resubmit, name="escalation_resubmit"),
    path("countries/<iso3:iso3>/escalate/", views.escalation_create, name="escalation_create"),
    path("countries/<iso3:iso3>/trigger-events/new/", views.trigger_event_create, name="trigger_event_create"),
    path("actions/", views.action_tracker, name="action_tracker"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("impact-assessments/", views.impact_assessment_list, name="impact_assessment_list"),
    path("impact-assessments/<int:pk>/", views.impact_assessment_detail, name="impact_assessment_detail"),
    path("pick-country/", views.country_pick, name="country_pick"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
