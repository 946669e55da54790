"""A report whose worker dies (a hard time limit, an OOM kill, a restart) is generated again once, then failed with the
reason the page shows and a button to generate it again; the Focal Point hears of a scheduled report that failed so.

`WorkerKilled` is a BaseException, as in tests/forecasts/test_worker_death.py: nothing on the way out records anything,
as when the process is killed with SIGKILL.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from atrocity_watch.celery import app as celery_app
from core.models import AuditEvent, OutboxMessage
from reports import services, tasks
from reports.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]
QUARTER_DAY = dt.datetime(2026, 10, 1, 5, 30, tzinfo=dt.UTC)


class WorkerKilled(BaseException):
    """The process running the task is gone: nothing after this point runs in it."""


@pytest.fixture
def dying_render(monkeypatch):
    """While on, rendering kills the worker; `dying_render.stop()` lets the next generation through."""

    real = services.report_render

    class Switch:
        def stop(self):
            monkeypatch.setattr(services, "report_render", real)

    def die(**kwargs):
        raise WorkerKilled

    monkeypatch.setattr(services, "report_render", die)
    return Switch()


def build_and_die(report_id: int) -> Report:
    with pytest.raises(WorkerKilled):
        services.report_build(report_id=report_id)
    return Report.objects.get(pk=report_id)


def later(minutes: int):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def build_requests(report: Report) -> int:
    return OutboxMessage.objects.filter(task_name=services.REPORT_BUILD_TASK, kwargs={"report_id": report.pk}).count()


def test_a_report_whose_worker_died_is_generated_again_and_drafted(
    fiona, dying_render, django_capture_on_commit_callbacks
):
    report = services.report_request(period="2026-Q3", edition="public", user=fiona)
    killed = build_and_die(report.pk)
    assert killed.status == "queued" and killed.heartbeat_at is not None  # stamped when generation began

    dying_render.stop()
    with later(4), django_capture_on_commit_callbacks(execute=True):
        assert tasks.reports_reap_task() == {"restarted": [report.pk], "failed": [], "requeued": [], "given_up": []}
    report.refresh_from_db()
    assert report.status == "draft" and report.pdf_intact()
    assert report.restarts == 1 and report.error == ""
    with later(10):
        assert tasks.reports_reap_task() == {"restarted": [], "failed": [], "requeued": [], "given_up": []}


def test_while_it_waits_to_be_generated_again_the_page_says_why(client, fiona, dying_render):
    report = services.report_request(period="2026-Q3", edition="public", user=fiona)
    build_and_die(report.pk)
    with later(4):
        tasks.reports_reap_task()
    client.force_login(fiona)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Being generated" in page
    assert "The worker generating this report stopped without finishing" in page
    assert "it is being generated again" in page
    assert build_requests(report) == 1


def test_a_report_whose_worker_dies_twice_is_failed_with_the_reason_and_can_be_generated_again(
    client, fiona, dying_render
):
    report = services.report_request(period="2026-Q3", edition="internal", user=fiona)
    build_and_die(report.pk)
    with later(4):
        tasks.reports_reap_task()
        build_and_die(report.pk)  # the restarted generation dies too
    with later(8):
        assert tasks.reports_reap_task() == {"restarted": [], "failed": [report.pk], "requeued": [], "given_up": []}
    report.refresh_from_db()
    assert report.status == "failed"
    assert "stopped without finishing" in report.error and "generated again once" in report.error
    assert AuditEvent.objects.filter(details__report_id=report.pk, kind="report_failed").exists()
    assert build_requests(report) == 1  # one restart, not one a minute

    client.force_login(fiona)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Generation failed: The worker generating this report stopped" in page
    assert "Generate again" in page
    assert "Withdraw this version" in page and "Withdraw draft" not in page  # it never became a draft
    dying_render.stop()
    response = client.post(f"/reports/{report.pk}/regenerate/")
    again = Report.objects.get(period="2026-Q3", edition="internal", version=2)
    assert response.status_code == 302 and response["Location"] == f"/reports/{again.pk}/"
    assert again.status == "queued" and build_requests(again) == 1


def test_a_failed_report_is_generated_again_once_however_often_the_button_is_pressed(client, fiona, failed_report):
    report = failed_report
    client.force_login(fiona)
    client.post(f"/reports/{report.pk}/regenerate/")
    response = client.post(f"/reports/{report.pk}/regenerate/", follow=True)
    assert "Version 2 was already requested after this one" in response.content.decode()
    assert Report.objects.filter(period="2026-Q3", edition="public").count() == 2


def test_a_redelivered_task_does_not_generate_a_report_a_live_worker_is_generating(fiona, dying_render):
    report = services.report_request(period="2026-Q3", edition="public", user=fiona)
    build_and_die(report.pk)  # as far as the database can tell, a worker is generating it now
    dying_render.stop()
    assert services.report_build(report_id=report.pk).status == "queued"
    with later(2):
        assert tasks.reports_reap_task() == {"restarted": [], "failed": [], "requeued": [], "given_up": []}
    report.refresh_from_db()
    assert (report.status, report.restarts) == ("queued", 0)


def test_a_scheduled_report_whose_worker_dies_twice_is_failed_and_the_focal_point_told(
    fiona, dying_render, django_capture_on_commit_callbacks
):
    with time_machine.travel(QUARTER_DAY, tick=False), pytest.raises(WorkerKilled):
        tasks.reports_draft_quarterly_task()
    [report] = Report.objects.all()
    assert report.trigger == "schedule" and report.status == "queued"
    with time_machine.travel(QUARTER_DAY + dt.timedelta(minutes=4), tick=False):
        tasks.reports_reap_task()
        build_and_die(report.pk)
    with (
        time_machine.travel(QUARTER_DAY + dt.timedelta(minutes=8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.reports_reap_task() == {"restarted": [], "failed": [report.pk], "requeued": [], "given_up": []}
    [message] = mail.outbox
    assert message.to == [fiona.email]
    assert message.subject == "Could not be generated: report to Parliament 2026-Q3, public edition, version 1"
    assert "stopped without finishing" in message.body
    assert f"/reports/{report.pk}/" in message.body and "Generate again" in message.body
    assert tasks.report_notify_focal_points_task(report.pk) == 0  # told once


def test_a_report_failed_by_its_own_error_is_not_touched_by_the_reaper(failed_report):
    report = failed_report
    with later(60):
        assert tasks.reports_reap_task() == {"restarted": [], "failed": [], "requeued": [], "given_up": []}
    report.refresh_from_db()
    assert report.status == "failed" and "libpango" in report.error


def test_a_queued_report_whose_message_still_waits_in_the_outbox_is_left_to_it(fiona):
    report = services.report_queue(period="2026-Q3", edition="public", user=fiona)
    with later(60):
        assert tasks.reports_reap_task() == {"restarted": [], "failed": [], "requeued": [], "given_up": []}
    report.refresh_from_db()
    assert report.status == "queued"


def test_the_reaper_runs_every_minute_from_beat():
    entry = celery_app.conf.beat_schedule["reports-reap-stale-every-minute"]
    assert entry["task"] == tasks.reports_reap_task.name
    assert entry["schedule"] == 60.0


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("victor", 403), ("fiona", 302), ("ada", 302)])
def test_only_the_focal_point_and_administrators_generate_a_failed_report_again(
    client, personas, failed_report, persona, status
):
    """Generating again is a preparer's step, offered on the failed report's page: an analyst or a viewer, who cannot
    see an unpublished report, is refused (403) and no new version is asked."""
    report = failed_report
    client.force_login(personas[persona])
    page = client.get(f"/reports/{report.pk}/")
    if status == 302:
        assert "Generate again" in page.content.decode()
    else:  # an unpublished report is not theirs to see at all
        assert page.status_code == 404
    response = client.post(f"/reports/{report.pk}/regenerate/")
    assert response.status_code == status
    assert Report.objects.filter(period="2026-Q3", edition="public").count() == (2 if status == 302 else 1)
