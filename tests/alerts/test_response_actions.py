"""Response actions: the owner and the Focal Point move an action to in progress, done or cancelled with a note;
every change is an audit event; everyone else is refused by the server."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Escalation, ResponseAction
from core.models import AuditEvent

State = Escalation.State


@pytest.fixture
def action(make_escalation, fiona, victor):
    """Targeted sanctions for Alphaland, owned by victor (an official of another department, a viewer here)."""
    escalation = make_escalation(State.IMMINENT_RISK_DECLARED)
    return ResponseAction.objects.create(
        escalation=escalation,
        country=escalation.country,
        tool="targeted_sanctions",
        lead_department="hmt_ofsi",
        owner="OFSI designations team",
        owner_account=victor,
        due_on=timezone.localdate() + dt.timedelta(days=10),
        created_by=fiona,
    )


def post_status(client, user, action, status, note="Designations drafted."):
    client.force_login(user)
    return client.post(reverse("alerts:action_status", args=[action.pk]), {"status": status, "note": note})


@pytest.mark.django_db
def test_the_owner_moves_an_action_to_in_progress_then_done_and_each_step_is_audited(client, action, victor):
    post_status(client, victor, action, "in_progress", "Listing proposals sent to ministers.")
    response = post_status(client, victor, action, "done", "Designations published on 3 December.")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.status_changed_by == victor
    assert action.status_note == "Designations published on 3 December."
    events = AuditEvent.objects.filter(kind="action_status").order_by("pk")
    assert [(e.actor, e.reason, e.summary) for e in events] == [
        (
            victor,
            "Listing proposals sent to ministers.",
            "Targeted sanctions (HM Treasury / OFSI, OFSI designations team): Planned → In progress.",
        ),
        (
            victor,
            "Designations published on 3 December.",
            "Targeted sanctions (HM Treasury / OFSI, OFSI designations team): In progress → Done.",
        ),
    ]
    assert all(e.escalation_id == action.escalation_id and e.country == action.country for e in events)
    assert events[1].details == {"action_id": action.pk, "from_status": "in_progress", "to_status": "done"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"),
    [("victor", True), ("fiona", True), ("alice", False), ("bob", False), ("ada", False)],
)
def test_only_the_owner_and_focal_points_may_update_an_action(client, personas, action, who, allowed):
    response = post_status(client, personas[who], action, "cancelled", "Superseded by EU listing.")
    action.refresh_from_db()
    assert (action.status == "cancelled") is allowed
    assert response.status_code == (302 if allowed else 403)
    assert AuditEvent.objects.filter(kind="action_status").exists() is allowed


@pytest.mark.django_db
def test_an_action_without_an_owner_account_is_updated_by_the_focal_point_only(action, fiona, victor):
    ResponseAction.objects.filter(pk=action.pk).update(owner_account=None)
    action.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.response_action_set_status(action=action, user=victor, status="in_progress", note="Started.")
    assert services.response_action_set_status(action=action, user=fiona, status="in_progress", note="Started.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "wanted", "message"),
    [
        ("done", "in_progress", "This action is done; its status can no longer change."),
        ("cancelled", "planned", "This action is cancelled; its status can no longer change."),
        ("in_progress", "planned", "This action is in progress; it can move only to done or cancelled."),
        ("planned", "planned", "This action is planned; it can move only to in progress, done or cancelled."),
    ],
)
def test_an_illegal_status_change_is_refused_and_changes_nothing(action, victor, current, wanted, message):
    ResponseAction.objects.filter(pk=action.pk).update(status=current)
    action.refresh_from_db()
    before = model_to_dict(action), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.response_action_set_status(action=action, user=victor, status=wanted, note="Try.")
    assert refused.value.message_dict == {"status": [message]}
    action.refresh_from_db()
    assert (model_to_dict(action), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_a_status_change_needs_a_note(client, action, victor):
    with pytest.raises(ValidationError, match="Add a note"):
        services.response_action_set_status(action=action, user=victor, status="in_progress", note="  ")
    response = post_status(client, victor, action, "in_progress", note="")
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "planned"
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    assert "Add a note on what changed." in page


@pytest.mark.django_db
def test_a_refused_change_on_the_page_says_why(client, action, victor):
    ResponseAction.objects.filter(pk=action.pk).update(status="done")
    post_status(client, victor, action, "in_progress")
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    assert "This action is done; its status can no longer change." in page


@pytest.mark.django_db
def test_the_tracker_offers_the_update_form_to_the_owner_and_shows_the_note_to_everyone(client, action, victor, alice):
    client.force_login(victor)
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    assert 'action="{}"'.format(reverse("alerts:action_status", args=[action.pk])) in page
    assert "Update status" in page
    services.response_action_set_status(
        action=action, user=victor, status="in_progress", note="Listing proposals sent to ministers."
    )
    client.force_login(alice)
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    assert "Update status" not in page
    assert "In progress" in page and "Listing proposals sent to ministers." in page


@pytest.mark.django_db
def test_declaring_imminent_risk_can_name_an_owner_account_for_an_action(client, make_escalation, fiona, victor):
    escalation = make_escalation(State.UNDER_REVIEW)
    client.force_login(fiona)
    response = client.post(
        reverse("alerts:escalation_decide", args=[escalation.pk]),
        {
            "decision": "declare_imminent_risk",
            "rationale": "Credible evidence of imminent killings.",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-tool": "targeted_sanctions",
            "actions-0-lead_department": "hmt_ofsi",
            "actions-0-owner": "OFSI designations team",
            "actions-0-owner_account": str(victor.pk),
            "actions-0-due_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert ResponseAction.objects.get().owner_account == victor


@pytest.mark.django_db
def test_an_action_owner_account_without_a_role_is_refused(make_escalation, fiona, nobody, valid_action):
    escalation = make_escalation(State.UNDER_REVIEW)
    with pytest.raises(ValidationError, match="the owner's account must be an active user with a role"):
        services.escalation_decide(
            escalation=escalation,
            user=fiona,
            decision="declare_imminent_risk",
            rationale="Evidence.",
            actions=[{**valid_action, "owner_account": nobody}],
        )
    assert not ResponseAction.objects.exists()


@pytest.mark.django_db
def test_the_tracker_links_a_case_only_for_those_who_may_open_it(client, action, alice, bob, victor):
    """Everyone sees every action; Bob works another desk, so the case number is shown without a dead link."""
    link = f'href="{reverse("alerts:escalation_detail", args=[action.escalation_id])}"'
    for person, linked in ((alice, True), (victor, True), (bob, False)):
        client.force_login(person)
        page = client.get(reverse("alerts:action_tracker")).content.decode()
        assert f"#{action.escalation_id}" in page
        assert (link in page) is linked, person.username
        if linked:
            assert client.get(reverse("alerts:escalation_detail", args=[action.escalation_id])).status_code == 200
        else:
            assert client.get(reverse("alerts:escalation_detail", args=[action.escalation_id])).status_code == 404


@pytest.mark.django_db
def test_a_refused_change_keeps_the_note_for_the_next_try(client, action, victor, fiona):
    """The Focal Point moved the action first: the owner's change is refused with the reason, and the note they wrote
    waits in the action's form instead of being lost; it is shown once."""
    services.response_action_set_status(action=action, user=fiona, status="in_progress", note="Started.")
    note = "Designations drafted; legal review booked for Monday."
    response = post_status(client, victor, action, "in_progress", note)  # from a page loaded before that change
    assert response.status_code == 302
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    assert "it can move only to done or cancelled" in page
    assert f'rows="2" required>{note}</textarea>' in page
    assert note not in client.get(reverse("alerts:action_tracker")).content.decode()
