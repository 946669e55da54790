"""Writes for reports: request, generate, approve, publish, withdraw and correct a report to Parliament.

The lifecycle is one table (TRANSITIONS): queued -> draft (generated) -> approved (by the Focal Point) -> published.
A published report never changes (reports.models refuses it); a correction is a new version whose `replaces` names
the published one. Every step writes an audit event whose details name the report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from alerts.selectors import focal_points
from core.models import AuditEvent
from core.roles import can_approve_report, can_prepare_report
from core.services import audit_record, outbox_enqueue
from indicators.heartbeat import heartbeat, heartbeat_stale_before
from reports.editions import EDITIONS, content_for_edition
from reports.models import Report
from reports.periods import Period, period_parse, quarter_before
from reports.rendering import report_render
from reports.selectors import report_content, report_latest_published

logger = logging.getLogger(__name__)
Status = Report.Status
Kind = AuditEvent.Kind
# Tasks are enqueued by name through the outbox (tasks import services, never the reverse).
REPORT_BUILD_TASK = "reports.tasks.report_build_task"
REPORT_NOTIFY_TASK = "reports.tasks.report_notify_focal_points_task"
# A report whose worker died is generated again this many times before it is failed (reports_reap).
REPORT_BUILD_RESTARTS = 1

# Who may move a report from which states to which, in one place.
TRANSITIONS = {
    "approve": ((Status.DRAFT,), Status.APPROVED),
    "publish": ((Status.APPROVED,), Status.PUBLISHED),
    "withdraw": ((Status.QUEUED, Status.DRAFT, Status.APPROVED, Status.FAILED), Status.WITHDRAWN),
}


class ReportTransitionError(ValidationError):
    """The report is not in a state that allows the step asked for."""


def _audit(*, kind: str, report: Report, actor, summary: str, reason: str = "", **details) -> AuditEvent:
    return audit_record(
        kind=kind,
        actor=actor,
        summary=summary,
        reason=reason,
        details={"report_id": report.pk, "period": report.period, "edition": report.edition, **details},
    )


def _label(report: Report) -> str:
    return f"report to Parliament {report.period}, {report.get_edition_display().lower()}, version {report.version}"


def _check_correction(*, parsed: Period, edition: str, replaces: Report | None, correction_note: str) -> None:
    """A published period and edition takes only a correction of its latest version, with a note for the cover."""
    latest_published = report_latest_published(period=parsed.code, edition=edition)
    if replaces is None and latest_published is not None:
        raise ValidationError(
            f"The {EDITIONS[edition].lower()} for {parsed.code} is published (version {latest_published.version}); "
            "issue a correction of it instead."
        )
    if replaces is not None:
        if latest_published is None or replaces.pk != latest_published.pk:
            raise ValidationError("Only the latest published version of a report can be corrected.")
        if not correction_note:
            raise ValidationError({"correction_note": "Say what the correction changes: it is printed on its cover."})


def report_request(
    *,
    period: str,
    edition: str,
    user=None,
    trigger: str = Report.Trigger.PAGE,
    replaces: Report | None = None,
    correction_note: str = "",
) -> Report:
    """Record a report to be generated (status queued); a correction names the published report it replaces.

    Refuses a new report for a period and edition already published unless it is a correction of the latest
    published version. Older drafts of the same period and edition are withdrawn: one draft is under review at a time.
    """
    if trigger == Report.Trigger.PAGE and not can_prepare_report(user):
        raise PermissionDenied("Only administrators and the Focal Point generate reports to Parliament.")
    parsed: Period = period_parse(period)
    if edition not in EDITIONS:
        raise ValidationError({"edition": f"Choose an edition: {', '.join(EDITIONS)}."})
    correction_note = (correction_note or "").strip()
    _check_correction(parsed=parsed, edition=edition, replaces=replaces, correction_note=correction_note)
    for attempt in range(2):
        try:
            with transaction.atomic():
                superseded = list(
                    Report.objects.select_for_update()
                    .filter(period=parsed.code, edition=edition, status__in=[Status.DRAFT, Status.APPROVED])
                    .defer("pdf", "html", "content")
                )
                version = (
                    Report.objects.filter(period=parsed.code, edition=edition).aggregate(v=Max("version"))["v"] or 0
                ) + 1
                report = Report.objects.create(
                    period=parsed.code,
                    period_start=parsed.start,
                    period_end=parsed.end,
                    edition=edition,
                    version=version,
                    trigger=trigger,
                    replaces=replaces,
                    correction_note=correction_note,
                    requested_by=user,
                )
                for old in superseded:
                    _move(report=old, action="withdraw", user=user, reason=f"Replaced by version {version}.")
                _audit(
                    kind=Kind.REPORT_REQUESTED,
                    report=report,
                    actor=user,
                    summary=(
                        f"Correction of version {replaces.version} requested: {_label(report)}."
                        if replaces
                        else f"Generation requested: {_label(report)}."
                    ),
                    reason=correction_note,
                    trigger=trigger,
                )
                return report
        except IntegrityError:
            if attempt:  # two requests raced for the same version twice: let the caller see it
                raise
    raise AssertionError("unreachable")


def report_build(*, report_id: int) -> Report:
    """Generate a queued report's content, HTML and PDF and store them with their checksums (status draft).

    Idempotent: a report that is no longer queued, or that a live worker is generating (its heartbeat is fresh), is
    returned unchanged, so a redelivered task does no harm. While it runs the heartbeat tells `reports_reap` that
    its worker is alive.
    """
    report = Report.objects.select_related("replaces").get(pk=report_id)
    if report.status != Status.QUEUED or not _build_claim(report):
        return report
    try:
        started = time.perf_counter()
        with heartbeat(Report, report.pk):
            content, rendered, generated_at = _build_render(report)
        _build_store(report, content=content, rendered=rendered, generated_at=generated_at, started=started)
    except Exception:
        # An error, not a death: a still-queued report (its draft could not be stored) may be claimed by the task's
        # retry at once. A killed worker never gets here; its heartbeat goes stale instead.
        Report.objects.filter(pk=report.pk, status=Status.QUEUED).update(heartbeat_at=None)
        raise
    return report


def _build_claim(report: Report) -> bool:
    """Take the report for this worker with a conditional UPDATE: no worker has it, or the one that had it is dead."""
    now = timezone.now()
    claimed = (
        Report.objects.filter(pk=report.pk, status=Status.QUEUED)
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=heartbeat_stale_before(now)))
        .update(started_at=now, heartbeat_at=now)
    )
    return bool(claimed)


def _build_render(report: Report):
    """(content, rendered files, generated_at); a failure is recorded on the row the page shows, then raised."""
    try:
        content = report_content(period=period_parse(report.period))
        generated_at = timezone.now()
        correction = (
            {
                "version": report.replaces.version,
                "published_on": report.replaces.published_at,
                "note": report.correction_note,
            }
            if report.replaces
            else None
        )
        rendered = report_render(
            content=content,
            edition=report.edition,
            version=report.version,
            generated_at=generated_at,
            correction=correction,
        )
    except Exception as exc:  # record any failure on the row the page shows, then let the task see it
        logger.exception("Report %s could not be generated", report.pk)
        Report.objects.filter(pk=report.pk, status=Status.QUEUED).update(
            status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        report.refresh_from_db()
        _audit(kind=Kind.REPORT_FAILED, report=report, actor=None, summary=f"Generation failed: {_label(report)}.")
        raise
    return content, rendered, generated_at


def _build_store(report: Report, *, content: dict, rendered, generated_at: dt.datetime, started: float) -> None:
    elapsed = time.perf_counter() - started
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=Status.QUEUED).update(
            status=Status.DRAFT,
            pdf=rendered.pdf,
            pdf_sha256=hashlib.sha256(rendered.pdf).hexdigest(),
            html=rendered.html,
            html_sha256=hashlib.sha256(rendered.html.encode()).hexdigest(),
            # Only what this edition shows is kept with it, stored as JSON reads it back (so the record compares equal
            # to itself after a reload).
            content=json.loads(json.dumps(content_for_edition(content, report.edition), cls=DjangoJSONEncoder)),
            page_count=rendered.page_count,
            generation_seconds=round(elapsed, 3),
            generated_at=generated_at,
            error="",
        )
        report.refresh_from_db()
        if updated:
            _audit(
                kind=Kind.REPORT_DRAFTED,
                report=report,
                actor=None,
                summary=f"Drafted {_label(report)}: {report.page_count} pages in {elapsed:.1f} s.",
                pdf_sha256=report.pdf_sha256,
            )
            if report.trigger == Report.Trigger.SCHEDULE:
                # Nobody asked for a scheduled draft, so the Focal Point hears of it with the draft or not at all.
                outbox_enqueue(
                    REPORT_NOTIFY_TASK, kwargs={"report_id": report.pk}, dedupe_key=f"report-notify-{report.pk}"
                )


def report_generate(**kwargs) -> Report:
    """Request and generate a report in this process (the command line, the quarterly task, tests)."""
    report = report_request(**kwargs)
    return report_build(report_id=report.pk)


def report_queue(**kwargs) -> Report:
    """Request a report and have the worker generate it: the task is sent once this transaction commits."""
    with transaction.atomic():
        report = report_request(**kwargs)
        outbox_enqueue(REPORT_BUILD_TASK, kwargs={"report_id": report.pk}, dedupe_key=f"report-build-{report.pk}")
    return report


def _move(*, report: Report, action: str, user, reason: str = "") -> Report:
    sources, target = TRANSITIONS[action]
    now = timezone.now()
    fields = {"status": target}
    if action == "approve":
        fields.update(approved_by=user, approved_at=now)
    elif action == "publish":
        fields.update(published_by=user, published_at=now)
    updated = Report.objects.filter(pk=report.pk, status__in=sources).update(**fields)
    if not updated:
        current = Report.objects.only("status").get(pk=report.pk)
        allowed = " or ".join(Status(s).label.lower() for s in sources)
        raise ReportTransitionError(
            f"Cannot {action} {_label(report)}: it is {current.get_status_display().lower()}; "
            f"only a report that is {allowed} can be."
        )
    previous = report.status
    for name, value in fields.items():
        setattr(report, name, value)
    _audit(
        kind=Kind(f"report_{target}"),
        report=report,
        actor=user,
        summary=f"{Status(previous).label} → {Status(target).label}: {_label(report)}.",
        reason=reason,
        from_state=previous,
        to_state=target,
    )
    return report


def report_approve(*, report: Report, user) -> Report:
    if not can_approve_report(user):
        raise PermissionDenied("Only the R2P Focal Point approves a report to Parliament.")
    with transaction.atomic():
        return _move(report=report, action="approve", user=user)


def report_publish(*, report: Report, user) -> Report:
    """Publish an approved report: its stored file must still match its checksum, and a correction must still
    replace the latest published version."""
    if not can_prepare_report(user):
        raise PermissionDenied("Only administrators and the Focal Point publish reports to Parliament.")
    with transaction.atomic():
        stored = Report.objects.select_for_update().get(pk=report.pk)
        if stored.status == Status.APPROVED and not stored.pdf_intact():
            raise ReportTransitionError(
                "The stored PDF no longer matches its checksum; generate the report again before publishing."
            )
        if stored.replaces_id is not None:
            latest = report_latest_published(period=stored.period, edition=stored.edition)
            if latest is None or latest.pk != stored.replaces_id:
                raise ReportTransitionError(
                    f"Version {stored.replaces.version} is no longer the latest published version; "
                    "correct the latest one instead."
                )
        elif report_latest_published(period=stored.period, edition=stored.edition) is not None:
            raise ReportTransitionError("This period and edition is already published; publish a correction instead.")
        return _move(report=report, action="publish", user=user)


def report_withdraw(*, report: Report, user, reason: str = "") -> Report:
    if not can_prepare_report(user):
        raise PermissionDenied("Only administrators and the Focal Point withdraw draft reports.")
    with transaction.atomic():
        return _move(report=report, action="withdraw", user=user, reason=reason)


def report_correct(*, original: Report, user, note: str, trigger: str = Report.Trigger.PAGE) -> Report:
    """Queue a correction: a new version of the same period and edition that names the report it replaces."""
    if original.status != Status.PUBLISHED:
        raise ReportTransitionError("Only a published report is corrected; a draft is simply generated again.")
    return report_queue(
        period=original.period,
        edition=original.edition,
        user=user,
        trigger=trigger,
        replaces=original,
        correction_note=note,
    )


def report_regenerate(*, report: Report, user) -> Report:
    """Queue a new version of a report whose generation failed, with the same period, edition and correction.

    Pressing the button twice asks once, even at the same moment: the failed report's row is locked while it is
    checked, so the second press waits, then finds the version the first asked for and is refused.
    """
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("replaces").get(pk=report.pk)
        if report.status != Status.FAILED:
            raise ReportTransitionError("Only a report whose generation failed is generated again.")
        later = Report.objects.filter(period=report.period, edition=report.edition, version__gt=report.version)
        if newest := later.order_by("-version").only("version").first():
            raise ReportTransitionError(
                f"Version {newest.version} was already requested after this one; see it instead."
            )
        return report_queue(
            period=report.period,
            edition=report.edition,
            user=user,
            replaces=report.replaces,
            correction_note=report.correction_note,
        )


def reports_reap(*, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Find every queued report whose worker died while generating it (no heartbeat for RUN_STALE_SECONDS: a hard
    time limit, an out-of-memory kill, a restart) and queue its generation again once; one that dies again is failed
    with the reason, and the Focal Point is told of a scheduled one. Returns the ids restarted and failed.

    Once, because generation is deterministic: a second death is most likely the report itself (too slow for the
    time limit, too large for memory), and a loop would only hold a worker. Conditional updates make two reapers, or
    a reaper and a redelivered task, agree on one outcome."""
    now = now or timezone.now()
    cutoff = heartbeat_stale_before(now)
    stale = Report.objects.filter(status=Status.QUEUED, started_at__isnull=False).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    outcome: dict[str, list[int]] = {"restarted": [], "failed": []}
    for report in stale.defer("pdf", "html", "content").order_by("pk"):
        last = timezone.localtime(report.heartbeat_at or report.started_at)
        died = (
            "The worker generating this report stopped without finishing "
            f"(no sign of life since {last:%Y-%m-%d %H:%M:%S})"
        )
        again = report.restarts < REPORT_BUILD_RESTARTS
        with transaction.atomic():
            if again:
                done = _reap_restart(report, reason=f"{died}; it is being generated again.")
            else:
                reason = (
                    f"{died}, and it had been generated again once already. Generate it again; if it stops the same "
                    "way, the report is too slow or too large for the worker's limits."
                )
                done = _reap_fail(report, reason=reason)
        if done:
            outcome["restarted" if again else "failed"].append(report.pk)
            logger.warning("Report %s lost its worker; %s", report.pk, "restarted" if again else "failed")
    return outcome


def _reap_restart(report: Report, *, reason: str) -> bool:
    restarted = Report.objects.filter(pk=report.pk, status=Status.QUEUED, heartbeat_at=report.heartbeat_at).update(
        started_at=None, heartbeat_at=None, restarts=report.restarts + 1, error=reason, requeued_at=timezone.now()
    )
    if restarted:
        outbox_enqueue(REPORT_BUILD_TASK, kwargs={"report_id": report.pk}, dedupe_key=f"report-build-{report.pk}")
    return bool(restarted)


def _reap_fail(report: Report, *, reason: str) -> bool:
    failed = Report.objects.filter(pk=report.pk, status=Status.QUEUED, heartbeat_at=report.heartbeat_at).update(
        status=Status.FAILED, error=reason
    )
    if failed:
        report_failure_record(report=report)
    return bool(failed)


def report_failure_record(*, report: Report) -> None:
    """A report the workers could not generate (its worker died, or none took it): the audit trail says so, and the
    Focal Point is told of a scheduled one, which nobody asked for and nobody watches: without the note the quarter's
    report would be skipped unseen. Call it in the transaction that marks the report failed."""
    _audit(kind=Kind.REPORT_FAILED, report=report, actor=None, summary=f"Generation failed: {_label(report)}.")
    if report.trigger == Report.Trigger.SCHEDULE:
        outbox_enqueue(REPORT_NOTIFY_TASK, kwargs={"report_id": report.pk}, dedupe_key=f"report-notify-{report.pk}")


def reports_draft_quarterly(*, today: dt.date) -> list[int]:
    """The quarterly schedule: draft both editions of the quarter before `today`, each stored with its note to the
    Focal Point (report_build queues it in the draft's own transaction); returns the ids drafted.

    A period and edition that already has a report (other than a withdrawn or failed one) is left alone, except a
    scheduled one still queued: an earlier run stopped before drafting it, and this run drafts it now (unless a live
    worker is generating it; one that died is left to reports_reap).
    """
    period = quarter_before(today)
    drafted = []
    for edition in EDITIONS:
        existing = (
            Report.objects.filter(period=period.code, edition=edition)
            .exclude(status__in=[Status.WITHDRAWN, Status.FAILED])
            .only("status", "trigger")
            .order_by("-version")
            .first()
        )
        if existing is None:
            existing = report_request(period=period.code, edition=edition, trigger=Report.Trigger.SCHEDULE)
        elif (existing.status, existing.trigger) != (Status.QUEUED, Report.Trigger.SCHEDULE):
            continue
        built = report_build(report_id=existing.pk)  # left queued while a live worker generates it
        if built.status == Status.DRAFT:
            drafted.append(built.pk)
    return drafted


def report_notify_focal_points(*, report: Report) -> int:
    """Tell every Focal Point that a draft waits for approval, or that a scheduled report could not be generated;
    returns how many were told now. Each is told once: the audit entry of each message is written as it goes out, so
    a retry after a mail-server error (or a redelivered task) sends only to those not yet told."""
    notified = AuditEvent.objects.filter(kind=Kind.REPORT_NOTIFIED, details__report_id=report.pk)
    if notified.filter(details__recipient_id__isnull=True).exists():  # an entry for every recipient at once
        return 0
    told = set(notified.values_list("details__recipient_id", flat=True))
    recipients = [user for user in focal_points().order_by("pk") if user.email and user.pk not in told]
    from django.conf import settings

    link = f"{settings.SITE_URL.rstrip('/')}/reports/{report.pk}/"
    if report.status == Status.FAILED:
        subject = f"Could not be generated: {_label(report)}"
        body = (
            f"The {_label(report)}, due on the quarterly schedule, could not be generated: {report.error}\n\n"
            f"Open it and press Generate again: {link}\n"
        )
        told_of = "the failed"
    else:
        subject = f"Draft for your approval: {_label(report)}"
        body = (
            f"The {_label(report)} has been drafted ({report.page_count} pages) and waits for your review and "
            f"approval before it can be published.\n\nReview it here: {link}\n"
        )
        told_of = "the draft"
    sent = 0
    for user in recipients:
        sent += send_mail(subject, body, None, [user.email], fail_silently=False)
        _audit(
            kind=Kind.REPORT_NOTIFIED,
            report=report,
            actor=None,
            summary=f"{user.get_full_name() or user.username} (Focal Point) notified of {told_of} {_label(report)}.",
            recipient_id=user.pk,
        )
    return sent
