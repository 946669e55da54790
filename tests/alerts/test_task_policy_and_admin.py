"""Alert tasks follow the project's one retry policy; the alert history admin is the project's one read-only admin."""

import pytest
from django.contrib import admin
from django.db import InterfaceError, OperationalError

from alerts import tasks
from alerts.models import Alert, AuditEvent, Escalation, ResponseAction
from indicators.admin import ReadOnlyAdmin
from indicators.tasks import RETRY_OPTIONS

TASKS = [
    tasks.alerts_evaluate_after_run,
    tasks.alerts_evaluate_assessments,
    tasks.escalations_send_reminders,
    tasks.notification_send_email,
]


@pytest.mark.parametrize("task", TASKS, ids=lambda task: task.name)
def test_every_alert_task_is_acknowledged_late_and_retried_on_transient_database_errors(task):
    assert task.acks_late is True
    assert {OperationalError, InterfaceError} <= set(task.autoretry_for)
    assert task.retry_backoff == RETRY_OPTIONS["retry_backoff"]


@pytest.mark.parametrize("model", [AuditEvent, Alert, Escalation, ResponseAction])
def test_alert_history_uses_the_shared_read_only_admin(model):
    assert isinstance(admin.site._registry[model], ReadOnlyAdmin)
