"""A score recompute executed by a real Celery worker, through Redis when CELERY_BROKER_URL names it.

With ATROCITY_WATCH_REQUIRE_SERVICES=1 (CI's integration run) the test fails instead of skipping when PostgreSQL or
Redis is not what is configured.
"""

import datetime as dt
import os
import threading

import pytest
from django.db import connection

from atrocity_watch.celery import app as celery_app
from indicators.models import CountryScore, ScoreRun
from indicators.services import assessment_record
from indicators.signals import score_run_finished
from tests.factories import indicator

REQUIRE_SERVICES = os.environ.get("ATROCITY_WATCH_REQUIRE_SERVICES") == "1"
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"ATROCITY_WATCH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def worker_broker():
    """The broker the worker uses: Redis when the environment names it, otherwise the in-memory transport."""
    if REQUIRE_SERVICES and connection.vendor != "postgresql":
        pytest.fail("ATROCITY_WATCH_REQUIRE_SERVICES=1 but the database is not PostgreSQL (set DATABASE_URL).")
    if BROKER_URL.startswith("redis://"):
        import redis

        try:
            redis.Redis.from_url(BROKER_URL, socket_connect_timeout=2).ping()
        except redis.exceptions.RedisError as exc:
            _unavailable(f"Redis at {BROKER_URL} is unreachable ({exc}).")
        url, options = BROKER_URL, {}
    elif REQUIRE_SERVICES:
        pytest.fail("ATROCITY_WATCH_REQUIRE_SERVICES=1 but CELERY_BROKER_URL does not name Redis.")
    elif BROKER_URL:
        url, options = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    else:
        url, options = "memory://", {}
    saved = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = options
    celery_app.conf.task_always_eager = False
    _connections_reset()
    yield url
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager = saved
    _connections_reset()


def _connections_reset() -> None:
    """Drop pooled broker connections so the next message goes to the broker configured now."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def finished_runs():
    """Collects score runs as they finish, and lets a test wait for one without sleeping."""
    runs: list[ScoreRun] = []
    event = threading.Event()

    def collect(sender, run, **kwargs):
        runs.append(run)
        event.set()

    score_run_finished.connect(collect, weak=False, dispatch_uid="test-worker-finished-runs")
    yield runs, event
    score_run_finished.disconnect(dispatch_uid="test-worker-finished-runs")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_recording_an_assessment_is_scored_by_a_real_worker(worker_broker, finished_runs, settings):
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task start_worker expects)
    from celery.contrib.testing.worker import start_worker

    from tests.factories import CountryFactory, DeskFactory, UserFactory

    settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS = 1
    desk = DeskFactory(name="Worker desk", slug="worker-desk")
    country = CountryFactory(iso3="QWW", name="Workerland", desk=desk)
    analyst = UserFactory(username="walter", role="analyst", desks=[desk])
    runs, event = finished_runs

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assessment_record(country=country, indicator=indicator("1.1"), observed_on=dt.date(2026, 2, 1), severity=3,
                          confidence="high", source="Desk reporting", author=analyst)  # fmt: skip
        assert event.wait(timeout=60), "the worker did not finish a score run within 60 s"

    run = ScoreRun.objects.get(pk=runs[0].pk)
    assert run.status == ScoreRun.Status.SUCCEEDED
    assert run.trigger == ScoreRun.Trigger.NEW_DATA
    assert run.celery_task_id  # it ran as a task, not in-process
    assert run.country_scope == ["QWW"]
    score = CountryScore.objects.get(country=country, month=dt.date(2026, 2, 1))
    assert score.overall == pytest.approx(100)
    assert score.run_id == run.pk
