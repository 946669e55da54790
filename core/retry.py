"""The one retry policy of every Celery task: acknowledged late, retried with backoff on transient faults."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_OPTIONS = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_DATABASE_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}
