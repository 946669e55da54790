"""An escalation email whose worker died after claiming it and before the mail server took it is sent by the sweep,
once; an email a live worker is sending, or has sent, is never sent twice.

`WorkerKilled` is a BaseException, as in tests/forecasts/test_worker_death.py: nothing on the way out records anything,
as when the process is killed with SIGKILL.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alerts import services
from alerts.models import Notification
from alerts.services import notifications
from alerts.tasks import notification_send_email_task, notifications_resend_unconfirmed_task
from atrocity_watch.celery import app as celery_app

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The process running the task is gone: nothing after this point runs in it."""


@pytest.fixture
def submitted_email(alice, fiona, make_escalation) -> Notification:
    """A case is submitted: fiona's email is recorded, its task not yet run (the commit callbacks do not run here)."""
    escalation = services.escalation_submit(escalation=make_escalation(), user=alice)
    return Notification.objects.get(escalation=escalation, channel="email")


@pytest.fixture
def dying_send(monkeypatch):
    """While on, handing the email to the mail server kills the worker."""

    def die(self, fail_silently=False):
        raise WorkerKilled

    monkeypatch.setattr(notifications.EmailMultiAlternatives, "send", die)
    return monkeypatch


def send_and_die(notification: Notification) -> Notification:
    with pytest.raises(WorkerKilled):
        notification_send_email_task(notification.pk)
    notification.refresh_from_db()
    return notification


def later(minutes: int):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=False)


def test_an_email_whose_worker_died_while_sending_is_sent_once_by_the_sweep(
    submitted_email, dying_send, django_capture_on_commit_callbacks
):
    killed = send_and_die(submitted_email)
    assert killed.sent_at is None and killed.claimed_at is not None
    assert mail.outbox == []

    dying_send.undo()
    with later(11), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == [submitted_email.pk]
    [email] = mail.outbox
    assert email.to == ["fiona@example.org"] and email.subject == submitted_email.subject
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is not None

    with later(30), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == []
    assert notification_send_email_task(submitted_email.pk) is False  # a late redelivery sends nothing either
    assert len(mail.outbox) == 1


def test_an_email_a_live_worker_may_still_be_sending_is_not_sent_again(submitted_email, dying_send):
    send_and_die(submitted_email)
    dying_send.undo()
    assert notification_send_email_task(submitted_email.pk) is False  # a redelivery while the claim holds
    with later(5):
        assert notifications_resend_unconfirmed_task() == []
    assert mail.outbox == []


def test_an_email_sent_normally_is_never_sent_again_by_the_sweep(submitted_email, django_capture_on_commit_callbacks):
    assert notification_send_email_task(submitted_email.pk) is True
    with later(60), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == []
    assert notification_send_email_task(submitted_email.pk) is False
    assert len(mail.outbox) == 1


def test_an_email_the_mail_server_refused_is_released_for_the_tasks_retry(submitted_email, monkeypatch):
    def refuse(self, fail_silently=False):
        raise OSError("Connection refused")

    monkeypatch.setattr(notifications.EmailMultiAlternatives, "send", refuse)
    with pytest.raises(OSError):
        notifications.notification_send_email(notification_id=submitted_email.pk)
    submitted_email.refresh_from_db()
    assert (submitted_email.claimed_at, submitted_email.sent_at) == (None, None)
    assert submitted_email.error == "Connection refused"
    monkeypatch.undo()
    assert notification_send_email_task(submitted_email.pk) is True
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is not None and submitted_email.error == ""


def test_an_email_whose_claim_was_taken_over_while_it_went_out_is_still_recorded_as_sent(
    submitted_email, monkeypatch, django_capture_on_commit_callbacks
):
    """Should a send outlast the lease after all, the confirmation still records it, so the re-queued task sends no
    second copy."""
    real_send = notifications.EmailMultiAlternatives.send
    requeued = []

    def slow_send(self, fail_silently=False):
        with later(11):
            requeued.extend(notifications.notifications_resend_unconfirmed())
        return real_send(self, fail_silently=fail_silently)

    monkeypatch.setattr(notifications.EmailMultiAlternatives, "send", slow_send)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notification_send_email_task(submitted_email.pk) is True
    assert requeued == [submitted_email.pk] and callbacks  # the sweep did queue it again meanwhile
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is not None
    assert len(mail.outbox) == 1


def test_a_sending_task_is_stopped_long_before_its_claim_expires():
    """The claim outlives the task's hard time limit, so a claim older than it belongs to a dead worker."""
    assert notification_send_email_task.time_limit < notifications.EMAIL_CLAIM_LEASE.total_seconds()


def test_the_sweep_runs_every_minute_from_beat():
    entry = celery_app.conf.beat_schedule["notifications-resend-unconfirmed-every-minute"]
    assert entry["task"] == notifications_resend_unconfirmed_task.name
    assert entry["schedule"] == 60.0


def test_an_email_whose_sending_kills_its_worker_every_time_is_given_up_after_the_cap(
    submitted_email, dying_send, monkeypatch, django_capture_on_commit_callbacks
):
    """Each dead worker's claim freed counts as a re-queue; past EMAIL_RESENDS_MAX the email is given up with the
    reason instead of being tried every ten minutes for ever."""
    monkeypatch.setattr(notifications, "EMAIL_RESENDS_MAX", 2)
    send_and_die(submitted_email)
    for step in (1, 2):
        with later(11 * step):
            with django_capture_on_commit_callbacks() as callbacks:
                assert notifications_resend_unconfirmed_task() == [submitted_email.pk]
            assert callbacks  # queued again; its delivery claims it and dies once more
            send_and_die(submitted_email)
    with later(33), django_capture_on_commit_callbacks() as callbacks:
        assert notifications_resend_unconfirmed_task() == []
    assert callbacks == []
    submitted_email.refresh_from_db()
    assert submitted_email.sent_at is None and submitted_email.requeues == 3
    assert "stopped 3 times before the mail server confirmed it; given up" in submitted_email.error
    with later(120), django_capture_on_commit_callbacks(execute=True):
        assert notifications_resend_unconfirmed_task() == []
    assert mail.outbox == []
