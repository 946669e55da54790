"""A draft escalation is its author's working note: only the author and the analysts of the country's desk read it.

The rule lives in core.roles.can_view_escalation and alerts.selectors.escalations_visible_to; these tests
hold the detail page, the API, the country timeline and both encodings of the rule to it.
"""

import pytest
from django.urls import reverse

from alerts import selectors, services
from alerts.models import Escalation
from core.roles import can_view_escalation
from tests.factories import UserFactory

State = Escalation.State


@pytest.fixture
def carol(desk_a):
    """A second analyst on alice's desk."""
    return UserFactory(username="carol", role="analyst", desks=[desk_a])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("fiona", 404), ("victor", 404), ("ada", 404)],
)
def test_a_draft_page_is_a_404_for_everyone_but_its_author_and_the_desk(
    client, personas, carol, make_escalation, who, status
):
    draft = make_escalation(State.DRAFT)
    client.force_login({**personas, "carol": carol}[who])
    assert client.get(reverse("alerts:escalation_detail", args=[draft.pk])).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("carol", 200), ("bob", 404), ("fiona", 404), ("victor", 404), ("ada", 404)],
)
def test_a_draft_is_a_404_in_the_api_for_everyone_but_its_author_and_the_desk(
    personas, carol, make_escalation, who, status
):
    from rest_framework.test import APIClient

    draft = make_escalation(State.DRAFT)
    api = APIClient()
    api.force_authenticate({**personas, "carol": carol}[who])
    assert api.get(f"/api/v1/escalations/{draft.pk}/").status_code == status
    assert (api.get("/api/v1/escalations/").json()["count"] == 1) is (status == 200)


@pytest.mark.django_db
def test_the_focal_point_cannot_act_on_a_draft_it_cannot_see_through_the_api(fiona, make_escalation):
    from rest_framework.test import APIClient

    draft = make_escalation(State.DRAFT)
    api = APIClient()
    api.force_authenticate(fiona)
    assert api.post(f"/api/v1/escalations/{draft.pk}/claim/").status_code == 404
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


@pytest.mark.django_db
def test_the_country_timeline_shows_a_draft_only_to_its_author_and_the_desk(
    country_a, alice, carol, bob, fiona, victor, ada, make_escalation
):
    services.escalation_create(country=country_a, user=alice, summary="North.", risk_assessment="Arms deliveries.")
    for who in (alice, carol):
        assert [e.summary for e in selectors.timeline_for_country(country_a, viewer=who)] == [
            "Escalation drafted; urgency: routine."
        ]
    for who in (bob, fiona, victor, ada):
        assert list(selectors.timeline_for_country(country_a, viewer=who)) == [], who.username


@pytest.mark.django_db
def test_the_country_page_does_not_show_someone_elses_draft(client, country_a, alice, victor):
    services.escalation_create(country=country_a, user=alice, summary="North.", risk_assessment="Arms deliveries.")
    client.force_login(victor)
    page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "Escalation drafted" not in page


@pytest.mark.django_db
def test_the_rule_and_the_query_agree_for_every_persona_and_state(personas, carol, nobody, make_escalation):
    escalations = [make_escalation(state) for state in State]
    for user in [*personas.values(), carol, nobody]:
        visible = set(selectors.escalations_visible_to(user).values_list("pk", flat=True))
        for escalation in escalations:
            allowed = can_view_escalation(
                user, country=escalation.country, created_by_id=escalation.created_by_id, state=escalation.state
            )
            assert allowed is (escalation.pk in visible), (user.username, escalation.state)


@pytest.mark.django_db
def test_the_kept_timeline_markup_of_the_author_never_reaches_another_reader(client, country_a, alice, victor):
    """The country page keeps the timeline's markup under the events it shows: the author's visit keeps markup with
    their draft, and a reader who may not see it gets markup of their own events, before and after."""
    services.escalation_create(country=country_a, user=alice, summary="North.", risk_assessment="Arms deliveries.")
    url = reverse("indicators:country_detail", args=["QAA"])
    pages = {}
    for who in (alice, victor, alice, victor):
        client.force_login(who)
        pages.setdefault(who.username, []).append(client.get(url).content.decode())
    assert all("Escalation drafted" in page for page in pages["alice"])
    assert not any("Escalation drafted" in page for page in pages["victor"])
    assert all("No trigger events, alerts or escalations recorded" in page for page in pages["victor"])
