"""The methodology page: the active method in plain words, its parameters, dataset mappings, alert rules and
version history, for every role."""

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Methodology

pytestmark = pytest.mark.django_db

METHODOLOGY = reverse("indicators:methodology")


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
def test_every_role_reads_the_methodology(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(METHODOLOGY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "methodology v3: Sources of one period weigh alike; thin and stale evidence is insufficient" in body
    assert 'Weight halves every</th><td class="num">12 months' in body
    assert 'Not counted after</th><td class="num">36 months' in body


def test_a_user_without_a_role_is_refused(client, nobody):
    client.force_login(nobody)
    assert client.get(METHODOLOGY).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(METHODOLOGY).status_code == 302


def test_bands_are_named_with_their_thresholds(client, victor):
    client.force_login(victor)
    body = client.get(METHODOLOGY).content.decode()
    assert '<span class="band band-very_high">Very high</span> 75 and above' in body
    assert "common score averaged with 9. " in body


def test_dataset_mappings_are_listed_with_their_rules(client, victor):
    client.force_login(victor)
    response = client.get(METHODOLOGY)
    mappings = response.context["mappings"]
    assert mappings, "the importers' mapping table is shown"
    body = response.content.decode()
    assert mappings[0]["label"] in body
    first_variable = next(source for source in mappings if source["mappings"])["mappings"][0]["variable"]
    assert f"<code>{first_variable}</code>" in body


def test_published_alert_rules_are_listed(client, victor):
    from alerts.models import AlertRule

    client.force_login(victor)
    body = client.get(METHODOLOGY).content.decode()
    for rule in AlertRule.objects.filter(is_active=True):
        assert rule.name in body


def test_version_history_lists_retired_versions(client, victor):
    Methodology.objects.filter(is_active=True).update(is_active=False)
    Methodology.objects.create(
        version=4,
        name="Recency-weighted",
        parameters=Methodology.objects.get(version=1).parameters,
        is_active=True,
        published_at=timezone.now(),
        description="Like v1 with a shorter half-life.",
    )
    client.force_login(victor)
    body = client.get(METHODOLOGY).content.decode()
    assert "methodology v4: Recency-weighted" in body
    assert "Retired" in body and "Active" in body


def test_methodology_query_count_is_fixed(client, victor, django_assert_num_queries):
    client.force_login(victor)
    client.get(METHODOLOGY)
    # 6 of the page's own, 1 for the forecast section's model (forecasts registers it on this page), and 1 for the
    # header's unread-notification count (alerts registers it).
    with django_assert_num_queries(8):
        client.get(METHODOLOGY)


def test_the_v3_rules_are_published_in_plain_words(client, victor):
    """The same-period weighting of sources and the thin-and-stale rule, with their parameters, are on the page."""
    client.force_login(victor)
    body = client.get(METHODOLOGY).content.decode()
    assert "more than 12 months older than the indicator's newest assessment" in body
    assert "below 10, or below 20 when the newest evidence behind the score is 24 months old or more" in body
    assert 'id="thin-and-stale"' in body and 'id="same-period-why"' in body
