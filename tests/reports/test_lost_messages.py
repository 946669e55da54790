"""A queued report whose task message was lost before any worker took it (Redis restarted, or was flushed, after it
accepted the message) is queued again by the reaper, once per QUEUED_LOST_SECONDS, and then generated; after
QUEUED_REQUEUES_MAX re-queues it is failed with the reason instead of waiting for ever."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from core.models import AuditEvent, OutboxMessage
from reports import services, tasks
from reports.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]


def messages_lost() -> None:
    """The outbox handed every message to the broker, which then lost them: nothing will ever run them."""
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())


def build_requests(report: Report) -> int:
    return OutboxMessage.objects.filter(task_name=services.REPORT_BUILD_TASK, kwargs={"report_id": report.pk}).count()


def at(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_a_report_whose_message_was_lost_is_queued_again_once_and_generated(fiona, django_capture_on_commit_callbacks):
    report = services.report_queue(period="2026-Q3", edition="public", user=fiona)
    messages_lost()
    with at(9):
        assert tasks.reports_reap_task()["requeued"] == []  # not yet: it may still be waiting for a worker
    start = timezone.now()
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert tasks.reports_reap_task()["requeued"] == [report.pk]
        assert tasks.reports_reap_task()["requeued"] == []  # once per interval, however often the reaper runs
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and report.pdf_intact()
    assert report.requeues == 1 and report.requeued_at >= start
    assert build_requests(report) == 2


def test_a_report_nobody_takes_is_queued_again_each_interval_then_failed_with_the_reason(fiona, settings, client):
    settings.QUEUED_REQUEUES_MAX = 2
    report = services.report_queue(period="2026-Q3", edition="public", user=fiona)
    outcomes = []
    for minutes in (11, 22, 33, 44):
        messages_lost()
        with at(minutes):
            outcome = tasks.reports_reap_task()
        outcomes.append((outcome["requeued"], outcome["given_up"]))
    assert outcomes == [([report.pk], []), ([report.pk], []), ([], [report.pk]), ([], [])]
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.requeues == 3
    assert "No worker took this report although it was queued 3 times" in report.error
    assert build_requests(report) == 3
    assert AuditEvent.objects.filter(details__report_id=report.pk, kind="report_failed").count() == 1
    client.force_login(fiona)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "No worker took this report" in page and "Queued again 3 times" in page


def test_a_report_whose_message_still_waits_in_the_outbox_is_not_queued_twice(fiona):
    report = services.report_queue(period="2026-Q3", edition="public", user=fiona)
    with at(60):
        assert tasks.reports_reap_task()["requeued"] == []
    assert build_requests(report) == 1


def test_a_report_drafted_by_the_lost_message_after_all_is_not_generated_again(fiona):
    """Duplicate delivery is harmless: the build claims the queued report with a conditional update."""
    report = services.report_queue(period="2026-Q3", edition="public", user=fiona)
    messages_lost()
    with at(11):
        tasks.reports_reap_task()
    services.report_build(report_id=report.pk)
    report.refresh_from_db()
    drafted = report.generated_at
    assert services.report_build(report_id=report.pk).generated_at == drafted


def test_a_scheduled_report_nobody_takes_is_failed_and_the_focal_point_told(
    fiona, settings, django_capture_on_commit_callbacks
):
    """A quarterly report nobody asked for and nobody watches: given up, the Focal Point hears of it, once."""
    settings.QUEUED_REQUEUES_MAX = 0
    report = services.report_request(period="2026-Q3", edition="public", trigger=Report.Trigger.SCHEDULE)
    with at(11), django_capture_on_commit_callbacks(execute=True):
        assert tasks.reports_reap_task()["given_up"] == [report.pk]
    [message] = mail.outbox
    assert message.to == [fiona.email]
    assert message.subject == "Could not be generated: report to Parliament 2026-Q3, public edition, version 1"
    assert "No worker took this report" in message.body
    assert AuditEvent.objects.filter(details__report_id=report.pk, kind="report_failed").count() == 1
