"""A declaration of imminent risk stands out: a banner on the country page, a mark on the overview row, an outline on
the map; and the case carries its country's open alerts until it is closed (alerts.services.ALERTS_AND_CASES)."""

import json

import pytest
from django.urls import reverse

from alerts import services
from alerts.models import Alert, AlertRule, Escalation
from tests.alerts.factories import CountryScoreFactory

State = Escalation.State
pytestmark = pytest.mark.django_db


def open_alert(country, kind):
    rule = AlertRule.objects.get(kind=kind, is_active=True)
    return Alert.objects.create(rule=rule, rule_kind=kind, country=country, message=f"{kind} fired")


def test_a_declaration_shows_on_the_country_page_the_overview_and_the_map(client, victor, make_escalation, country_a):
    """Every role sees the banner with decision, rationale and date; the ranking row and the map mark the country."""
    CountryScoreFactory(country=country_a, overall=70.0)
    make_escalation(State.IMMINENT_RISK_DECLARED, decision_rationale="Militias massing near the camps.")
    client.force_login(victor)
    page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "Imminent risk declared for Alphaland" in page
    assert "Militias massing near the camps." in page
    response = client.get(reverse("indicators:overview"), {"reset": "1"})
    body = response.content.decode()
    assert '<span class="row-flag flag-imminent">Imminent risk declared</span>' in body
    figure = json.loads(body.split('<script id="map-figure" type="application/json">')[1].split("</script>")[0])
    outline = figure["data"][1]
    assert outline["locations"] == ["QAA"] and outline["marker"]["line"]["width"] == 3


def test_no_banner_without_a_declaration_in_force(client, victor, make_escalation, country_a):
    """Monitoring, a closed case or a submission is no declaration."""
    for state in (State.SUBMITTED, State.MONITORING, State.CLOSED):
        make_escalation(state)
    client.force_login(victor)
    assert (
        "Imminent risk declared" not in client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    )


def test_a_case_started_from_the_country_page_carries_its_open_alerts_until_it_is_closed(
    alice, fiona, make_escalation, country_a, country_b
):
    """Submission marks every open alert of the country escalated; closing the case resolves them."""
    band, serious = open_alert(country_a, "band_reached"), open_alert(country_a, "serious_specific_indicator")
    elsewhere = open_alert(country_b, "band_reached")
    escalation = make_escalation(State.DRAFT)
    services.escalation_submit(escalation=escalation, user=alice)
    statuses = dict(Alert.objects.values_list("pk", "status"))
    assert statuses[band.pk] == statuses[serious.pk] == "escalated" and statuses[elsewhere.pk] == "open"
    escalation = services.escalation_claim(escalation_id=escalation.pk, user=fiona)
    services.escalation_decide(escalation=escalation, user=fiona, decision="monitor", rationale="Watch.")
    assert Alert.objects.get(pk=band.pk).status == "escalated"  # monitoring keeps carrying them
    escalation.refresh_from_db()
    services.escalation_decide(escalation=escalation, user=fiona, decision="close", rationale="Subsided.")
    statuses = dict(Alert.objects.values_list("pk", "status"))
    assert statuses[band.pk] == statuses[serious.pk] == "resolved" and statuses[elsewhere.pk] == "open"
