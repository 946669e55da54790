"""An escalation email that no worker ever took (its task message was lost in a Redis restart) or whose task used up
its retries (the mail server was down for hours) is queued again by the every-minute sweep, every
EMAIL_RESEND_AFTER, and sent once; after EMAIL_RESENDS_MAX re-queues it is left unsent with an error that says so."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alerts import services
from alerts.models import Notification
from alerts.services import notifications
from alerts.tasks import notifications_resend_unconfirmed_task
from core.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_email(alice, fiona, make_escalation) -> Notification:
    """A case is submitted: fiona's email is recorded and its message handed to the broker, which then loses it."""
    escalation = services.escalation_submit(escalation=make_escalation(), user=alice)
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT, sent_at=timezone.now())
    return Notification.objects.get(escalation=escalation, channel="email")


@pytest.fixture
def mail_server_down(monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(notifications.EmailMultiAlternatives, "send", refuse)
    return monkeypatch


def at(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_an_email_whose_message_was_lost_is_queued_again_and_sent_once(
    submitted_email, django_capture_on_commit_callbacks
):
    with at(29):
        assert notifications_resend_unconfirmed_task() == []
    with at(31), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == [submitted_email.pk]
        assert notifications_resend_unconfirmed_task() == []
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is not None and submitted_email.requeues == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [submitted_email.address]
    with at(120), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == []
    assert len(mail.outbox) == 1


def test_an_email_whose_retries_ran_out_while_the_mail_server_was_down_is_sent_later(
    submitted_email, mail_server_down, django_capture_on_commit_callbacks
):
    with pytest.raises(smtplib.SMTPServerDisconnected):  # the task's last retry
        notifications.notification_send_email(notification_id=submitted_email.pk)
    mail_server_down.undo()
    with at(31), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == [submitted_email.pk]
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is not None
    assert len(mail.outbox) == 1


def test_an_email_the_mail_server_keeps_refusing_is_given_up_with_a_visible_error(
    submitted_email, mail_server_down, django_capture_on_commit_callbacks
):
    resends = []
    for step in range(1, notifications.EMAIL_RESENDS_MAX + 3):
        with at(31 * step), django_capture_on_commit_callbacks(execute=True):
            resends.append(len(notifications_resend_unconfirmed_task()))
        # Each time the broker took the message and the task used up its retries (eager mode cannot show that).
        OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    assert resends == [1] * notifications.EMAIL_RESENDS_MAX + [0, 0]
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is None and len(mail.outbox) == 0
    assert submitted_email.error.startswith("Not sent: queued 13 times over 6 hours and given up. Last error: ")
    assert "Connection unexpectedly closed" in submitted_email.error


def test_an_in_app_notification_is_never_queued_for_sending(submitted_email):
    with at(31):
        notifications_resend_unconfirmed_task()
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exclude(
        kwargs={"notification_id": submitted_email.pk}
    )


def test_an_email_older_than_a_day_is_not_sent_late(submitted_email, django_capture_on_commit_callbacks):
    """An unsent email from before the sweep existed, or from a day with no worker, would arrive stale: it is left."""
    with at(24 * 60 + 1), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == []
    assert mail.outbox == []
    with at(23 * 60), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == [submitted_email.pk]  # within the day it still goes
    assert len(mail.outbox) == 1
