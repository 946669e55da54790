"""The outbox: tasks asked for in a transaction are sent once after commit, and a broker outage only delays them."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from atrocity_watch.celery import app as celery_app
from core.models import OutboxMessage
from core.services import outbox_enqueue, outbox_send, outbox_send_pending
from core.tasks import outbox_send_pending_task

TASK = "core.tests.example_task"


@pytest.fixture
def broker(monkeypatch):
    """A broker that records what it is sent; `down` makes it refuse like an unreachable Redis."""
    celery_app.conf.task_always_eager = False  # the autouse celery_eager fixture restores it
    state = {"sent": [], "down": False}

    def send_task(name, kwargs=None, countdown=None, **options):
        if state["down"]:
            raise OperationalError("Error 111 connecting to the broker. Connection refused.")
        state["sent"].append((name, kwargs, countdown))

    monkeypatch.setattr(celery_app, "send_task", send_task)
    return state


@pytest.mark.django_db
def test_a_task_is_sent_only_after_the_transaction_commits(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            outbox_enqueue(TASK, kwargs={"thing_id": 7})
            assert broker["sent"] == []
    assert broker["sent"] == [(TASK, {"thing_id": 7}, None)]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_task(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_enqueue(TASK, kwargs={"thing_id": 7})
            raise RuntimeError("the write failed")
    assert broker["sent"] == [] and not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_row_pending_and_the_sweep_sends_it_later(broker, django_capture_on_commit_callbacks):
    broker["down"] = True
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(TASK, kwargs={"thing_id": 7})  # no exception reaches the caller
    row = OutboxMessage.objects.get()
    assert row.status == OutboxMessage.Status.PENDING and row.attempts == 1
    assert "Connection refused" in row.last_error and row.next_attempt_at > timezone.now()
    assert outbox_send_pending() == 0  # not due yet: the backoff holds it back
    broker["down"] = False
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=1)):
        assert outbox_send_pending_task.apply().get() == 1  # as a worker runs it
    assert broker["sent"] == [(TASK, {"thing_id": 7}, None)]
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_each_failed_attempt_waits_longer_before_the_next(broker):
    broker["down"] = True
    row = OutboxMessage.objects.create(task_name=TASK, kwargs={})
    waits = []
    for _ in range(3):
        now = timezone.now()
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=now)
        outbox_send(message_id=row.pk)
        waits.append(OutboxMessage.objects.get(pk=row.pk).next_attempt_at - now)
    assert waits[0] < waits[1] < waits[2]


@pytest.mark.django_db
def test_a_row_claimed_by_one_sender_is_not_sent_by_another(broker):
    row = OutboxMessage.objects.create(task_name=TASK, kwargs={})
    published: list[int] = []
    second_sender: list[bool] = []

    def publish_while_a_second_sender_tries(message, now):
        published.append(message.pk)
        if len(published) == 1:
            second_sender.append(outbox_send(message_id=row.pk))

    with mock.patch("core.services._publish", side_effect=publish_while_a_second_sender_tries):
        # While the first sender holds the claim, a second sender (here: called from inside the first) finds it taken.
        assert outbox_send(message_id=row.pk) is True
    assert (second_sender, published) == ([False], [row.pk])
    assert outbox_send(message_id=row.pk) is False  # and once sent, never again
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.SENT


@pytest.mark.django_db
def test_a_request_with_the_key_of_a_waiting_row_adds_nothing(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue(TASK, kwargs={"n": 1}, dedupe_key="thing:7", countdown=10)
        second = outbox_enqueue(TASK, kwargs={"n": 2}, dedupe_key="thing:7", countdown=10)
    assert first.pk == second.pk
    [(name, kwargs, countdown)] = broker["sent"]
    assert kwargs == {"n": 1} and 0 < countdown <= 10
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=11)):
        assert outbox_enqueue(TASK, kwargs={"n": 3}, dedupe_key="thing:7").pk != first.pk


def test_the_sweep_runs_every_minute_from_beat():
    entry = celery_app.conf.beat_schedule["outbox-send-pending-every-minute"]
    assert entry["task"] == outbox_send_pending_task.name
    assert entry["schedule"].minute == set(range(60))
