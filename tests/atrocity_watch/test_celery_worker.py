"""Tasks run on a real Celery worker through the configured broker (Redis in CI)."""

import os

import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task the worker answers)
import pytest
from celery.contrib.testing.worker import start_worker

from atrocity_watch.celery import app as celery_app


def test_the_ci_run_uses_redis_as_the_broker():
    """When CI asks for real services, the broker really is Redis, so the worker test below goes through it."""
    if os.environ.get("ATROCITY_WATCH_REQUIRE_SERVICES") != "1":
        pytest.skip("only meaningful in the CI run against real services (ATROCITY_WATCH_REQUIRE_SERVICES=1)")
    assert celery_app.conf.broker_url.startswith("redis://")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_task_sent_through_the_broker():
    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = celery_app.send_task("celery.ping")
        assert result.get(timeout=20) == "pong"
