"""Nothing a user saves depends on the broker being up at that moment (issue 13, defects 1 and 2).

The broker is "stopped" by making every publish fail with the error kombu raises when Redis refuses connections.
The user still gets the ordinary redirect, nothing is duplicated, and once the broker is back the outbox sweep hands
every task over: the 20 e-mails go out exactly once, and the recompute of the assessed country runs.
"""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from alerts.models import Escalation, Notification
from alerts.services.notifications import notification_send_email
from atrocity_watch.celery import app as celery_app
from core.models import OutboxMessage
from core.services import outbox_send_pending
from indicators.models import Assessment, ScoreRun
from tests.factories import UserFactory, indicator

pytestmark = pytest.mark.django_db
FOCAL_POINTS = 20


@pytest.fixture
def broker_stopped(monkeypatch):
    """Tasks are published for real (not run eagerly) and every publish fails as with Redis stopped."""
    attempts = []

    def refused(*args, **kwargs):
        attempts.append(args[0] if args else kwargs.get("name"))
        raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    celery_app.conf.task_always_eager = False  # the autouse celery_eager fixture restores it afterwards
    monkeypatch.setattr(celery_app, "send_task", refused)
    return attempts


def sweep_after_redis_returns(monkeypatch, minutes: int = 5) -> int:
    """Redis is back: publishing works again (eagerly here, so the tasks run in this process), and the beat sweep
    runs a few minutes later, when the rows' retry time has come."""
    monkeypatch.undo()
    celery_app.conf.task_always_eager = True
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes)):
        return outbox_send_pending()


@pytest.fixture
def focal_points(fiona):
    """Twenty focal points: fiona and nineteen colleagues."""
    return [fiona, *(UserFactory(username=f"focal{number:02d}", role="focal_point") for number in range(1, 20))]


def test_an_escalation_submitted_while_redis_is_down_is_saved_once_and_its_emails_go_out_once_redis_returns(
    client, alice, make_escalation, focal_points, broker_stopped, monkeypatch, django_capture_on_commit_callbacks
):
    """302 to the user, one submitted case, 20 e-mails waiting in the outbox; after Redis returns the sweep sends
    each exactly once, and a second sweep or a repeated task sends nothing more."""
    draft = make_escalation(Escalation.State.DRAFT)
    client.force_login(alice)
    submit = reverse("alerts:escalation_submit", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit)
    assert response.status_code == 302
    assert response.url == reverse("alerts:escalation_detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == Escalation.State.SUBMITTED
    assert Escalation.objects.count() == 1
    assert len(broker_stopped) == 1, "one refused hand-over, then the rows wait for the sweep instead of the user"
    assert mail.outbox == []
    waiting = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, task_name__contains="notification")
    assert waiting.count() == FOCAL_POINTS

    # The user, unsure, presses Submit again: the case is refused as already submitted, not duplicated.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(submit)
    assert Escalation.objects.count() == 1

    sweep_after_redis_returns(monkeypatch)
    assert sorted(email.to[0] for email in mail.outbox) == sorted(user.email for user in focal_points)
    sweep_after_redis_returns(monkeypatch, minutes=10)
    emailed = Notification.objects.filter(escalation=draft, channel=Notification.Channel.EMAIL)
    # A redelivered task (the broker re-sending an unacknowledged message) finds the e-mail claimed and sends nothing.
    assert not notification_send_email(notification_id=emailed.first().pk)
    assert len(mail.outbox) == FOCAL_POINTS
    assert emailed.filter(sent_at__isnull=True).count() == 0
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()


def test_an_assessment_saved_while_redis_is_down_is_recomputed_once_redis_returns(
    client, alice, country_a, broker_stopped, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The form answers its redirect and records the assessment; the recompute waits in the outbox and runs after."""
    settings.SCORES_RECOMPUTE_DEBOUNCE_SECONDS = 0
    client.force_login(alice)
    data = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "40",
        "rows-0-indicator": str(indicator("1.1").pk),
        "rows-0-observed_on": "2026-01-05",
        "rows-0-severity": "3",
        "rows-0-confidence": "high",
        "rows-0-source": "Embassy reporting",
        "rows-0-evidence": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indicators:assessment_create", args=[country_a.iso3]), data)
    assert response.status_code == 302
    assert Assessment.objects.filter(country=country_a).count() == 1
    assert not ScoreRun.objects.exists()
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, task_name__contains="scores").exists()

    sweep_after_redis_returns(monkeypatch)
    run = ScoreRun.objects.get()
    assert run.status == ScoreRun.Status.SUCCEEDED
    assert run.country_scope == [country_a.iso3]
