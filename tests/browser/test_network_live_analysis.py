"""A large network's analysis runs in the worker; the open network page fills in its tables when it finishes."""

from pathlib import Path

import pytest
from django.urls import reverse

from atrocity_watch.celery import app as celery_app
from networks.models import AnalysisRun
from networks.services import analysis_run_execute, ftm_import_run
from tests.networks.conftest import upload
from tests.networks.ftm_samples import ftm_file, small_network

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def worker_elsewhere(celery_eager):
    """Tasks go to the (in-memory) broker and wait there, as they would for a busy worker, instead of running
    in-process."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tables_appear_without_a_reload_when_the_worker_finishes(
    signed_in, live_server, settings, alice, victor, country_a, console_errors, worker_elsewhere
):
    """The viewer opens the page while the run waits for the worker; once it has run, the ranked tables show."""
    settings.NETWORK_INLINE_ANALYSIS_MAX_ACTORS = 1  # this small network then counts as large: the worker computes it
    ftm_import_run(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    page = signed_in("victor")
    page.goto(live_server.url + reverse("networks:country_network", args=["QAA"]))
    page.wait_for_selector("#network-graph[data-ready='true']")
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.QUEUED
    assert "the tables below fill in" in page.inner_text("#analysis-status")
    assert page.locator("#central-heading + p + table").count() == 0
    page.evaluate("window.__samePage = true")

    analysis_run_execute(run=run)
    page.wait_for_selector("#central-heading + p + table", timeout=20_000)
    assert "Gen. Test" in page.inner_text("#central-heading + p + table")
    assert "succeeded" in page.inner_text("#analysis-status")
    assert page.evaluate("window.__samePage") is True  # no reload happened
    page.locator("#network-tables .nw-show[data-actor]").first.click()  # swapped-in buttons still work
    page.wait_for_selector("#actor-panel-body h3 a")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "network_live_analysis_1280.png"), full_page=True)
    assert console_errors == []
