"""Core's one task: the sweep that sends outbox rows the after-commit send could not hand to the broker."""

from __future__ import annotations

from celery import shared_task

from core.retry import RETRY_OPTIONS
from core.services import outbox_send_pending


@shared_task(**RETRY_OPTIONS)
def outbox_send_pending_task() -> int:
    """Beat task, every minute: send every due pending outbox row; returns how many were sent."""
    return outbox_send_pending()
