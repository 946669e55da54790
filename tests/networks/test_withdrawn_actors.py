"""A withdrawn actor leaves the network with every tie that reaches it: graph, tables, exports and API."""

import pytest
from django.urls import reverse

from networks.models import Actor, Relationship
from networks.services import actor_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def militia_withdrawn(imported_network, alice):
    """Alice withdraws the militia (a member tie from the general, a payment from the trader reach it)."""
    militia = Actor.objects.get(ftm_id="militia")
    return actor_record(
        user=alice,
        actor=militia,
        kind=militia.kind,
        name=militia.name,
        country_codes=["QAA"],
        sources=militia.sources,
        confidence=militia.confidence,
        withdrawn=True,
        note="Misidentified: merged into another record",
    )


def test_the_graph_has_no_tie_to_a_withdrawn_actor(client, victor, militia_withdrawn):
    """The country graph shows neither the withdrawn militia nor the member and payment ties that reached it."""
    client.force_login(victor)
    graph = client.get(reverse("country-network", args=["QAA"])).json()
    ids = {node["id"] for node in graph["nodes"]}
    assert militia_withdrawn.pk not in ids
    ends = {end for edge in graph["edges"] for end in (edge["source"], edge["target"])}
    assert militia_withdrawn.pk not in ends
    assert ends <= ids
    assert {edge["kind"] for edge in graph["edges"]} >= {"command"}


def test_the_network_size_leaves_the_withdrawn_actor_and_its_ties_out(client, victor, militia_withdrawn):
    """The page's count says four actors, not five, and no longer counts the militia's two ties."""
    client.force_login(victor)
    before = Relationship.objects.filter(withdrawn=False, countries__iso3="QAA").count()
    page = client.get(reverse("networks:country_network", args=["QAA"]))
    assert b"4 actors and " in page.content
    assert f"{before - 2} relationships".encode() in page.content


def test_an_actor_page_lists_no_tie_to_a_withdrawn_actor(client, victor, militia_withdrawn):
    """The general's relationships table and chain finder no longer name the militia; its history still does."""
    client.force_login(victor)
    general = Actor.objects.get(ftm_id="general")
    text = client.get(reverse("networks:actor_detail", args=[general.pk])).content.decode()
    ties = text[text.index('id="ties-heading"') : text.index('id="chain-heading"')]
    finder = text[text.index('id="path-heading"') : text.index('id="timeline-heading"')]
    assert "Gen. Test" in text and "1st Test Brigade" in ties
    assert "Test Militia" not in ties
    assert "Test Militia" not in finder
    assert "Test Militia" in text[text.index('id="timeline-heading"') :]


def test_exports_leave_out_ties_to_a_withdrawn_actor(client, victor, militia_withdrawn):
    """The edges CSV and the FtM lines of the country hold no tie to the militia."""
    client.force_login(victor)
    edges = b"".join(client.get(reverse("networks:country_export", args=["QAA", "edges"])).streaming_content)
    assert b"Test Militia" not in edges
    assert b"mem-1" not in edges and b"pay-1" not in edges
    lines = b"".join(client.get(reverse("networks:country_export", args=["QAA", "ftm"])).streaming_content)
    assert b'"mem-1"' not in lines and b'"pay-1"' not in lines


def test_the_api_lists_ties_to_a_withdrawn_actor_only_when_asked_for_withdrawn_records(
    persona_clients, militia_withdrawn
):
    """/api/v1/relationships/ hides the militia's ties, unless withdrawn=true asks for withdrawn records."""
    client = persona_clients["victor"]
    listed = {row["ftm_id"] for row in client.get("/api/v1/relationships/", {"page_size": 100}).json()["results"]}
    assert "cmd-1" in listed
    assert not {"mem-1", "pay-1"} & listed
    live = {
        row["ftm_id"]
        for row in client.get("/api/v1/relationships/", {"withdrawn": "false", "page_size": 100}).json()["results"]
    }
    assert live == listed
    withdrawn = {
        row["ftm_id"]
        for row in client.get("/api/v1/relationships/", {"withdrawn": "true", "page_size": 100}).json()["results"]
    }
    assert {"mem-1", "pay-1"} <= withdrawn
    assert "cmd-1" not in withdrawn
