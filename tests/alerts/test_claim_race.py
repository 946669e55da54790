"""Claiming is one conditional UPDATE: of two focal points claiming at the same moment, exactly one wins."""

import threading

import pytest
from django.db import connection, connections

from alerts import services
from alerts.models import Escalation
from core.models import AuditEvent
from tests.factories import UserFactory

State = Escalation.State


@pytest.mark.django_db
def test_claiming_a_claimed_case_names_who_has_it(fiona, make_escalation):
    other = UserFactory(username="frank", role="focal_point")
    escalation = make_escalation(State.SUBMITTED, claimed_by=None)
    services.escalation_claim(escalation_id=escalation.pk, user=fiona)
    with pytest.raises(services.EscalationAlreadyClaimed, match="already claimed by Fiona"):
        services.escalation_claim(escalation_id=escalation.pk, user=other)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers")
@pytest.mark.django_db(transaction=True)
def test_two_focal_points_claiming_at_once_exactly_one_wins(fiona, make_escalation):
    other = UserFactory(username="frank", role="focal_point")
    for attempt in range(5):
        escalation = make_escalation(State.SUBMITTED, claimed_by=None)
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def claim(user, escalation_id=escalation.pk, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=10)
                services.escalation_claim(escalation_id=escalation_id, user=user)
                results[user.username] = "won"
            except services.EscalationAlreadyClaimed:
                results[user.username] = "lost"
            finally:
                connections.close_all()

        threads = [threading.Thread(target=claim, args=(user,)) for user in (fiona, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(results.values()) == ["lost", "won"], f"attempt {attempt}: {results}"
        escalation.refresh_from_db()
        winner = next(name for name, result in results.items() if result == "won")
        assert escalation.claimed_by.username == winner
        assert escalation.state == State.UNDER_REVIEW
        assert AuditEvent.objects.filter(escalation=escalation, to_state=State.UNDER_REVIEW).count() == 1
