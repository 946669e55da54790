"""Alert evaluation on a real Celery worker: after a score run finishes, the score_run_finished receiver's task runs
on the worker and the alert appears (in-memory broker by default, Redis when CELERY_BROKER_URL names it)."""

import datetime as dt
import os

import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task start_worker expects)
import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import AsyncResult
from celery.signals import after_task_publish

from alerts.models import Alert
from atrocity_watch.celery import app as celery_app
from core.models import AuditEvent
from indicators.signals import score_run_finished
from tests.alerts.factories import CountryScoreFactory, ScoreRunFactory

TASK = "alerts.tasks.alerts_evaluate_after_run_task"


@pytest.fixture
def published_evaluations():
    """Ids of the alert-evaluation tasks sent to the broker while the test runs."""
    ids: list[str] = []

    def collect(sender=None, headers=None, **kwargs):
        if sender == TASK:
            ids.append(headers["id"])

    after_task_publish.connect(collect, weak=False, dispatch_uid="test-alerts-worker-published")
    yield ids
    after_task_publish.disconnect(dispatch_uid="test-alerts-worker-published")


def finish_and_wait(run, published: list[str]) -> int:
    """Announce a finished run as the scoring engine does; wait on the result backend for the worker's answer."""
    before = len(published)
    score_run_finished.send(sender=type(run), run=run)
    assert len(published) == before + 1, "the receiver did not send the evaluation task to the broker"
    return AsyncResult(published[-1], app=celery_app).get(timeout=60)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_raises_and_later_resolves_the_alert_after_score_runs(country_a, published_evaluations):
    if os.environ.get("ATROCITY_WATCH_REQUIRE_SERVICES") == "1":
        assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False  # the autouse celery_eager fixture restores it afterwards
    first = ScoreRunFactory()
    CountryScoreFactory(country=country_a, run=first, month=dt.date(2026, 10, 1), overall=82.0)
    second = ScoreRunFactory()

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        # Alphaland was never assessed, so its very high band also rests on stale coverage: two alerts.
        assert finish_and_wait(first, published_evaluations) == 2
        alert = Alert.objects.get(country=country_a, rule_kind="band_reached")
        assert alert.status == "open" and alert.run == first
        assert alert.message == "Overall score 82.0 is in band Very high (October 2026)."

        CountryScoreFactory(country=country_a, run=second, month=dt.date(2026, 11, 1), overall=20.0)
        assert finish_and_wait(second, published_evaluations) == 0

    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolved_by_run == second
    assert AuditEvent.objects.filter(kind="alert_resolved", country=country_a).count() == 2  # band and stale
