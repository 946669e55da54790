"""Changes to how risk is judged (methodology versions, alert rules) are on the audit trail, with who made them."""

import json

import pytest

from core.models import AuditEvent
from indicators.models import Methodology

pytestmark = pytest.mark.django_db


def test_publishing_a_methodology_in_the_admin_is_audited_with_the_administrator(client, ada):
    previous = Methodology.objects.get(is_active=True)
    client.force_login(ada)
    response = client.post(
        "/admin/indicators/methodology/add/",
        {
            "name": "Faster decay",
            "description": "Half-life six months.",
            "parameters": json.dumps({**previous.parameters, "half_life_months": 6}),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    published = Methodology.objects.get(name="Faster decay")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.METHODOLOGY_PUBLISHED)
    assert event.actor == ada
    assert event.summary == f"Methodology version {published.version} ('Faster decay') published and made active."
    assert event.details["methodology_id"] == published.pk


def test_activating_an_earlier_methodology_is_audited_naming_the_version_it_replaces(client, ada):
    from indicators.scoring.services import methodology_publish

    first = Methodology.objects.get(is_active=True)
    second = methodology_publish(name="Second", parameters=first.parameters, created_by=ada)
    client.force_login(ada)
    response = client.post(
        f"/admin/indicators/methodology/{first.pk}/change/",
        {"name": first.name, "description": first.description, "parameters": json.dumps(first.parameters),
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.METHODOLOGY_ACTIVATED).latest("pk")
    assert event.actor == ada
    assert event.summary == (
        f"Methodology version {first.version} ('{first.name}') made active, replacing version {second.version}."
    )


def test_publishing_an_alert_rule_in_the_admin_is_audited_with_its_parameters(client, ada):
    client.force_login(ada)
    parameters = {"bands": ["very_high"]}
    response = client.post(
        "/admin/alerts/alertrule/add/",
        {"kind": "band_reached", "name": "Very high only", "description": "Fires in the top band.",
         "parameters": json.dumps(parameters)},
    )  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.RULE_PUBLISHED).latest("pk")
    assert event.actor == ada
    assert event.summary.startswith("Alert rule 'Very high only' version ")
    assert event.details["parameters"] == parameters
