"""Alerts and escalations through the API: the workflow services decide who may do what and when."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertRule, Escalation

DRAFT = {
    "country": "QAA",
    "summary": "Militia mobilisation in the north.",
    "risk_assessment": "Hate speech followed by arms deliveries.",
    "evidence_links": ["https://example.org/report"],
    "recommended_responses": ["targeted_sanctions"],
    "urgency": "high",
}


@pytest.fixture
def draft(persona_clients, country_a):
    response = persona_clients["alice"].post("/api/v1/escalations/", DRAFT, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def open_alert(country_a):
    rule = AlertRule.objects.filter(is_active=True).first()
    return Alert.objects.create(
        rule=rule, rule_kind=rule.kind, country=country_a, message="Score crossed 50", fingerprint="test-1"
    )


CREATE_EXPECTED = {"alice": 201, "bob": 403, "fiona": 403, "victor": 403, "ada": 403, "nobody": 403, "anonymous": 401}


@pytest.mark.parametrize(("persona", "status"), CREATE_EXPECTED.items())
def test_only_the_desk_analyst_drafts_an_escalation(persona_clients, country_a, persona, status):
    response = persona_clients[persona].post("/api/v1/escalations/", DRAFT, format="json")
    assert response.status_code == status, response.content


def test_draft_shows_the_actions_its_author_may_take(persona_clients, draft):
    assert draft["state"] == "draft"
    assert draft["available_actions"] == ["submit"]
    assert draft["timeline"][0]["to_state"] == "draft"


def test_full_workflow_to_imminent_risk_declared(persona_clients, draft, fiona):
    alice, fiona_api = persona_clients["alice"], persona_clients["fiona"]
    url = f"/api/v1/escalations/{draft['id']}/"
    assert alice.post(url + "submit/").json()["state"] == "submitted"
    assert fiona_api.post(url + "claim/").json()["state"] == "under_review"
    returned = fiona_api.post(url + "request-information/", {"reason": "Which militia?"}, format="json")
    assert returned.json()["state"] == "more_information_requested"
    edited = alice.put(url, {**DRAFT, "summary": "Militia X mobilising."}, format="json")
    assert edited.status_code == 200 and edited.json()["summary"] == "Militia X mobilising."
    assert alice.post(url + "resubmit/", {"reason": "Named the militia."}, format="json").json()["state"] == (
        "resubmitted"
    )
    assert fiona_api.post(url + "claim/").json()["state"] == "under_review"
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    declared = fiona_api.post(
        url + "declare-imminent-risk/",
        {
            "reason": "Confirmed by two sources.",
            "actions": [{"tool": "targeted_sanctions", "lead_department": "fcdo", "owner": "Desk head", "due_on": due}],
        },
        format="json",
    )
    assert declared.status_code == 200, declared.content
    body = declared.json()
    assert body["state"] == "imminent_risk_declared"
    assert body["decision_rationale"] == "Confirmed by two sources."
    assert [action["tool"] for action in body["actions"]] == ["targeted_sanctions"]


def test_illegal_transition_is_a_409_and_changes_nothing(persona_clients, draft, fiona):
    persona_clients["alice"].post(f"/api/v1/escalations/{draft['id']}/submit/")
    response = persona_clients["fiona"].post(
        f"/api/v1/escalations/{draft['id']}/close/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert Escalation.objects.get(pk=draft["id"]).state == "submitted"


def test_analyst_cannot_decide(persona_clients, draft):
    url = f"/api/v1/escalations/{draft['id']}/"
    persona_clients["alice"].post(url + "submit/")
    assert persona_clients["alice"].post(url + "claim/").status_code == 403


@pytest.mark.parametrize("persona", ["victor", "ada", "bob"])
def test_other_roles_cannot_submit_alices_draft(persona_clients, draft, persona):
    status = persona_clients[persona].post(f"/api/v1/escalations/{draft['id']}/submit/").status_code
    assert status in (403, 404)
    assert Escalation.objects.get(pk=draft["id"]).state == "draft"


def test_decision_without_rationale_is_a_400_naming_the_field(persona_clients, draft, fiona):
    url = f"/api/v1/escalations/{draft['id']}/"
    persona_clients["alice"].post(url + "submit/")
    persona_clients["fiona"].post(url + "claim/")
    response = persona_clients["fiona"].post(url + "monitor/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_bob_does_not_see_alices_draft(persona_clients, draft):
    assert persona_clients["bob"].get(f"/api/v1/escalations/{draft['id']}/").status_code == 404
    assert persona_clients["bob"].get("/api/v1/escalations/").json()["count"] == 0
    assert persona_clients["alice"].get("/api/v1/escalations/").json()["count"] == 1


def test_submitted_case_is_visible_to_focal_point_and_viewer(persona_clients, draft):
    persona_clients["alice"].post(f"/api/v1/escalations/{draft['id']}/submit/")
    for persona in ("fiona", "victor", "ada"):
        assert persona_clients[persona].get("/api/v1/escalations/").json()["count"] == 1


def test_escalation_from_an_alert_marks_it_escalated_once_submitted(persona_clients, open_alert):
    response = persona_clients["alice"].post("/api/v1/escalations/", {**DRAFT, "alert": open_alert.pk}, format="json")
    assert response.status_code == 201
    open_alert.refresh_from_db()
    assert open_alert.status == "open"  # a draft has not reached the Focal Point yet
    persona_clients["alice"].post(f"/api/v1/escalations/{response.json()['id']}/submit/")
    open_alert.refresh_from_db()
    assert open_alert.status == "escalated"


ALERT_HANDLERS = {"alice": 200, "bob": 403, "fiona": 200, "victor": 403, "ada": 403, "nobody": 403, "anonymous": 401}


@pytest.mark.parametrize(("persona", "status"), ALERT_HANDLERS.items())
def test_desk_analyst_and_focal_point_acknowledge_alerts(persona_clients, open_alert, persona, status):
    response = persona_clients[persona].post(f"/api/v1/alerts/{open_alert.pk}/acknowledge/")
    assert response.status_code == status, response.content


def test_dismissing_an_alert_needs_a_reason(persona_clients, open_alert):
    api = persona_clients["alice"]
    assert api.post(f"/api/v1/alerts/{open_alert.pk}/dismiss/", {}, format="json").status_code == 400
    response = api.post(f"/api/v1/alerts/{open_alert.pk}/dismiss/", {"reason": "Data error"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"


def test_alerts_filter_by_open_and_country(persona_clients, open_alert):
    api = persona_clients["victor"]
    assert api.get("/api/v1/alerts/?open=true&country=qaa").json()["count"] == 1
    assert api.get("/api/v1/alerts/?open=false").json()["count"] == 0
