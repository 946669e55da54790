"""Each role against each action, through the pages: the server refuses what a role may not do."""

import pytest
from django.urls import reverse

from alerts.models import Alert, AlertRule, Escalation, ResponseAction

State = Escalation.State
FORM = {
    "summary": "Attacks spreading.",
    "risk_assessment": "Targeted killings reported.",
    "evidence_links": "https://example.org/a",
    "recommended_responses": ["diplomatic_engagement"],
    "urgency": "urgent",
}


def post_as(client, user, url, data=None):
    client.force_login(user)
    return client.post(url, data or {})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", True), ("bob", False), ("fiona", False), ("victor", False), ("ada", False)]
)
def test_only_analysts_of_the_countrys_desk_may_escalate(client, personas, country_a, who, allowed):
    response = post_as(
        client, personas[who], reverse("alerts:escalation_create", args=["QAA"]), {**FORM, "submit_now": "1"}
    )
    assert (response.status_code == 302) is allowed
    assert Escalation.objects.exists() is allowed
    if not allowed:
        assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", False), ("bob", False), ("fiona", True), ("victor", False), ("ada", False)]
)
def test_only_focal_points_may_claim(client, personas, make_escalation, who, allowed):
    escalation = make_escalation(State.SUBMITTED, claimed_by=None)
    response = post_as(client, personas[who], reverse("alerts:escalation_claim", args=[escalation.pk]))
    escalation.refresh_from_db()
    assert (escalation.state == State.UNDER_REVIEW) is allowed
    assert response.status_code == (302 if allowed else 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", False), ("bob", False), ("fiona", True), ("victor", False), ("ada", False)]
)
def test_only_focal_points_may_decide(client, personas, make_escalation, who, allowed):
    escalation = make_escalation(State.UNDER_REVIEW)
    response = post_as(
        client,
        personas[who],
        reverse("alerts:escalation_decide", args=[escalation.pk]),
        {
            "decision": "monitor",
            "rationale": "Watch closely.",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
    )
    escalation.refresh_from_db()
    assert (escalation.state == State.MONITORING) is allowed
    assert response.status_code == (302 if allowed else 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", True), ("bob", False), ("fiona", False), ("victor", False), ("ada", False)]
)
def test_only_desk_analysts_may_submit_and_resubmit(client, personas, make_escalation, who, allowed):
    draft = make_escalation(State.DRAFT)
    returned = make_escalation(State.MORE_INFORMATION_REQUESTED)
    first = post_as(client, personas[who], reverse("alerts:escalation_submit", args=[draft.pk]))
    second = post_as(
        client, personas[who], reverse("alerts:escalation_resubmit", args=[returned.pk]), {"note": "More."}
    )
    draft.refresh_from_db()
    returned.refresh_from_db()
    assert (draft.state == State.SUBMITTED) is allowed
    assert (returned.state == State.RESUBMITTED) is allowed
    # Non-analysts are refused by role; bob may not even read alice's desk's cases, so they are not found for him.
    refused = {404} if who == "bob" else {403}
    assert {first.status_code, second.status_code} == ({302} if allowed else refused)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("bob", 404), ("fiona", 200), ("victor", 200), ("ada", 200)]
)
def test_analysts_see_only_their_desks_escalations_and_everyone_else_reads_all(
    client, personas, make_escalation, who, status
):
    escalation = make_escalation(State.SUBMITTED, claimed_by=None)
    client.force_login(personas[who])
    assert client.get(reverse("alerts:escalation_detail", args=[escalation.pk])).status_code == status
    listing = client.get(reverse("alerts:escalation_list")).content.decode()
    assert (f"#{escalation.pk}" in listing) is (status == 200)


@pytest.mark.django_db
def test_a_viewer_sees_no_buttons_that_change_anything(client, victor, fiona, make_escalation, valid_action):
    """Each button is checked on a case that offers it, and shown to the Focal Point there, so its absence for the
    viewer is the role's doing (a viewer never opens a draft, so its Submit button is the draft-privacy tests')."""
    cases = {
        "Claim for review": make_escalation(State.SUBMITTED, claimed_by=None),
        "Record decision": make_escalation(State.UNDER_REVIEW),
    }
    for button, case in cases.items():
        url = reverse("alerts:escalation_detail", args=[case.pk])
        client.force_login(fiona)
        assert button in client.get(url).content.decode()
        client.force_login(victor)
        assert button not in client.get(url).content.decode()
    declared = make_escalation(State.IMMINENT_RISK_DECLARED)
    ResponseAction.objects.create(
        escalation=declared, country=declared.country, created_by=fiona, owner_account=None, **valid_action
    )
    tracker = client.get(reverse("alerts:action_tracker")).content.decode()
    assert "Targeted sanctions" in tracker and 'name="status"' not in tracker
    client.force_login(fiona)  # the same action, to the Focal Point who may move it on
    assert 'name="status"' in client.get(reverse("alerts:action_tracker")).content.decode()


@pytest.mark.django_db
def test_nobody_without_a_role_is_refused_every_page(client, nobody, make_escalation):
    escalation = make_escalation(State.SUBMITTED, claimed_by=None)
    client.force_login(nobody)
    for url in (
        reverse("alerts:escalation_list"),
        reverse("alerts:escalation_detail", args=[escalation.pk]),
        reverse("alerts:action_tracker"),
        reverse("alerts:alert_list"),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("alerts:escalation_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", True), ("bob", False), ("fiona", True), ("victor", False), ("ada", False)]
)
def test_desk_analysts_and_focal_points_handle_alerts(client, personas, country_a, who, allowed):
    rule = AlertRule.objects.get(kind="band_reached", is_active=True)
    alert = Alert.objects.create(rule=rule, rule_kind=rule.kind, country=country_a, message="High", fingerprint="x")
    response = post_as(client, personas[who], reverse("alerts:alert_dismiss", args=[alert.pk]), {"reason": "Known."})
    alert.refresh_from_db()
    assert (alert.status == Alert.Status.DISMISSED) is allowed
    assert response.status_code == (302 if allowed else 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "allowed"), [("alice", True), ("bob", False), ("fiona", True), ("victor", False), ("ada", False)]
)
def test_trigger_events_are_recorded_by_desk_analysts_and_focal_points(client, personas, country_a, who, allowed):
    import datetime as dt

    from django.utils import timezone

    response = post_as(
        client,
        personas[who],
        reverse("alerts:trigger_event_create", args=["QAA"]),
        {
            "kind": "court_finding",
            "title": "ICJ provisional measures",
            "occurred_on": "2026-01-10",
            "owner": personas["alice"].pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == (302 if allowed else 403)


@pytest.mark.django_db
def test_administrators_publish_a_new_rule_version_in_the_admin_and_nobody_else_can(client, ada, fiona):
    data = {
        "kind": "sharp_rise",
        "name": "Sharp rise (10 points)",
        "description": "Fires on a rise of 10 points within three months.",
        "parameters": '{"points": 10, "months": 3}',
    }
    client.force_login(fiona)
    assert client.post(reverse("admin:alerts_alertrule_add"), data).status_code == 302  # to the admin login
    assert not AlertRule.objects.filter(kind="sharp_rise", version=2).exists()
    client.force_login(ada)
    assert client.post(reverse("admin:alerts_alertrule_add"), data).status_code == 302
    active = AlertRule.objects.get(kind="sharp_rise", is_active=True)
    assert (active.version, active.parameters["points"]) == (2, 10)
    assert AlertRule.objects.get(kind="sharp_rise", version=1).is_active is False


@pytest.mark.django_db
def test_the_admin_offers_no_way_to_edit_or_delete_audit_events(client, ada, make_escalation):
    from core.models import AuditEvent
    from core.services import audit_record

    event = audit_record(kind="decision", summary="Decided.", escalation=make_escalation(State.CLOSED))
    client.force_login(ada)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"summary": "Rewritten"})
    assert client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.summary == "Decided." and AuditEvent.objects.filter(pk=event.pk).exists()
