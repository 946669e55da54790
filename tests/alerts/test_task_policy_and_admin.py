"""Alert tasks follow the project's one retry policy; the alert history admin is the project's one read-only admin."""

import pytest
from django.contrib import admin
from django.db import InterfaceError, OperationalError

from alerts import tasks
from alerts.models import Alert, Escalation, ResponseAction
from core.admin import ReadOnlyAdmin
from core.models import AuditEvent
from core.retry import RETRY_OPTIONS

TASKS = [
    tasks.alerts_evaluate_after_run_task,
    tasks.alerts_evaluate_assessments_task,
    tasks.escalations_send_reminders_task,
    tasks.notification_send_email_task,
    tasks.notifications_resend_unconfirmed_task,
]


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.name)
def test_every_alert_task_is_acknowledged_late_and_retried_on_transient_database_errors(task):
    assert task.acks_late is True
    assert {OperationalError, InterfaceError} <= set(task.autoretry_for)
    assert task.retry_backoff == RETRY_OPTIONS["retry_backoff"]


@pytest.mark.parametrize("model", [AuditEvent, Alert, Escalation, ResponseAction])
def test_alert_history_uses_the_shared_read_only_admin(model):
    assert isinstance(admin.site._registry[model], ReadOnlyAdmin)
