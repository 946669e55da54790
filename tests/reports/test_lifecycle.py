"""A report's life: drafted, approved by the Focal Point, published and then immutable; corrections; the quarterly
schedule; the audit trail. The PDF step is replaced by small fixed bytes (fast_pdf): rendering is tested elsewhere."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError

from core.models import AuditEvent
from reports import services, tasks
from reports.models import Report, ReportImmutableError
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]


@pytest.fixture
def published(fiona):
    report = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    services.report_approve(report=report, user=fiona)
    return services.report_publish(report=report, user=fiona)


def test_a_generated_report_is_a_draft_with_its_files_and_checksums(fiona):
    """Generation stores the PDF, the HTML and the content, with SHA-256 checksums that match them."""
    report = services.report_generate(period="2026-Q3", edition="internal", user=fiona)
    assert (report.status, report.version, report.page_count) == ("draft", 1, 3)
    assert report.pdf_intact() and report.html_intact()
    assert report.content["period"]["code"] == "2026-Q3"
    assert "OFFICIAL-SENSITIVE" in report.html


def test_the_focal_point_approves_and_then_publishes(fiona):
    """Draft -> approved (by the Focal Point) -> published, each with who and when."""
    report = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    services.report_approve(report=report, user=fiona)
    services.report_publish(report=report, user=fiona)
    report.refresh_from_db()
    assert (report.status, report.approved_by, report.published_by) == ("published", fiona, fiona)
    assert report.approved_at <= report.published_at


def test_a_draft_cannot_be_published_before_the_focal_point_approves_it(fiona, ada):
    """Publishing skips no step: an unapproved draft is refused and stays a draft."""
    report = services.report_generate(period="2026-Q3", edition="public", user=ada)
    with pytest.raises(ValidationError, match="only a report that is approved"):
        services.report_publish(report=report, user=ada)
    report.refresh_from_db()
    assert report.status == "draft"


def test_a_published_report_cannot_be_changed_or_deleted_by_any_path(published):
    """Saving, bulk-updating, withdrawing or deleting a published report is refused, and its file is unchanged."""
    checksum = published.pdf_sha256
    published.correction_note = "quietly edited"
    with pytest.raises(ReportImmutableError):
        published.save()
    with pytest.raises(ReportImmutableError):
        Report.objects.filter(pk=published.pk).update(pdf=b"%PDF forged")
    with pytest.raises(ReportImmutableError):
        Report.objects.filter(pk=published.pk).delete()
    with pytest.raises(ReportImmutableError):
        published.delete()
    with pytest.raises(ValidationError):
        services.report_withdraw(report=published, user=published.published_by)
    stored = Report.objects.get(pk=published.pk)
    assert (stored.status, stored.pdf_sha256, stored.correction_note) == ("published", checksum, "")
    assert stored.pdf_intact()


def test_the_content_of_a_generated_draft_cannot_be_rewritten_either(fiona):
    """Even before publication, a generated file is never replaced: a new version is generated instead."""
    report = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    report.html = "<p>edited</p>"
    with pytest.raises(ReportImmutableError, match="html"):
        report.save()


def test_a_period_already_published_takes_only_a_correction(published, fiona):
    """Generating the same period and edition again is refused with a pointer to corrections."""
    with pytest.raises(ValidationError, match="issue a correction"):
        services.report_request(period="2026-Q3", edition="public", user=fiona)


def test_a_correction_is_a_new_version_that_names_the_report_it_replaces(published, fiona):
    """The correction links to the original, prints what it changes on its cover, and the original stays as it was."""
    correction = services.report_correct(original=published, user=fiona, note="Table 3 counted a case twice.")
    correction = services.report_build(report_id=correction.pk)
    assert (correction.version, correction.replaces, correction.status) == (2, published, "draft")
    assert "replaces version 1" in correction.html and "Table 3 counted a case twice." in correction.html
    services.report_approve(report=correction, user=fiona)
    services.report_publish(report=correction, user=fiona)
    original = Report.objects.get(pk=published.pk)
    assert original.status == "published" and original.pdf_sha256 == published.pdf_sha256
    assert list(original.corrections.all()) == [correction]


def test_a_correction_needs_a_note_and_only_the_latest_published_version_is_corrected(published, fiona):
    """No silent corrections, and no correcting a version that a later one already replaced."""
    with pytest.raises(ValidationError, match="Say what the correction changes"):
        services.report_correct(original=published, user=fiona, note="  ")
    second = services.report_build(
        report_id=services.report_correct(original=published, user=fiona, note="Typo in section 2.").pk
    )
    services.report_approve(report=second, user=fiona)
    services.report_publish(report=second, user=fiona)
    with pytest.raises(ValidationError, match="latest published version"):
        services.report_correct(original=published, user=fiona, note="Another fix.")


def test_a_new_draft_withdraws_the_older_unpublished_one(fiona):
    """One draft per period and edition is under review; the older one is withdrawn, not deleted."""
    first = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    second = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    first.refresh_from_db()
    assert (first.status, second.status, second.version) == ("withdrawn", "draft", 2)


def test_only_the_focal_point_approves_and_only_preparers_generate(alice, victor, ada, fiona):
    """Administrators generate and publish but cannot approve; analysts and viewers do neither."""
    for user in (alice, victor):
        with pytest.raises(PermissionDenied):
            services.report_request(period="2026-Q3", edition="public", user=user)
    report = services.report_generate(period="2026-Q3", edition="public", user=ada)
    with pytest.raises(PermissionDenied, match="Only the R2P Focal Point"):
        services.report_approve(report=report, user=ada)
    services.report_approve(report=report, user=fiona)
    with pytest.raises(PermissionDenied):
        services.report_publish(report=report, user=victor)
    assert services.report_publish(report=report, user=ada).status == "published"


def test_every_step_is_in_the_audit_trail_with_who_did_it(published, fiona):
    """Requested, drafted, approved and published each leave an audit event naming the report."""
    events = AuditEvent.objects.filter(details__report_id=published.pk).order_by("occurred_at", "pk")
    assert [(e.kind, e.actor) for e in events] == [
        ("report_requested", fiona),
        ("report_drafted", None),
        ("report_approved", fiona),
        ("report_published", fiona),
    ]


def test_a_tampered_file_is_not_published(fiona):
    """If the stored PDF no longer matches its checksum, publication is refused."""
    report = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    services.report_approve(report=report, user=fiona)
    Report.objects.filter(pk=report.pk).update(pdf=b"%PDF tampered")
    with pytest.raises(ValidationError, match="checksum"):
        services.report_publish(report=report, user=fiona)


def test_the_quarterly_schedule_drafts_both_editions_once_and_tells_the_focal_point(
    fiona, django_capture_on_commit_callbacks
):
    """On 1 October both editions of 2026-Q3 are drafted and the Focal Point is emailed through the outbox; a second
    run does nothing."""
    with time_machine.travel(dt.datetime(2026, 10, 1, 5, 30, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            drafted = tasks.reports_draft_quarterly_task()
        again = tasks.reports_draft_quarterly_task()
    reports = Report.objects.filter(pk__in=drafted)
    assert sorted((r.period, r.edition, r.status, r.trigger) for r in reports) == [
        ("2026-Q3", "internal", "draft", "schedule"),
        ("2026-Q3", "public", "draft", "schedule"),
    ]
    assert again == []
    assert [message.to for message in mail.outbox] == [[fiona.email], [fiona.email]]
    assert "waits for your review and approval" in mail.outbox[0].body
    assert tasks.report_notify_focal_points_task(drafted[0]) == 0  # a redelivered message sends nothing twice
    assert len(mail.outbox) == 2


def test_a_retried_note_to_the_focal_points_reaches_each_of_them_once(fiona, monkeypatch):
    """The mail server refuses the second of two focal points: the task's retry sends to that one, not again to the
    first, who already has the note."""
    frank = UserFactory(username="frank", role="focal_point")
    report = services.report_generate(period="2026-Q3", edition="internal", user=fiona)
    real_send = services.send_mail
    refused = []

    def refuse_frank_once(subject, body, sender, to, **kwargs):
        if to == [frank.email] and not refused:
            refused.append(frank.email)
            raise smtplib.SMTPRecipientsRefused({frank.email: (451, b"try again later")})
        return real_send(subject, body, sender, to, **kwargs)

    monkeypatch.setattr(services, "send_mail", refuse_frank_once)
    with pytest.raises(smtplib.SMTPException):
        services.report_notify_focal_points(report=report)
    services.report_notify_focal_points(report=report)
    assert services.report_notify_focal_points(report=report) == 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted([fiona.email, frank.email])


def test_a_scheduled_draft_is_never_stored_without_its_note_to_the_focal_point(
    fiona, monkeypatch, django_capture_on_commit_callbacks
):
    """If the note to the Focal Point cannot be queued, the draft is not kept either; the retried run drafts the
    report and queues the note together, so nobody is left waiting for an approval they never heard of."""
    queue = services.outbox_enqueue

    def database_gone_for_the_note(task_name, **kwargs):
        if task_name == services.REPORT_NOTIFY_TASK:
            raise OperationalError("server closed the connection unexpectedly")
        return queue(task_name, **kwargs)

    monkeypatch.setattr(services, "outbox_enqueue", database_gone_for_the_note)
    with time_machine.travel(dt.datetime(2026, 10, 1, 5, 30, tzinfo=dt.UTC), tick=False):
        with pytest.raises(OperationalError):
            tasks.reports_draft_quarterly_task()
        assert not Report.objects.filter(status="draft").exists()
        monkeypatch.setattr(services, "outbox_enqueue", queue)
        with django_capture_on_commit_callbacks(execute=True):
            drafted = tasks.reports_draft_quarterly_task()
    assert sorted(Report.objects.filter(pk__in=drafted, status="draft").values_list("edition", flat=True)) == [
        "internal",
        "public",
    ]
    assert [message.to for message in mail.outbox] == [[fiona.email], [fiona.email]]


def test_a_failed_generation_is_recorded_with_its_error_and_can_be_withdrawn(fiona, failed_report):
    """If rendering fails, the report is marked failed with the error the page shows, audited, and withdrawable."""
    report = failed_report
    assert report.status == "failed" and "libpango" in report.error
    assert AuditEvent.objects.filter(details__report_id=report.pk, kind="report_failed").exists()
    assert services.report_withdraw(report=report, user=fiona).status == "withdrawn"


def test_beat_drafts_the_quarterly_report_on_the_first_day_of_each_quarter():
    """The schedule names the drafting task and fires on 1 January, April, July and October."""
    from atrocity_watch.celery import app as celery_app

    entry = celery_app.conf.beat_schedule["reports-draft-quarterly"]
    assert entry["task"] == tasks.reports_draft_quarterly_task.name
    assert entry["schedule"].day_of_month == {1} and entry["schedule"].month_of_year == {1, 4, 7, 10}
