"""The network API: actors, relationships and a country's graph, with the same roles, desks and tokens."""

import pytest
from django.urls import reverse

from networks.models import Actor, ActorVersion

pytestmark = pytest.mark.django_db

# Measured with five actors and seven relationships (token, user, count, page, prefetch); an N+1 adds five or more.
QUERIES_LIST = 5
QUERIES_GRAPH = 10


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
def test_every_role_lists_actors_and_relationships(persona_clients, persona, imported_network):
    """Any role reads the network through the API; the list filters by country."""
    client = persona_clients[persona]
    actors = client.get("/api/v1/actors/", {"country": "QAA"})
    assert actors.status_code == 200
    assert actors.json()["count"] == 5
    relationships = client.get("/api/v1/relationships/", {"kind": "command"})
    assert relationships.status_code == 200
    assert {item["ftm_id"] for item in relationships.json()["results"]} == {"cmd-1", "cmd-2"}


def test_anonymous_and_roleless_clients_are_refused(persona_clients, imported_network):
    """No token: 401; a token of an account without role: 403."""
    assert persona_clients["anonymous"].get("/api/v1/actors/").status_code == 401
    assert persona_clients["nobody"].get("/api/v1/actors/").status_code == 403


def test_actor_detail_has_its_ftm_properties_and_history(persona_clients, imported_network):
    """One actor answers with its FtM properties and every version."""
    general = Actor.objects.get(ftm_id="general")
    body = persona_clients["victor"].get(f"/api/v1/actors/{general.pk}/").json()
    assert body["properties"]["name"] == ["Gen. Test"]
    assert [version["version"] for version in body["history"]] == [1]
    assert body["history"][0]["dataset_import"] == imported_network.pk


def test_the_desk_analyst_records_a_new_version_and_another_desk_is_refused(persona_clients, imported_network):
    """Alice's PATCH adds version 2; Bob's answers 403 and adds nothing."""
    general = Actor.objects.get(ftm_id="general")
    body = {"name": "Gen. Test II", "kind": "person", "countries": ["QAA"], "sources": ["Cable"], "confidence": "low"}
    refused = persona_clients["bob"].patch(f"/api/v1/actors/{general.pk}/", body, format="json")
    assert refused.status_code == 403
    saved = persona_clients["alice"].patch(f"/api/v1/actors/{general.pk}/", body, format="json")
    assert saved.status_code == 200, saved.json()
    assert [version["name"] for version in saved.json()["history"]] == ["Gen. Test II", "Gen. Test"]
    assert ActorVersion.objects.filter(actor=general).count() == 2


def test_the_viewer_cannot_create_an_actor(persona_clients, country_a):
    """Writes are for desk analysts and administrators."""
    body = {"name": "X", "kind": "person", "countries": ["QAA"], "sources": ["s"], "confidence": "low"}
    assert persona_clients["victor"].post("/api/v1/actors/", body, format="json").status_code == 403
    created = persona_clients["alice"].post("/api/v1/actors/", body, format="json")
    assert created.status_code == 201
    assert created.json()["ftm_schema"] == "Person"


def test_a_relationship_to_a_missing_actor_is_a_400(persona_clients, imported_network):
    """The error names the field."""
    general = Actor.objects.get(ftm_id="general")
    body = {"kind": "associate", "source": general.pk, "target": 999999, "sources": ["s"], "confidence": "low"}
    answer = persona_clients["alice"].post("/api/v1/relationships/", body, format="json")
    assert answer.status_code == 400
    assert "target" in answer.json()["error"]["fields"]


def test_country_graph_has_nodes_edges_and_sanction_flags(persona_clients, imported_network):
    """The graph lists actors as nodes, ties as edges, and marks the sanctioned general (by our jurisdiction)."""
    body = persona_clients["victor"].get(reverse("country-network", args=["QAA"])).json()
    assert len(body["nodes"]) == 5
    assert len(body["edges"]) == 6
    general = next(node for node in body["nodes"] if node["name"] == "Gen. Test")
    assert general["sanctioned"] is True and general["sanctioned_home"] is True


def test_country_graph_on_a_date_leaves_out_ties_not_yet_or_no_longer_valid(persona_clients, imported_network):
    """On 2018-06-01 the general's command (from 2019) and the colonel's (2020-2022) are not yet there."""
    body = persona_clients["victor"].get(reverse("country-network", args=["QAA"]), {"on": "2018-06-01"}).json()
    kinds = sorted(edge["kind"] for edge in body["edges"])
    assert "command" not in kinds
    later = persona_clients["victor"].get(reverse("country-network", args=["QAA"]), {"on": "2021-06-01"}).json()
    assert sorted(edge["kind"] for edge in later["edges"]).count("command") == 2


def test_country_graph_of_an_unknown_country_is_a_404_and_a_bad_date_a_400(persona_clients, country_a):
    """Documented errors, in the shared error shape."""
    assert persona_clients["victor"].get("/api/v1/countries/ZZZ/network/").status_code == 404
    bad = persona_clients["victor"].get("/api/v1/countries/QAA/network/", {"on": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["on"]


def test_the_schema_documents_the_network_endpoints(persona_clients):
    """The OpenAPI schema lists the three network operations with their 400 and 404 answers."""
    schema = persona_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    graph = schema["paths"]["/api/v1/countries/{iso3}/network/"]["get"]
    assert {"200", "400", "404"} <= set(graph["responses"])
    assert "/api/v1/actors/{id}/" in schema["paths"]
    assert "/api/v1/relationships/" in schema["paths"]


def test_lists_and_the_graph_ask_the_database_a_fixed_number_of_times(
    persona_clients, imported_network, django_assert_max_num_queries
):
    """Actor and relationship lists and the country graph do not grow in queries with the number of rows."""
    client = persona_clients["victor"]
    client.get("/api/v1/actors/")  # token and session look-ups warm
    with django_assert_max_num_queries(QUERIES_LIST):
        assert client.get("/api/v1/actors/", {"page_size": 100}).status_code == 200
    with django_assert_max_num_queries(QUERIES_LIST):
        assert client.get("/api/v1/relationships/", {"page_size": 100}).status_code == 200
    with django_assert_max_num_queries(QUERIES_GRAPH):
        assert client.get(reverse("country-network", args=["QAA"])).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/actors/", "/api/v1/relationships/"])
@pytest.mark.parametrize("value", ["5e-324", "null", "maybe"])
def test_a_withdrawn_filter_that_is_not_a_boolean_is_refused(persona_clients, imported_network, path, value):
    """withdrawn=<not a boolean> answers 400 instead of being ignored, as every other boolean filter does."""
    assert persona_clients["victor"].get(path, {"withdrawn": value}).status_code == 400
    assert persona_clients["victor"].get(path, {"withdrawn": "true"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/actors/{id}/", "/api/v1/relationships/{id}/"])
def test_a_new_version_documents_the_whole_state_as_required(persona_clients, path):
    """PATCH takes the whole new state, so the schema documents the body POST documents, not an all-optional one."""
    schema = persona_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"][path.replace("{id}/", "")]["post"]["requestBody"]
    patch = schema["paths"][path]["patch"]["requestBody"]
    assert patch["required"] is True
    assert patch["content"]["application/json"]["schema"] == create["content"]["application/json"]["schema"]
