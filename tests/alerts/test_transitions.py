"""The escalation state machine: every legal transition works, every illegal one is refused and changes nothing."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from alerts import services
from alerts.models import Escalation, Notification, ResponseAction
from core.models import AuditEvent

State = Escalation.State
LEGAL = [(action, source) for action, t in services.TRANSITIONS.items() for source in t.sources]
ILLEGAL = [
    (action, state)
    for action, state in itertools.product(services.TRANSITIONS, State.values)
    if state not in services.TRANSITIONS[action].sources
]


def actor_for(action, personas):
    return personas["alice"] if services.TRANSITIONS[action].actor == "desk_analyst" else personas["fiona"]


def snapshot(escalation):
    escalation.refresh_from_db()
    return (
        model_to_dict(escalation),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        ResponseAction.objects.count(),
    )


# The workflow in DESIGN.md, arrow by arrow: draft -> submitted -> under review -> (more information requested ->
# resubmitted) -> imminent risk declared | monitoring | closed; a case under monitoring may still be declared or
# closed. Written out here, not derived from TRANSITIONS, so a changed arrow fails the test below.
DESIGNED_ARROWS = {
    (State.DRAFT, State.SUBMITTED),
    (State.SUBMITTED, State.UNDER_REVIEW),
    (State.RESUBMITTED, State.UNDER_REVIEW),
    (State.UNDER_REVIEW, State.MORE_INFORMATION_REQUESTED),
    (State.RESUBMITTED, State.MORE_INFORMATION_REQUESTED),
    (State.MORE_INFORMATION_REQUESTED, State.RESUBMITTED),
    (State.UNDER_REVIEW, State.IMMINENT_RISK_DECLARED),
    (State.RESUBMITTED, State.IMMINENT_RISK_DECLARED),
    (State.MONITORING, State.IMMINENT_RISK_DECLARED),
    (State.UNDER_REVIEW, State.MONITORING),
    (State.RESUBMITTED, State.MONITORING),
    (State.UNDER_REVIEW, State.CLOSED),
    (State.RESUBMITTED, State.CLOSED),
    (State.MONITORING, State.CLOSED),
}


def test_the_table_covers_every_state_and_the_workflow_in_design():
    reachable = {State.DRAFT} | {t.target for t in services.TRANSITIONS.values()}
    assert reachable == set(State.values)
    arrows = {(source, t.target) for t in services.TRANSITIONS.values() for source in t.sources}
    assert arrows == DESIGNED_ARROWS
    deciders = {
        t.actor
        for t in services.TRANSITIONS.values()
        if t.target in (State.IMMINENT_RISK_DECLARED, State.MONITORING, State.CLOSED)
    }
    assert deciders == {"focal_point"}  # only the Focal Point decides


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "source"), LEGAL)
def test_legal_transition_moves_the_case_and_is_audited(action, source, personas, make_escalation, valid_action):
    escalation = make_escalation(source)
    user = actor_for(action, personas)
    result = services.escalation_transition(
        escalation=escalation,
        action=action,
        user=user,
        reason="Reason written by hand.",
        actions=[valid_action] if action == "declare_imminent_risk" else (),
    )
    result.refresh_from_db()
    assert result.state == services.TRANSITIONS[action].target
    event = AuditEvent.objects.filter(escalation=result, kind__in=["transition", "decision"]).latest(
        "occurred_at", "pk"
    )
    assert (event.actor, event.from_state, event.to_state) == (user, source, result.state)
    if services.TRANSITIONS[action].is_decision:
        assert event.reason == "Reason written by hand."
        assert result.decision_rationale == "Reason written by hand."


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_illegal_transition_is_refused_with_a_clear_error_and_changes_nothing(
    action, state, personas, make_escalation, valid_action
):
    escalation = make_escalation(state)
    before = snapshot(escalation)
    with pytest.raises(services.EscalationTransitionError) as refused:
        services.escalation_transition(
            escalation=escalation,
            action=action,
            user=actor_for(action, personas),
            reason="Reason written by hand.",
            actions=[valid_action] if action == "declare_imminent_risk" else (),
        )
    message = refused.value.messages[0]
    assert f"escalation {escalation.pk}" in message.lower()
    assert State(state).label.lower() in message
    assert snapshot(escalation) == before


@pytest.mark.django_db
@pytest.mark.parametrize("decision", list(services.DECISIONS))
def test_every_decision_needs_a_written_rationale(decision, fiona, make_escalation, valid_action):
    escalation = make_escalation(State.UNDER_REVIEW)
    before = snapshot(escalation)
    with pytest.raises(ValidationError, match="rationale"):
        services.escalation_decide(
            escalation=escalation, user=fiona, decision=decision, rationale="   ", actions=[valid_action]
        )
    assert snapshot(escalation) == before


@pytest.mark.django_db
def test_declaring_imminent_risk_creates_the_chosen_response_actions(fiona, make_escalation, valid_action):
    escalation = make_escalation(State.UNDER_REVIEW)
    second = {**valid_action, "tool": "asylum_resettlement", "lead_department": "home_office", "owner": "UKVI"}
    services.escalation_decide(
        escalation=escalation,
        user=fiona,
        decision="declare_imminent_risk",
        rationale="Mass killings are imminent.",
        actions=[valid_action, second],
    )
    actions = list(escalation.actions.order_by("pk"))
    assert [(a.tool, a.lead_department, a.owner, a.status) for a in actions] == [
        ("targeted_sanctions", "hmt_ofsi", "Sanctions unit", "planned"),
        ("asylum_resettlement", "home_office", "UKVI", "planned"),
    ]
    assert all(a.country == escalation.country for a in actions)


@pytest.mark.django_db
def test_declaring_imminent_risk_without_actions_or_with_a_bad_row_changes_nothing(
    fiona, make_escalation, valid_action
):
    escalation = make_escalation(State.UNDER_REVIEW)
    before = snapshot(escalation)
    with pytest.raises(ValidationError, match="add at least one"):
        services.escalation_decide(
            escalation=escalation, user=fiona, decision="declare_imminent_risk", rationale="Why.", actions=[]
        )
    with pytest.raises(ValidationError) as refused:
        services.escalation_decide(
            escalation=escalation,
            user=fiona,
            decision="declare_imminent_risk",
            rationale="Why.",
            actions=[valid_action, {**valid_action, "lead_department": "", "owner": ""}],
        )
    assert refused.value.message_dict["actions"] == ["Action 2: choose a lead department; name an owner."]
    assert snapshot(escalation) == before


@pytest.mark.django_db
def test_submission_keeps_the_countrys_latest_scores_with_the_case(alice, country_a, make_escalation):
    from tests.alerts.factories import CountryScoreFactory

    CountryScoreFactory(country=country_a, month=__import__("datetime").date(2026, 9, 1), overall=45.0)
    CountryScoreFactory(country=country_a, month=__import__("datetime").date(2026, 10, 1), overall=62.5)
    escalation = services.escalation_submit(escalation=make_escalation(State.DRAFT), user=alice)
    assert escalation.scores_snapshot["overall"] == 62.5
    assert escalation.scores_snapshot["band"] == "high"
    assert escalation.scores_snapshot["month"] == "2026-10-01"
    assert escalation.submitted_at is not None and escalation.awaiting_since == escalation.submitted_at


@pytest.mark.django_db
def test_a_focal_point_cannot_decide_on_a_case_another_focal_point_claimed(make_escalation, valid_action):
    from django.core.exceptions import PermissionDenied

    from tests.factories import UserFactory

    other = UserFactory(username="frank", role="focal_point")
    escalation = make_escalation(State.UNDER_REVIEW)
    with pytest.raises(PermissionDenied, match="claimed by fiona"):
        services.escalation_decide(escalation=escalation, user=other, decision="close", rationale="No.")
    escalation.refresh_from_db()
    assert escalation.state == State.UNDER_REVIEW


@pytest.mark.django_db
def test_resubmission_returns_the_case_to_the_focal_point_who_asked(alice, fiona, make_escalation):
    """The focal point who asked for more information keeps the case: only they are notified, and they decide
    without claiming it again."""
    from alerts.models import Notification
    from tests.factories import UserFactory

    UserFactory(username="frank", role="focal_point")
    escalation = make_escalation(State.MORE_INFORMATION_REQUESTED)
    result = services.escalation_resubmit(escalation=escalation, user=alice, note="Added two field reports.")
    assert result.state == State.RESUBMITTED
    assert result.claimed_by == fiona
    notified = Notification.objects.filter(escalation=escalation, topic="resubmitted")
    assert {n.recipient.username for n in notified} == {"fiona"}
    decided = services.escalation_decide(escalation=result, user=fiona, decision="monitor", rationale="Watch it.")
    assert decided.state == State.MONITORING and decided.decided_at is not None


@pytest.mark.django_db
def test_asking_for_more_information_sets_no_decided_date(fiona, make_escalation):
    """Sending a case back is not a decision on it: it keeps no decided date."""
    escalation = make_escalation(State.UNDER_REVIEW, decided_at=None)
    result = services.escalation_decide(
        escalation=escalation, user=fiona, decision="request_information", rationale="Which militia?"
    )
    assert result.state == State.MORE_INFORMATION_REQUESTED and result.decided_at is None


@pytest.mark.django_db
def test_a_decision_clears_the_focal_points_waiting_notifications(alice, fiona, make_escalation):
    """Once decided, "a case is waiting for you" no longer lists in anyone's notification centre."""
    from alerts.models import Notification

    escalation = make_escalation(State.DRAFT)
    services.escalation_submit(escalation=escalation, user=alice)
    escalation = services.escalation_claim(escalation_id=escalation.pk, user=fiona)
    waiting = Notification.objects.filter(escalation=escalation, topic="submitted", channel="in_app")
    assert waiting.filter(read_at__isnull=True).exists()
    services.escalation_decide(escalation=escalation, user=fiona, decision="close", rationale="Handled elsewhere.")
    assert not waiting.filter(read_at__isnull=True).exists()
