"""The network page waits for a queued analysis by asking a small status address, which reads like the page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from networks.models import AnalysisRun
from networks.services import analysis_run_execute, analysis_run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued_run(imported_network, settings, country_a):
    """The network is above the inline limit, so opening the page queues its analysis for the worker."""
    settings.NETWORK_INLINE_ANALYSIS_MAX_ACTORS = 1
    from networks.services import analysis_run_request

    return analysis_run_request(country=country_a)


def test_the_page_of_a_queued_analysis_points_at_its_status(client, victor, queued_run):
    """The status line carries the run's state and the address the page's script polls."""
    client.force_login(victor)
    page = client.get(reverse("networks:country_network", args=["QAA"])).content.decode()
    url = reverse("networks:analysis_status", args=["QAA", queued_run.pk])
    assert queued_run.status == AnalysisRun.Status.QUEUED
    assert f'data-status-url="{url}"' in page and 'data-state="queued"' in page
    assert 'id="network-tables"' in page


def test_the_status_says_when_the_worker_has_finished(client, victor, queued_run):
    """Queued, then succeeded once the worker has computed it."""
    client.force_login(victor)
    url = reverse("networks:analysis_status", args=["QAA", queued_run.pk])
    assert client.get(url).json() == {"id": queued_run.pk, "status": "queued", "finished": False}
    analysis_run_execute(run=queued_run)
    answer = client.get(url)
    assert answer.json() == {"id": queued_run.pk, "status": "succeeded", "finished": True}
    assert answer["Cache-Control"] == "no-store"


def test_the_status_is_refused_to_an_account_without_role_and_hidden_under_another_country(
    client, nobody, victor, queued_run, country_b
):
    """No role: 403. A run asked for under another country's address: 404."""
    client.force_login(nobody)
    assert client.get(reverse("networks:analysis_status", args=["QAA", queued_run.pk])).status_code == 403
    client.force_login(victor)
    assert client.get(reverse("networks:analysis_status", args=["QBB", queued_run.pk])).status_code == 404


def test_an_analysis_whose_worker_died_is_failed_and_asked_again_once_past_the_task_limit(
    client, victor, queued_run, country_a, settings
):
    """A run left "running" by a dead worker (no task runs past the time limit) is failed with the reason, and the
    next visit queues a fresh one instead of waiting for it for ever; a run inside the limit is left alone."""
    started = timezone.now()
    AnalysisRun.objects.filter(pk=queued_run.pk).update(status=AnalysisRun.Status.RUNNING, started_at=started)
    with time_machine.travel(started + dt.timedelta(seconds=settings.TASK_TIME_LIMIT_SECONDS - 60)):
        assert analysis_run_request(country=country_a).pk == queued_run.pk
    with time_machine.travel(started + dt.timedelta(seconds=settings.TASK_TIME_LIMIT_SECONDS + 60)):
        fresh = analysis_run_request(country=country_a)
    assert fresh.pk != queued_run.pk and fresh.status == AnalysisRun.Status.QUEUED
    queued_run.refresh_from_db()
    assert queued_run.status == AnalysisRun.Status.FAILED
    assert "stopped without finishing" in queued_run.error
