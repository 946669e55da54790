"""Drafting and submitting in one go is one all-or-nothing step: a refused submission leaves no orphan draft."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alerts import services
from alerts.models import Alert, AlertRule, Escalation

FORM = {
    "summary": "Militia mobilisation in the north.",
    "risk_assessment": "Hate speech followed by arms deliveries.",
    "evidence_links": "https://example.org/report",
    "urgency": "high",
}


@pytest.fixture
def submission_refused(monkeypatch):
    """Make every submission fail the way a service refusal does."""
    original = services.escalation_transition

    def refuse(*, escalation, action, user, **kwargs):
        if action == "submit":
            raise ValidationError("The country has no scores under the active methodology yet.")
        return original(escalation=escalation, action=action, user=user, **kwargs)

    monkeypatch.setattr(services, "escalation_transition", refuse)


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
