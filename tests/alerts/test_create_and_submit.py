"""Drafting and submitting in one go is one all-or-nothing step: a refused submission leaves no orphan draft."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts import services
from alerts.models import Alert, AlertRule, Escalation
from alerts.services import workflow

FORM = {
    "summary": "Militia mobilisation in the north.",
    "risk_assessment": "Hate speech followed by arms deliveries.",
    "evidence_links": "https://example.org/report",
    "urgency": "high",
}


@pytest.fixture
def submission_refused(monkeypatch):
    """Make every submission fail the way a service refusal does."""
    original = workflow.escalation_transition

    def refuse(*, escalation, action, user, **kwargs):
        if action == "submit":
            raise ValidationError("The country has no scores under the active methodology yet.")
        return original(escalation=escalation, action=action, user=user, **kwargs)

    monkeypatch.setattr(workflow, "escalation_transition", refuse)


@pytest.mark.django_db
def test_create_and_submit_lands_in_the_queue_in_one_step(client, alice, country_a):
    client.force_login(alice)
    response = client.post(reverse("alerts:escalation_create", args=["QAA"]), {**FORM, "submit_now": "1"})
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert escalation.state == Escalation.State.SUBMITTED


@pytest.mark.django_db
def test_a_refused_submission_shows_on_the_form_and_keeps_no_draft(client, alice, country_a, submission_refused):
    rule = AlertRule.objects.filter(is_active=True).first()
    alert = Alert.objects.create(
        rule=rule, rule_kind=rule.kind, country=country_a, message="Crossed 50", fingerprint="x"
    )
    client.force_login(alice)
    response = client.post(
        reverse("alerts:escalation_create", args=["QAA"]), {**FORM, "submit_now": "1", "alert": alert.pk}
    )
    assert response.status_code == 400
    assert "no scores under the active methodology" in response.content.decode()
    assert not Escalation.objects.exists()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


@pytest.mark.django_db
def test_the_service_drafts_and_submits_all_or_nothing(alice, country_a, submission_refused):
    with pytest.raises(ValidationError):
        services.escalation_create(
            country=country_a, user=alice, summary="North.", risk_assessment="Arms deliveries.", submit=True
        )
    assert not Escalation.objects.exists()


@pytest.mark.django_db
def test_a_resubmitted_case_shows_who_asked_for_more_information_to_every_role(
    client, make_escalation, alice, fiona, victor
):
    """Resubmitting clears the claim; the page still names the focal point who asked, from the audit trail."""
    escalation = make_escalation(state=Escalation.State.SUBMITTED)
    claimed = services.escalation_claim(escalation_id=escalation.pk, user=fiona)
    services.escalation_decide(
        escalation=claimed, user=fiona, decision="request_information", rationale="Which militias, and where?"
    )
    services.escalation_resubmit(escalation=Escalation.objects.get(pk=escalation.pk), user=alice, note="See 2.3.")
    url = reverse("alerts:escalation_detail", args=[escalation.pk])
    for person in (alice, fiona, victor):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person.username
        page = response.content.decode()
        assert "Earlier, the Focal Point asked for more information" in page
        assert f"{fiona.get_full_name() or fiona.username}," in page
        assert "Which militias, and where?" in page
