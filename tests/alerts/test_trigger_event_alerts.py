"""The published trigger-event rule: recording a court finding, inquiry or UN notification opens an alert."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts import services
from alerts.models import Alert, AlertRule, AtrocityImpactAssessment, TriggerEvent
from core.models import AuditEvent


def record(country, user, *, title="ICJ order on provisional measures", days_ago=2, kind="court_finding"):
    return services.trigger_event_record(
        country=country,
        user=user,
        kind=kind,
        title=title,
        occurred_on=timezone.localdate() - dt.timedelta(days=days_ago),
        owner=user,
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )


@pytest.mark.django_db
def test_the_trigger_event_rule_is_published_as_version_1_by_a_migration():
    rule = AlertRule.objects.get(kind="trigger_event", is_active=True)
    assert rule.version == 1
    assert rule.parameters == {
        "kinds": ["court_finding", "commission_of_inquiry", "un_special_advisers"],
        "max_age_days": 365,
    }
    assert "commission of inquiry" in rule.description


@pytest.mark.django_db
def test_recording_a_trigger_event_opens_an_alert_for_that_country(country_a, country_b, alice):
    record(country_a, alice)
    [alert] = Alert.objects.all()
    assert (alert.country, alert.rule_kind, alert.status) == (country_a, "trigger_event", "open")
    occurred = timezone.localdate() - dt.timedelta(days=2)
    assert (
        alert.message
        == f"Finding by the ICJ or another court: ICJ order on provisional measures ({occurred:%d %B %Y})."
    )
    assert alert.details["trigger_event_id"] == TriggerEvent.objects.get().pk
    assert AuditEvent.objects.filter(kind="alert_raised", alert=alert, country=country_a).exists()


@pytest.mark.django_db
def test_a_second_trigger_event_keeps_one_open_alert_until_the_first_is_handled(country_a, alice):
    record(country_a, alice, title="ICJ order")
    record(country_a, alice, title="Commission of inquiry report", kind="commission_of_inquiry")
    [first] = Alert.objects.filter(rule_kind="trigger_event")
    assert "ICJ order" in first.message

    services.alert_dismiss(alert=first, user=alice, reason="Covered by the existing escalation.")
    record(country_a, alice, title="UN Special Advisers statement", kind="un_special_advisers")
    latest = Alert.objects.get(rule_kind="trigger_event", status="open")
    assert latest.message.startswith("Notification by the UN Special Advisers: UN Special Advisers statement")
    assert "2 earlier trigger events within 365 days" in latest.message


@pytest.mark.django_db
def test_a_trigger_event_older_than_the_rules_horizon_opens_an_assessment_but_no_alert(country_a, alice):
    aia = record(country_a, alice, days_ago=400)
    stored = AtrocityImpactAssessment.objects.get(country=country_a)
    assert (stored.pk, stored.status, stored.trigger_event.title) == (
        aia.pk,
        "open",
        "ICJ order on provisional measures",
    )
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_refused_trigger_event_opens_no_alert(country_a, alice):
    with pytest.raises(ValidationError):
        record(country_a, alice, title=" ")
    assert not Alert.objects.exists() and not TriggerEvent.objects.exists()


@pytest.mark.django_db
def test_a_new_version_of_the_trigger_event_rule_replaces_the_first(country_a, alice, ada):
    services.alert_rule_publish(
        kind="trigger_event",
        name="Court findings only",
        description="Fires when a court finding is recorded.",
        parameters={"kinds": ["court_finding"], "max_age_days": 90},
        actor=ada,
    )
    record(country_a, alice, kind="commission_of_inquiry")
    assert not Alert.objects.exists()
    record(country_a, alice, kind="court_finding")
    assert Alert.objects.get().rule.version == 2


@pytest.mark.django_db
def test_recording_a_trigger_event_through_the_page_raises_the_alert_shown_on_the_alerts_page(client, country_a, alice):
    client.force_login(alice)
    today = timezone.localdate()
    response = client.post(
        reverse("alerts:trigger_event_create", args=["QAA"]),
        {
            "kind": "un_special_advisers",
            "title": "Joint statement of the Special Advisers",
            "occurred_on": today.isoformat(),
            "owner": alice.pk,
            "due_on": (today + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("alerts:alert_list"), follow=True).content.decode()
    assert "Notification by the UN Special Advisers: Joint statement of the Special Advisers" in page
    assert "Trigger event recorded" in page  # the rule's name, in the open alert row and under rules in force


@pytest.mark.django_db
def test_the_methodology_page_lists_the_trigger_event_rule(client, victor):
    client.force_login(victor)
    page = client.get("/methodology/").content.decode()
    assert "Trigger event recorded" in page
    assert "commission of inquiry or fact-finding mission" in page


def test_a_future_finding_date_is_reported_with_the_other_errors_on_the_first_submit(client, alice, country_a):
    """Date errors no longer wait for a second submit: a missing title and a future date show together."""
    client.force_login(alice)
    future = timezone.localdate() + dt.timedelta(days=3)
    past = timezone.localdate() - dt.timedelta(days=3)
    response = client.post(
        reverse("alerts:trigger_event_create", args=[country_a.iso3]),
        {"kind": "court_finding", "title": "", "occurred_on": future, "owner": alice.pk, "due_on": past},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"title", "occurred_on", "due_on"}
    assert "in the future" in errors["occurred_on"][0] and "in the past" in errors["due_on"][0]
