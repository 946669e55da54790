"""Notifications: in-app and e-mail messages to the Focal Point and the analysts, and the overdue-case reminders.

Every message is rendered from templates/alerts/email/<topic>_subject.txt, _body.txt and _body.html; the rendered
text is kept on the Notification row. E-mails are sent by `alerts.tasks.notification_send_email_task`, enqueued
through the outbox so they leave only once the transaction that records them commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alerts.models import RESPONSE_TIME, Escalation, Notification
from alerts.selectors import NOTIFICATIONS, focal_points
from core.lost_messages import QueuedJobKind, queued_jobs_requeue
from core.roles import Role
from core.services import outbox_enqueue
from core.user_cache import generation_replace

REMINDER_INTERVAL = dt.timedelta(hours=24)
NOTIFICATION_SEND_EMAIL_TASK = "alerts.tasks.notification_send_email_task"
# A claim to send an email not confirmed within this time was made by a worker that died (the sending task's hard
# time limit is far shorter: alerts.tasks).
EMAIL_CLAIM_LEASE = dt.timedelta(minutes=10)
# An unsent email nobody holds (its message was lost, or its task used up its retries while the mail server was down)
# is queued again every EMAIL_RESEND_AFTER, at most EMAIL_RESENDS_MAX times (six hours), then left with its error.
EMAIL_RESEND_AFTER = dt.timedelta(minutes=30)
EMAIL_RESENDS_MAX = 12
# Only emails written in the last day are sent late: an older one that never went (before this sweep existed, or
# while no worker ran for a day) would arrive stale; it stays unsent with its error, and the case's page has its news.
EMAIL_RESEND_WITHIN = dt.timedelta(hours=24)
EMAILS_UNSENT = QueuedJobKind(
    label="email",
    waiting=lambda: Notification.objects.filter(
        channel=Notification.Channel.EMAIL,
        sent_at__isnull=True,
        claimed_at__isnull=True,
        requeues__lte=EMAIL_RESENDS_MAX,
        created_at__gte=timezone.now() - EMAIL_RESEND_WITHIN,
    ),
    handed_over_field="created_at",
    task_name=NOTIFICATION_SEND_EMAIL_TASK,
    task_kwargs=lambda email: {"notification_id": email.pk},
    give_up=lambda reason: {
        "error": Concat(
            Value(
                f"Not sent: queued {EMAIL_RESENDS_MAX + 1} times over "
                f"{EMAIL_RESENDS_MAX * EMAIL_RESEND_AFTER.total_seconds() / 3600:g} hours and given up. Last error: "
            ),
            F("error"),
        )
    },
    after=EMAIL_RESEND_AFTER,
    requeues_max=EMAIL_RESENDS_MAX,
)
TEMPLATE_DIR = "alerts/email"


def _display_name(user) -> str:
    return user.get_full_name() or user.username


def _case_url(escalation: Escalation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("alerts:escalation_detail", args=[escalation.pk])


def _case_context(escalation: Escalation) -> dict:
    """What every message about a case shows: country, urgency, author, the scores at submission, the due time."""
    snapshot = escalation.scores_snapshot or {}
    score = (
        f"Overall score {snapshot['overall']:.1f} ({snapshot.get('band_label') or snapshot.get('band')}), "
        f"{snapshot['month'][:7]}"
        if snapshot.get("overall") is not None
        else "No scores yet"
    )
    due = escalation.response_due_at
    return {
        "escalation": escalation,
        "raised_by": _display_name(escalation.created_by),
        "score": score,
        "due": f"{timezone.localtime(due):%d %B %Y %H:%M %Z}" if due else "",
        "url": _case_url(escalation),
    }


def _render(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of one message, from its three templates."""
    subject = " ".join(render_to_string(f"{TEMPLATE_DIR}/{name}_subject.txt", context).split())
    text = render_to_string(f"{TEMPLATE_DIR}/{name}_body.txt", context).strip("\n")
    html = render_to_string(f"{TEMPLATE_DIR}/{name}_body.html", context).strip()
    return subject, text, html


def _notify(*, recipients: Iterable, escalation: Escalation, topic: str, message: tuple[str, str, str]):
    """Record an in-app and an email notification per recipient; emails go out after the transaction commits."""
    subject, body, html_body = message
    now = timezone.now()
    created = []
    for recipient in recipients:
        created.append(
            Notification.objects.create(
                recipient=recipient,
                escalation=escalation,
                topic=topic,
                channel=Notification.Channel.IN_APP,
                subject=subject,
                body=body,
                sent_at=now,
            )
        )
        if recipient.email:
            email = Notification.objects.create(
                recipient=recipient,
                escalation=escalation,
                topic=topic,
                channel=Notification.Channel.EMAIL,
                address=recipient.email,
                subject=subject,
                body=body,
                html_body=html_body,
            )
            created.append(email)
            outbox_enqueue(NOTIFICATION_SEND_EMAIL_TASK, kwargs={"notification_id": email.pk})
    return created


def notify_focal_points(
    *, escalation: Escalation, resubmitted: bool, note: str = "", only: Iterable | None = None
) -> list[Notification]:
    """Tell every focal point (or `only` these) that a case was submitted, or resubmitted with the analyst's note."""
    context = {**_case_context(escalation), "resubmitted": resubmitted, "note": note if resubmitted else ""}
    return _notify(
        recipients=list(only) if only is not None else focal_points(),
        escalation=escalation,
        topic=Notification.Topic.RESUBMITTED if resubmitted else Notification.Topic.SUBMITTED,
        message=_render("escalation_submitted", context),
    )


def notifications_settle(*, escalation: Escalation) -> int:
    """Once a case is decided, the focal points' "waiting for you" notifications about it need nobody any more: they
    are marked read, so the notification centre lists only what still needs its reader."""
    waiting = (Notification.Topic.SUBMITTED, Notification.Topic.RESUBMITTED, Notification.Topic.REMINDER)
    generation_replace(NOTIFICATIONS)
    return Notification.objects.filter(escalation=escalation, topic__in=waiting, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notify_decision(*, escalation: Escalation, decided_by) -> list[Notification]:
    """Tell the case's author and its desk's analysts what the Focal Point decided, with the rationale and actions."""
    recipients = {escalation.created_by.pk: escalation.created_by}
    if escalation.country.desk_id:
        for analyst in escalation.country.desk.analysts.filter(is_active=True, groups__name=Role.ANALYST.value):
            recipients.setdefault(analyst.pk, analyst)
    context = {**_case_context(escalation), "decided_by": _display_name(decided_by)}
    context["actions"] = list(escalation.actions.all())
    return _notify(
        recipients=recipients.values(),
        escalation=escalation,
        topic=Notification.Topic.DECISION,
        message=_render("escalation_decision", context),
    )


def notification_send_email(*, notification_id: int) -> bool:
    """Send one recorded email notification once; True when it went out now.

    The row is claimed (claimed_at) before sending and confirmed (sent_at) after: of two deliveries of the same task
    (a broker redelivery, a repeated outbox hand-over) only one holds the claim, so the email goes out once. A claim
    never confirmed within EMAIL_CLAIM_LEASE belongs to a worker that died; `notifications_resend_unconfirmed`
    releases it and queues the email again.
    """
    notification = Notification.objects.get(pk=notification_id)
    if notification.channel != Notification.Channel.EMAIL:
        return False
    claimed_at = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_at - EMAIL_CLAIM_LEASE))
        .update(claimed_at=claimed_at)
    )
    if not claimed:
        return False
    message = EmailMultiAlternatives(
        notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [notification.address]
    )
    if notification.html_body:
        message.attach_alternative(notification.html_body, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        # Not sent: release the claim so the task's retry sends it.
        Notification.objects.filter(pk=notification.pk, claimed_at=claimed_at).update(
            claimed_at=None, error=str(exc)[:500]
        )
        raise
    # Recorded whatever became of the claim meanwhile: the email is out, and no later delivery may send it again.
    Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=timezone.now(), error="")
    return True


def notifications_resend_unconfirmed(*, now: dt.datetime | None = None) -> list[int]:
    """Queue again every email whose sender claimed it more than EMAIL_CLAIM_LEASE ago and never confirmed it: the
    worker died before or while handing it to the mail server; and every unsent email nobody holds whose last
    hand-over is older than EMAIL_RESEND_AFTER (core/lost_messages.py). Returns their ids.

    The sending task's hard time limit is well inside the lease, so no live worker still holds such a claim; the
    conditional release makes two sweeps queue it once. Only a worker killed in the instant between the mail server
    taking the email and the confirmation can cause a second copy; an ordinary send never does.
    """
    now = now or timezone.now()
    unconfirmed = Notification.objects.filter(
        channel=Notification.Channel.EMAIL,
        sent_at__isnull=True,
        claimed_at__lt=now - EMAIL_CLAIM_LEASE,
        requeues__lte=EMAIL_RESENDS_MAX,  # past it, given up (_claim_release)
    )
    requeued = []
    for pk, claimed_at in unconfirmed.order_by("pk").values_list("pk", "claimed_at"):
        with transaction.atomic():
            if _claim_release(pk, claimed_at, now):
                outbox_enqueue(NOTIFICATION_SEND_EMAIL_TASK, kwargs={"notification_id": pk})
                requeued.append(pk)
    return requeued + queued_jobs_requeue(EMAILS_UNSENT, now=now)["requeued"]


def _claim_release(pk: int, claimed_at: dt.datetime, now: dt.datetime) -> bool:
    """Free a dead worker's claim for one more try (counted like every re-queue); past EMAIL_RESENDS_MAX tries the
    email is given up instead, claimed and unsent, with the reason: an email whose sending kills its worker every
    time, or that the mail server took just before each death, must not go out every ten minutes for ever."""
    mine = Notification.objects.filter(pk=pk, sent_at__isnull=True, claimed_at=claimed_at)
    released = mine.filter(requeues__lt=EMAIL_RESENDS_MAX).update(
        claimed_at=None,
        error="The worker sending this email stopped before the mail server confirmed it.",
        requeues=F("requeues") + 1,
        requeued_at=now,
    )
    if not released:
        mine.update(
            requeues=EMAIL_RESENDS_MAX + 1,  # past the cap: neither sweep takes it again
            requeued_at=now,
            error=f"Not sent: the worker sending it stopped {EMAIL_RESENDS_MAX + 1} times before the mail server "
            "confirmed it; given up.",
        )
    return bool(released)


def notification_mark_read(*, notification: Notification, user) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionDenied("That notification is someone else's.")
    generation_replace(NOTIFICATIONS)
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    generation_replace(NOTIFICATIONS)
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_case_read(*, escalation: Escalation, user) -> int:
    """The reader opened the case: their notifications about it have done their job and are marked read."""
    generation_replace(NOTIFICATIONS)
    return Notification.objects.filter(recipient=user, escalation=escalation, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _overdue_cases(now: dt.datetime):
    overdue = Q()
    for urgency, window in RESPONSE_TIME.items():
        overdue |= Q(urgency=urgency, awaiting_since__lt=now - window)
    due_for_reminder = Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - REMINDER_INTERVAL)
    return Escalation.objects.filter(overdue, due_for_reminder, state__in=Escalation.AWAITING_FOCAL_POINT)


def _remind(escalation: Escalation, now: dt.datetime) -> None:
    hours = int((now - escalation.response_due_at).total_seconds() // 3600)
    context = {
        **_case_context(escalation),
        "overdue": f"{hours} hours" if hours < 48 else f"{hours // 24} days",
        "claimed_by": _display_name(escalation.claimed_by) if escalation.claimed_by else "",
    }
    _notify(
        recipients=[escalation.claimed_by] if escalation.claimed_by else list(focal_points()),
        escalation=escalation,
        topic=Notification.Topic.REMINDER,
        message=_render("escalation_reminder", context),
    )


def escalations_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind the Focal Point of every overdue case, at most once a day per case; returns the cases reminded."""
    now = now or timezone.now()
    reminded = 0
    for escalation in _overdue_cases(now).select_related("country", "created_by", "claimed_by"):
        with transaction.atomic():
            # Claim the reminder with a conditional update so two beat runs never send it twice.
            won = Escalation.objects.filter(pk=escalation.pk, last_reminded_at=escalation.last_reminded_at).update(
                last_reminded_at=now
            )
            if not won:
                continue
            _remind(escalation, now)
        reminded += 1
    return reminded
