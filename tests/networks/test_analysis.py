"""The analysis core on small graphs checked by hand: no database."""

import pytest

from networks import analysis


def _graph(pairs, kinds=None):
    names = sorted({end for pair in pairs for end in pair})
    nodes = [{"id": name, "name": name, "kind": "person", "countries": ["QAA"]} for name in names]
    edges = [
        {"id": index, "source": a, "target": b, "kind": (kinds or {}).get((a, b), "associate")}
        for index, (a, b) in enumerate(pairs)
    ]
    return nodes, edges


# Two triangles joined through B: A3 - B - C1 is the only way from one to the other.
TWO_TRIANGLES = [
    ("A1", "A2"),
    ("A2", "A3"),
    ("A1", "A3"),
    ("A3", "B"),
    ("B", "C1"),
    ("C1", "C2"),
    ("C2", "C3"),
    ("C1", "C3"),
]


ENGINES = pytest.mark.parametrize("engine", ["networkx", "igraph"])


@ENGINES
def test_the_actor_joining_two_groups_is_the_top_broker(engine):
    """B, the only link between two triangles, ranks first by betweenness and is listed as a broker (both engines)."""
    nodes, edges = _graph(TWO_TRIANGLES)
    results = analysis.analyse(nodes, edges, home_iso3="GBR", engine=engine)
    assert results["betweenness"][0]["id"] == "B"
    assert {item["id"] for item in results["brokers"]} == {"A3", "B", "C1"}
    assert results["brokers"][0]["id"] == "B"
    assert results["bridges"] == [["A3", "B"], ["B", "C1"]]


@ENGINES
def test_two_triangles_form_two_communities(engine):
    """Louvain finds the two triangles, each with one of the bridge's ends (both engines)."""
    nodes, edges = _graph(TWO_TRIANGLES)
    results = analysis.analyse(nodes, edges, home_iso3="GBR", engine=engine)
    metrics = results["metrics"]
    assert metrics["A1"][2] == metrics["A2"][2] == metrics["A3"][2]
    assert metrics["C1"][2] == metrics["C2"][2] == metrics["C3"][2]
    assert metrics["A1"][2] != metrics["C1"][2]


def test_sanctioned_actors_are_left_out_of_the_unsanctioned_central_ranking():
    """With B sanctioned, the most central unsanctioned actors are the bridge's ends."""
    nodes, edges = _graph(TWO_TRIANGLES)
    for node in nodes:
        node["sanctioned"] = node["id"] == "B"
    results = analysis.analyse(nodes, edges, home_iso3="GBR")
    ranked = [item["id"] for item in results["unsanctioned_central"]]
    assert "B" not in ranked
    assert set(ranked[:2]) == {"A3", "C1"}


def test_chain_of_command_lists_superiors_nearest_first_and_subordinates():
    """A brigade commanded by a division (itself under a general) and by a colonel, over one battalion."""
    edges = [("General", "Division"), ("Division", "Brigade"), ("Colonel", "Brigade"), ("Brigade", "Battalion")]
    chain = analysis.command_chain(edges, "Brigade")
    assert chain["above"] == [["Colonel", "Division"], ["General"]]
    assert chain["below"] == [["Battalion"]]


def test_chain_of_command_survives_a_cycle_in_bad_data():
    """A command loop in the data ends the walk instead of running forever."""
    chain = analysis.command_chain([("A", "B"), ("B", "A")], "A")
    assert chain == {"above": [["B"]], "below": [["B"]]}


def test_shortest_path_crosses_the_broker():
    """From one triangle to the other the shortest chain runs through A3, B and C1."""
    nodes, edges = _graph(TWO_TRIANGLES)
    assert analysis.shortest_path(nodes, edges, "A1", "C2") == ["A1", "A3", "B", "C1", "C2"]


def test_shortest_path_is_none_between_unconnected_actors():
    """Two separate pairs have no chain between them."""
    nodes, edges = _graph([("A", "B"), ("C", "D")])
    assert analysis.shortest_path(nodes, edges, "A", "D") is None


def test_exposure_lists_home_actors_and_those_tied_to_them_by_money_or_goods():
    """A home company supplying a unit exposes both; a family tie to it does not count."""
    nodes = [
        {"id": 1, "name": "Home Co", "kind": "company", "countries": ["GBR", "QAA"], "sanctioned": False},
        {"id": 2, "name": "Unit", "kind": "security_unit", "countries": ["QAA"], "sanctioned": True},
        {"id": 3, "name": "Cousin", "kind": "person", "countries": ["QAA"]},
    ]
    edges = [
        {"id": 1, "source": 1, "target": 2, "kind": "supply"},
        {"id": 2, "source": 3, "target": 1, "kind": "family"},
    ]
    found = {item["id"]: item for item in analysis.exposure(nodes, edges, home_iso3="GBR")}
    assert set(found) == {1, 2}
    assert found[1]["ties"] == ["based or registered in GBR"]
    assert found[2]["ties"] == ["supplies or contracts with Home Co (GBR)"]
    assert found[2]["sanctioned"] is True and found[2]["sanctioned_home"] is False


def test_both_engines_give_the_same_centralities():
    """igraph (large graphs) and networkx (small ones) agree on degree and exact betweenness."""
    nodes, edges = _graph(TWO_TRIANGLES + [("C3", "D1"), ("D1", "D2")])
    by_networkx = analysis.analyse(nodes, edges, home_iso3="GBR", engine="networkx")
    by_igraph = analysis.analyse(nodes, edges, home_iso3="GBR", engine="igraph")
    assert by_igraph["betweenness"] == by_networkx["betweenness"]
    assert by_igraph["degree"] == by_networkx["degree"]
    assert by_igraph["bridges"] == by_networkx["bridges"]
    assert {item["id"]: item["splits_into"] for item in by_igraph["brokers"]} == {
        item["id"]: item["splits_into"] for item in by_networkx["brokers"]
    }
