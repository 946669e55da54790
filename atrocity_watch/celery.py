"""The Celery application, and every periodic schedule of the system, declared in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atrocity_watch.settings")

app = Celery("atrocity_watch")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="UTC",
    enable_utc=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=60 * 30,
    task_soft_time_limit=60 * 25,
    broker_connection_retry_on_startup=True,
)

# Every periodic job lives here so the schedule can be read in one screen.
app.conf.beat_schedule = {
    # The outbox: tasks asked for in a transaction are sent after commit; this sends what a broker outage held back.
    "outbox-send-pending-every-minute": {
        "task": "core.tasks.outbox_send_pending_task",
        "schedule": crontab(),
    },
    "scores-recompute-nightly": {
        "task": "indicators.tasks.scores_recompute_all_task",
        "schedule": crontab(hour=2, minute=15),
    },
    # A run or import whose worker died is failed and re-queued within RUN_STALE_SECONDS plus this minute.
    "runs-reap-stale-every-minute": {
        "task": "indicators.tasks.runs_reap_stale_task",
        "schedule": 60.0,
    },
    # The same for a forecast training whose worker died (forecasts sit above indicators, so their own task).
    "forecast-runs-reap-stale-every-minute": {
        "task": "forecasts.tasks.forecast_runs_reap_task",
        "schedule": 60.0,
    },
    # A retraining an outcomes import asked for whose message was lost (a Redis restart) is asked for again.
    "forecast-retrain-requeue-lost-every-minute": {
        "task": "forecasts.tasks.forecast_retrain_requeue_lost_task",
        "schedule": 60.0,
    },
    # A report whose worker died (a hard time limit, a killed worker) is generated again once, then failed.
    "reports-reap-stale-every-minute": {
        "task": "reports.tasks.reports_reap_task",
        "schedule": 60.0,
    },
    # Network analyses whose task message was lost (a Redis restart) are queued again (imports and score
    # recomputes: runs-reap-stale).
    "analysis-runs-requeue-lost-every-minute": {
        "task": "networks.tasks.analysis_runs_requeue_lost_task",
        "schedule": 60.0,
    },
    # An escalation email whose worker died between claiming and sending it is queued again (after a 10-minute lease).
    "notifications-resend-unconfirmed-every-minute": {
        "task": "alerts.tasks.notifications_resend_unconfirmed_task",
        "schedule": 60.0,
    },
    # Overdue escalations: each case is reminded at most once a day, so an hourly check is cheap and timely.
    # New annual data (base-data editions, structural predictors, a year of Framework scores) arrives through the
    # year; retraining once a year on 15 January puts the finished year's December scores into the features.
    "forecast-train-yearly": {
        "task": "forecasts.tasks.forecast_train_task",
        "schedule": crontab(month_of_year=1, day_of_month=15, hour=3, minute=30),
    },
    "escalations-send-reminders-hourly": {
        "task": "alerts.tasks.escalations_send_reminders_task",
        "schedule": crontab(minute=5),
    },
    # The report to Parliament: both editions of the quarter just ended, drafted for the Focal Point's review.
    "reports-draft-quarterly": {
        "task": "reports.tasks.reports_draft_quarterly_task",
        "schedule": crontab(hour=5, minute=30, day_of_month=1, month_of_year="1,4,7,10"),
    },
}

app.autodiscover_tasks()
# Dataset imports live in a sub-package that the default discovery (<app>.tasks) does not reach.
app.autodiscover_tasks(["indicators.importers"])


@worker_init.connect
@worker_process_init.connect
def database_statement_timeout_for_workers(**kwargs):
    """Workers run long statements (a full score run's COPY): their limit is the worker one, not the web one."""
    from atrocity_watch.database import statement_timeout_apply

    statement_timeout_apply(role="worker")
