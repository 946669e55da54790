"""Submission and decision emails, in-app notifications, and reminder emails from the beat task (frozen clock)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from alerts import services
from alerts.models import Escalation, Notification
from alerts.tasks import escalations_send_reminders_task
from atrocity_watch.celery import app as celery_app
from tests.alerts.factories import CountryScoreFactory

State = Escalation.State
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_submission_emails_every_focal_point_with_the_case_and_a_link(
    alice, fiona, victor, country_a, make_escalation, django_capture_on_commit_callbacks
):
    CountryScoreFactory(country=country_a, overall=62.5)
    escalation = make_escalation(State.DRAFT, urgency="urgent")
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.escalation_submit(escalation=escalation, user=alice)
    [email] = mail.outbox
    assert email.to == ["fiona@example.org"]
    assert email.subject == f"[Atrocity Watch] New urgent escalation: Alphaland (#{escalation.pk})"
    assert "Country: Alphaland (QAA)" in email.body
    assert "Urgency: Urgent" in email.body
    assert "Raised by: Alice" in email.body
    assert "Scores at submission: Overall score 62.5 (High), 2026-10" in email.body
    assert "Response due: 03 November 2026 09:00 UTC" in email.body
    assert escalation.summary in email.body
    assert f"http://127.0.0.1:8000/escalations/{escalation.pk}/" in email.body
    recorded = Notification.objects.filter(escalation=escalation).order_by("channel")
    assert [(n.recipient.username, n.channel, n.topic) for n in recorded] == [
        ("fiona", "email", "submitted"),
        ("fiona", "in_app", "submitted"),
    ]
    assert all(n.sent_at == START for n in recorded)


@pytest.mark.django_db
def test_focal_points_see_the_in_app_notification_in_the_queue(client, alice, fiona, make_escalation):
    escalation = services.escalation_submit(escalation=make_escalation(), user=alice)
    client.force_login(fiona)
    page = client.get("/escalations/").content.decode()
    assert "Your notifications" in page and f"Alphaland (#{escalation.pk})" in page


@pytest.mark.django_db
def test_a_decision_emails_the_analysts_with_the_rationale_and_actions(
    alice, fiona, make_escalation, valid_action, django_capture_on_commit_callbacks
):
    escalation = make_escalation(State.UNDER_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.escalation_decide(
            escalation=escalation,
            user=fiona,
            decision="declare_imminent_risk",
            rationale="Killings of civilians are imminent.",
            actions=[valid_action],
        )
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "imminent risk declared" in email.subject
    assert "Rationale:\nKillings of civilians are imminent." in email.body
    assert "- Targeted sanctions: HM Treasury / OFSI, Sanctions unit, due" in email.body


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """Run the beat task as beat would; its emails leave once its transaction commits."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            return escalations_send_reminders_task.delay().get()

    return run


def _submitted_at(make_escalation, urgency, when):
    return make_escalation(State.SUBMITTED, urgency=urgency, awaiting_since=when, submitted_at=when, claimed_by=None)


@pytest.mark.django_db
def test_the_beat_task_reminds_focal_points_of_overdue_cases_once_a_day(fiona, make_escalation, remind):
    urgent = _submitted_at(make_escalation, "urgent", START)
    routine = _submitted_at(make_escalation, "routine", START)
    with time_machine.travel(START + dt.timedelta(hours=23), tick=False):
        assert remind() == 0
    with time_machine.travel(START + dt.timedelta(hours=25), tick=False):
        assert remind() == 1
        assert remind() == 0  # not twice in a day
    [email] = mail.outbox
    assert email.to == ["fiona@example.org"]
    assert email.subject == f"[Atrocity Watch] Overdue: urgent escalation for Alphaland (#{urgent.pk})"
    assert "The response time for this urgent case passed 1 hours ago." in email.body
    assert "Nobody has claimed it yet." in email.body
    with time_machine.travel(START + dt.timedelta(hours=49), tick=False):
        assert remind() == 1
    with time_machine.travel(START + dt.timedelta(days=10, hours=1), tick=False):
        assert remind() == 2  # the routine case is now overdue too
    assert mail.outbox[-1].subject.endswith(f"(#{routine.pk})") or mail.outbox[-2].subject.endswith(f"(#{routine.pk})")
    assert Notification.objects.filter(topic="reminder", channel="email").count() == 4


@pytest.mark.django_db
def test_a_claimed_overdue_case_reminds_only_the_focal_point_who_claimed_it(fiona, make_escalation, remind):
    from tests.factories import UserFactory

    UserFactory(username="frank", role="focal_point")
    make_escalation(State.UNDER_REVIEW, urgency="high", awaiting_since=START, submitted_at=START)
    with time_machine.travel(START + dt.timedelta(hours=73), tick=False):
        assert remind() == 1
    [email] = mail.outbox
    assert email.to == ["fiona@example.org"]
    assert "Claimed by Fiona; under review." in email.body


@pytest.mark.django_db
def test_decided_cases_are_never_reminded(make_escalation):
    make_escalation(State.CLOSED, urgency="urgent", awaiting_since=START)
    with time_machine.travel(START + dt.timedelta(days=5), tick=False):
        assert services.escalations_send_reminders() == 0
    assert mail.outbox == []


def test_the_reminder_task_is_on_the_beat_schedule():
    entries = [entry["task"] for entry in celery_app.conf.beat_schedule.values()]
    assert "alerts.tasks.escalations_send_reminders_task" in entries


@pytest.mark.django_db
def test_the_queue_flags_overdue_cases_and_orders_by_urgency_then_age(client, fiona, make_escalation):
    now = timezone.now()
    routine_old = _submitted_at(make_escalation, "routine", now - dt.timedelta(days=11))
    high_new = _submitted_at(make_escalation, "high", now - dt.timedelta(hours=1))
    urgent_new = _submitted_at(make_escalation, "urgent", now - dt.timedelta(hours=2))
    urgent_old = _submitted_at(make_escalation, "urgent", now - dt.timedelta(hours=30))
    client.force_login(fiona)
    response = client.get("/escalations/")
    assert [e.pk for e in response.context["queue"]] == [urgent_old.pk, urgent_new.pk, high_new.pk, routine_old.pk]
    assert [e.overdue for e in response.context["queue"]] == [True, False, False, True]
    assert "2 overdue" in response.content.decode()
