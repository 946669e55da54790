"""Network analysis on plain rows (no ORM): centrality, brokers, communities, chains of command, shortest paths and
exposure to our own jurisdiction.

Nodes are dicts with at least id, name, kind, countries (ISO-3), sanctioned (bool) and sanctioned_home (bool); edges
are dicts with id, source, target and kind. Sanction designations are not edges: they mark their actor sanctioned.
"""

from __future__ import annotations

import random
from collections import deque

import igraph
import networkx as nx

TOP = 25
# networkx up to this many actors (exact, pure Python, the reference the tests check by hand); igraph above, where
# its C core computes the same measures an order of magnitude faster. Tests hold the two engines to the same answers.
IGRAPH_MIN_NODES = 3000
# Exact betweenness visits every node from every node (O(n*m)); above this size it is estimated from a sample of
# pivot nodes (Brandes and Pich), which keeps the ranking of the clear brokers at a fraction of the cost.
EXACT_BETWEENNESS_MAX_NODES = 3000
BETWEENNESS_PIVOTS = 64
# Louvain finds better communities; label propagation is near-linear and takes over on very large graphs.
LOUVAIN_MAX_EDGES = 60_000
SEED = 20_240_601
# Ties that carry money, goods or control: a neighbour in our jurisdiction through one of these is exposure.
EXPOSURE_KINDS = {
    "ownership",
    "payment",
    "supply",
    "directorship",
    "employment",
    "membership",
    "command",
    "unknown_link",
}
KIND_PHRASES = {
    "ownership": "ownership",
    "payment": "payments",
    "supply": "supplies or contracts",
    "directorship": "a directorship",
    "employment": "employment",
    "membership": "membership",
    "command": "command",
    "unknown_link": "a link",
}


def undirected_graph(nodes: list[dict], edges: list[dict]) -> nx.Graph:
    """A simple undirected graph of every tie (parallel ties between two actors count once)."""
    graph = nx.Graph()
    graph.add_nodes_from(node["id"] for node in nodes)
    graph.add_edges_from((edge["source"], edge["target"]) for edge in edges if edge["target"] is not None)
    return graph


def betweenness(graph: nx.Graph) -> tuple[dict, str]:
    n = graph.number_of_nodes()
    if n <= EXACT_BETWEENNESS_MAX_NODES:
        return nx.betweenness_centrality(graph, normalized=True), "exact"
    pivots = min(BETWEENNESS_PIVOTS, n)
    values = nx.betweenness_centrality(graph, k=pivots, normalized=True, seed=SEED)
    return values, f"estimated from {pivots} pivot actors"


def communities(graph: nx.Graph) -> tuple[list[set], str]:
    if graph.number_of_edges() <= LOUVAIN_MAX_EDGES:
        found = nx.community.louvain_communities(graph, seed=SEED)
        method = "Louvain modularity"
    else:
        found = list(nx.community.label_propagation_communities(graph))
        method = "label propagation"
    return sorted(found, key=lambda members: (-len(members), min(members))), method


def brokers(graph: nx.Graph, between: dict) -> tuple[list[dict], list[tuple]]:
    """Articulation points (actors whose removal splits a component) ranked by betweenness, with how many pieces
    their removal leaves (the biconnected blocks they belong to), and the bridge ties."""
    blocks: dict = {}
    for block in nx.biconnected_components(graph):
        for node in block:
            blocks[node] = blocks.get(node, 0) + 1
    points = [
        {"id": node, "betweenness": between.get(node, 0.0), "splits_into": blocks.get(node, 2)}
        for node in nx.articulation_points(graph)
    ]
    points.sort(key=lambda item: (-item["betweenness"], str(item["id"])))
    bridges = sorted(tuple(sorted(pair, key=str)) for pair in nx.bridges(graph))
    return points, bridges


def _rank(values: dict, *, top: int = TOP, keep=None) -> list[dict]:
    items = [(node, value) for node, value in values.items() if keep is None or keep(node)]
    items.sort(key=lambda item: (-item[1], str(item[0])))
    return [{"id": node, "value": round(value, 6)} for node, value in items[:top]]


def exposure(nodes: list[dict], edges: list[dict], *, home_iso3: str) -> list[dict]:
    """Actors tied to our jurisdiction: based or registered there, or tied by money, goods or control to one that is;
    with whether each is already sanctioned (by anyone, and by us)."""
    by_id = {node["id"]: node for node in nodes}
    home = {node["id"] for node in nodes if home_iso3 in node.get("countries", ())}
    ties: dict[object, list[str]] = {node_id: [f"based or registered in {home_iso3}"] for node_id in home}
    for edge in edges:
        if edge["target"] is None or edge["kind"] not in EXPOSURE_KINDS:
            continue
        for this, other in ((edge["source"], edge["target"]), (edge["target"], edge["source"])):
            if other in home and this not in home and this in by_id:
                phrase = KIND_PHRASES[edge["kind"]]
                ties.setdefault(this, []).append(f"{phrase} with {by_id[other]['name']} ({home_iso3})")
    found = []
    for node_id, reasons in ties.items():
        node = by_id[node_id]
        found.append(
            {
                "id": node_id,
                "ties": sorted(set(reasons)),
                "sanctioned": bool(node.get("sanctioned")),
                "sanctioned_home": bool(node.get("sanctioned_home")),
            }
        )
    found.sort(key=lambda item: (item["sanctioned_home"], item["sanctioned"], str(by_id[item["id"]]["name"])))
    return found


def _results(
    *,
    nodes: list[dict],
    edges: list[dict],
    home_iso3: str,
    top: int,
    degree: dict,
    between: dict,
    between_method: str,
    found: list[set],
    community_method: str,
    points: list[dict],
    bridges: list[tuple],
    components: int,
    engine: str,
) -> dict:
    community_of = {node: index for index, members in enumerate(found) for node in members}
    sanctioned = {node["id"] for node in nodes if node.get("sanctioned")}
    # "High centrality": the top of the betweenness ranking, or of degree where nothing brokers (a star or clique).
    central = between if any(between.values()) else degree
    return {
        "method": {
            "engine": engine,
            "betweenness": between_method,
            "communities": community_method,
            "home_jurisdiction": home_iso3,
        },
        "components": components,
        "degree": _rank(degree, top=top),
        "betweenness": _rank(between, top=top),
        "brokers": points[:top],
        "brokers_total": len(points),
        "bridges": [list(pair) for pair in bridges[:top]],
        "bridges_total": len(bridges),
        "communities": [
            {
                "index": index,
                "size": len(members),
                "leading": [item["id"] for item in _rank({m: degree.get(m, 0.0) for m in members}, top=5)],
            }
            for index, members in enumerate(found[:top])
        ],
        "communities_total": len(found),
        "unsanctioned_central": _rank(central, top=top, keep=lambda node: node not in sanctioned),
        "exposure": exposure(nodes, edges, home_iso3=home_iso3)[: top * 4],
        "metrics": {
            str(node): [round(degree.get(node, 0.0), 6), round(between.get(node, 0.0), 6), community_of.get(node)]
            for node in degree
        },
    }


def _analyse_networkx(nodes: list[dict], edges: list[dict]) -> dict:
    graph = undirected_graph(nodes, edges)
    degree = nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else {n: 0.0 for n in graph}
    between, between_method = betweenness(graph)
    found, community_method = communities(graph)
    points, bridges = brokers(graph, between)
    components = nx.number_connected_components(graph) if graph.number_of_nodes() else 0
    return {
        "degree": degree,
        "between": between,
        "between_method": between_method,
        "found": found,
        "community_method": community_method,
        "points": points,
        "bridges": bridges,
        "components": components,
    }


def _analyse_igraph(nodes: list[dict], edges: list[dict]) -> dict:
    ids = [node["id"] for node in nodes]
    index = {node_id: position for position, node_id in enumerate(ids)}
    pairs = [(index[e["source"]], index[e["target"]]) for e in edges if e["target"] is not None]
    graph = igraph.Graph(n=len(ids), edges=pairs).simplify()
    n = graph.vcount()
    scale_degree = 1 / (n - 1) if n > 1 else 0.0
    degree = {ids[v]: d * scale_degree for v, d in enumerate(graph.degree())}
    # Same normalisation as networkx for an undirected graph: each pair once, over (n-1)(n-2)/2 pairs.
    scale = 2 / ((n - 1) * (n - 2)) if n > 2 else 0.0
    if n <= EXACT_BETWEENNESS_MAX_NODES:
        raw = graph.betweenness(directed=False)
        between_method = "exact"
    else:
        pivots = random.Random(SEED).sample(range(n), min(BETWEENNESS_PIVOTS * 4, n))
        raw = [value * n / len(pivots) for value in graph.betweenness(sources=pivots, directed=False)]
        between_method = f"estimated from {len(pivots)} pivot actors"
    between = {ids[v]: value * scale for v, value in enumerate(raw)}
    clustering = graph.community_multilevel()
    found = sorted(
        ({ids[v] for v in members} for members in clustering), key=lambda members: (-len(members), min(members))
    )
    blocks: dict = {}
    for block in graph.biconnected_components():
        for v in block:
            blocks[ids[v]] = blocks.get(ids[v], 0) + 1
    points = [
        {"id": ids[v], "betweenness": between[ids[v]], "splits_into": blocks.get(ids[v], 2)}
        for v in graph.articulation_points()
    ]
    points.sort(key=lambda item: (-item["betweenness"], str(item["id"])))
    bridges = sorted(
        tuple(sorted((ids[graph.es[e].source], ids[graph.es[e].target]), key=str)) for e in graph.bridges()
    )
    return {
        "degree": degree,
        "between": between,
        "between_method": between_method,
        "found": found,
        "community_method": "Louvain modularity (multilevel)",
        "points": points,
        "bridges": bridges,
        "components": len(graph.connected_components()) if n else 0,
    }


def analyse(nodes: list[dict], edges: list[dict], *, home_iso3: str, top: int = TOP, engine: str | None = None) -> dict:
    """Every ranked figure the network page shows, plus per-actor metrics for the graph and the actor pages."""
    engine = engine or ("igraph" if len(nodes) >= IGRAPH_MIN_NODES else "networkx")
    measured = _analyse_igraph(nodes, edges) if engine == "igraph" else _analyse_networkx(nodes, edges)
    return _results(nodes=nodes, edges=edges, home_iso3=home_iso3, top=top, engine=engine, **measured)


def command_chain(command_edges: list[tuple], actor_id) -> dict:
    """The chain of command above an actor (its superiors, nearest first) and below it (its subordinates), level by
    level. Edges are (superior, subordinate) pairs: a commander over a unit, a unit over a sub-unit."""
    superiors: dict[object, list] = {}
    subordinates: dict[object, list] = {}
    for superior, subordinate in command_edges:
        subordinates.setdefault(superior, []).append(subordinate)
        superiors.setdefault(subordinate, []).append(superior)
    return {"above": _levels(superiors, actor_id), "below": _levels(subordinates, actor_id)}


def _levels(links: dict, start) -> list[list]:
    levels: list[list] = []
    seen = {start}
    frontier = deque([start])
    while frontier:
        following = []
        for _ in range(len(frontier)):
            node = frontier.popleft()
            for neighbour in links.get(node, ()):
                if neighbour not in seen:
                    seen.add(neighbour)
                    following.append(neighbour)
        if not following:
            break
        levels.append(sorted(following, key=str))
        frontier.extend(following)
    return levels


def shortest_path(nodes: list[dict], edges: list[dict], source, target) -> list | None:
    """The actors on a shortest chain of ties between two actors, both included; None when they are not connected."""
    graph = undirected_graph(nodes, edges)
    if source not in graph or target not in graph:
        return None
    try:
        return nx.shortest_path(graph, source, target)
    except nx.NetworkXNoPath:
        return None
