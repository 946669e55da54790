"""Who may update actions, edit AIAs and pick trigger-event countries is decided in core.roles alone."""

import pytest
from django.urls import reverse

from alerts import services
from core import roles


@pytest.mark.django_db
def test_the_response_action_rule_lives_in_roles_and_lets_a_viewer_owner_update_their_own_action(
    victor, fiona, alice, nobody
):
    assert roles.can_update_response_action(victor, owner_account_id=victor.pk)
    assert roles.can_update_response_action(fiona, owner_account_id=None)
    assert not roles.can_update_response_action(alice, owner_account_id=victor.pk)
    assert not roles.can_update_response_action(victor, owner_account_id=None)
    victor.is_active = False
    assert not roles.can_update_response_action(victor, owner_account_id=victor.pk)
    assert getattr(services, "can_update_response_action", None) in (None, roles.can_update_response_action)


@pytest.mark.django_db
def test_the_impact_assessment_rule_lives_in_roles(country_a, alice, bob, fiona, victor):
    assert roles.can_edit_impact_assessment(alice, country=country_a, owner_id=None)
    assert roles.can_edit_impact_assessment(fiona, country=country_a, owner_id=None)
    assert roles.can_edit_impact_assessment(bob, country=country_a, owner_id=bob.pk)
    assert not roles.can_edit_impact_assessment(bob, country=country_a, owner_id=None)
    assert not roles.can_edit_impact_assessment(victor, country=country_a, owner_id=alice.pk)
    assert getattr(services, "can_edit_impact_assessment", None) in (None, roles.can_edit_impact_assessment)


@pytest.mark.django_db
def test_trigger_event_countries_follow_the_role(alice, fiona, victor):
    assert roles.trigger_event_country_scope(fiona) == "all"
    assert roles.trigger_event_country_scope(alice) == "desk"
    assert roles.trigger_event_country_scope(victor) == "none"


@pytest.mark.django_db
def test_the_tracker_tells_viewers_they_may_update_actions_they_own(client, victor):
    client.force_login(victor)
    page = client.get(reverse("alerts:action_tracker")).content.decode()
    assert "viewer" in page and "may still update the actions they own" in page
