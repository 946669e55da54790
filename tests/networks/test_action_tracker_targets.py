"""The actions tracker names each targeted-sanctions action's target actors, linked to their profiles."""

import pytest
from django.urls import reverse

from alerts.models import ResponseAction, Tool
from networks.models import Actor
from networks.services import sanction_target_add
from tests.alerts.factories import EscalationFactory

pytestmark = pytest.mark.django_db


def test_the_tracker_lists_a_sanctions_actions_targets_with_links(
    client, victor, fiona, alice, country_a, imported_network
):
    """Two targets on one sanctions action show in its row; a diplomacy action shows none."""
    escalation = EscalationFactory(country=country_a, created_by=alice)
    action = ResponseAction.objects.create(
        escalation=escalation,
        country=country_a,
        tool=Tool.TARGETED_SANCTIONS,
        lead_department="hmt_ofsi",
        owner="Sanctions team",
        due_on="2027-01-31",
        created_by=fiona,
    )
    general = Actor.objects.get(ftm_id="general")
    trader = Actor.objects.get(ftm_id="trader")
    for actor in (general, trader):
        sanction_target_add(user=fiona, action=action, actor=actor)
    client.force_login(victor)
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    row = page[page.index("Targets:") : page.index("</td>", page.index("Targets:"))]
    assert "Gen. Test" in row and "Test Trading Ltd" in row
    assert reverse("networks:actor_detail", args=[general.pk]) in row
    assert reverse("networks:actor_detail", args=[trader.pk]) in row
    assert page.count("Targets:") == 1
