"""The network as a graph: its version and size, the elements for display and analysis, the graph as of a date,
the current analysis run, command chains and shortest paths."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, QuerySet

from indicators.models import Country
from networks import analysis, ftm
from networks.models import Actor, ActorVersion, AnalysisRun, Relationship, RelationshipKind, RelationshipVersion

SIZE_CACHE_SECONDS = 24 * 3600


def graph_version() -> str:
    """Changes whenever any actor or relationship changes: versions are append-only, so their newest ids say it."""
    actor = ActorVersion.objects.aggregate(newest=Max("id"))["newest"] or 0
    relationship = RelationshipVersion.objects.aggregate(newest=Max("id"))["newest"] or 0
    return f"a{actor}-r{relationship}"


def live_ends() -> Q:
    """Relationships both of whose ends stand: a withdrawn actor leaves the graph with every tie that reaches it."""
    return Q(source__withdrawn=False) & (Q(target__isnull=True) | Q(target__withdrawn=False))


def _relationships_in(country: Country | None) -> QuerySet[Relationship]:
    queryset = Relationship.objects.filter(withdrawn=False)
    if country is not None:
        queryset = queryset.filter(countries=country)
    return queryset


def graph_size(*, country: Country | None, version: str | None = None) -> tuple[int, int]:
    """(actors, relationships) of a country's network (or the whole graph), sanctions included among relationships;
    counted once per graph version and then read from the cache, so a page view never counts every relationship."""
    version = version or graph_version()
    key = f"networks:size:{country.iso3 if country else 'all'}:{version}"
    size = cache.get(key)
    if size is None:
        relationships = _relationships_in(country).filter(live_ends())
        actors = Actor.objects.filter(withdrawn=False)
        if country is not None:
            ends = Q(id__in=relationships.values("source_id")) | Q(id__in=relationships.values("target_id"))
            actors = actors.filter(Q(id__in=country.network_actors.values("id")) | ends)
        size = (actors.count(), relationships.count())
        cache.set(key, size, timeout=SIZE_CACHE_SECONDS)
    return tuple(size)


def _sanction_flags(sanctions: list[tuple], home_iso3: str) -> dict[int, dict]:
    """Per actor id: the authorities that sanction it and whether our own jurisdiction does."""
    home_ftm = ftm.iso3_to_ftm_country(home_iso3)
    flags: dict[int, dict] = {}
    for actor_id, properties, label in sanctions:
        flag = flags.setdefault(actor_id, {"authorities": [], "home": False})
        flag["authorities"].append(label or "unnamed authority")
        if home_ftm and home_ftm in properties.get("country", []):
            flag["home"] = True
    return flags


ACTOR_FIELDS = ("id", "name", "kind", "valid_from", "valid_to")
EDGE_FIELDS = ("id", "kind", "source_id", "target_id", "label", "valid_from", "valid_to")


def _actor_rows(country: Country | None, rows: list[tuple]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The actors of the graph, their country codes and the sanction designations that mark them."""
    through = Actor.countries.through
    sanctions = Relationship.objects.filter(kind=RelationshipKind.SANCTION, withdrawn=False).order_by()
    if country is None:
        actor_rows = list(Actor.objects.filter(withdrawn=False).order_by().values_list(*ACTOR_FIELDS))
        code_rows = list(through.objects.values_list("actor_id", "country__iso3"))
        sanction_rows = list(sanctions.values_list("source_id", "properties", "label"))
        return actor_rows, code_rows, sanction_rows
    own = Actor.objects.filter(withdrawn=False, countries=country).order_by()
    actor_rows = list(own.values_list(*ACTOR_FIELDS))
    known = {row[0] for row in actor_rows}
    outside = {end for row in rows for end in (row[2], row[3]) if end is not None and end not in known}
    actor_rows += list(Actor.objects.filter(id__in=outside).order_by().values_list(*ACTOR_FIELDS))
    own_ids = through.objects.filter(country=country).values("actor_id")
    code_rows = list(through.objects.filter(actor_id__in=own_ids).values_list("actor_id", "country__iso3"))
    code_rows += list(through.objects.filter(actor_id__in=outside).values_list("actor_id", "country__iso3"))
    # Sanctions recorded under any country count: an actor is sanctioned whoever recorded the designation.
    sanction_rows = list(sanctions.filter(source_id__in=own_ids).values_list("source_id", "properties", "label"))
    sanction_rows += list(sanctions.filter(source_id__in=outside).values_list("source_id", "properties", "label"))
    return actor_rows, code_rows, sanction_rows


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building tens of thousands of small dicts sets off the cyclic collector again and again, each pass walking the
    whole heap of a Django process for cycles these dicts never form; pausing it for the build halves its time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def graph_elements(*, country: Country | None) -> dict:
    """Nodes and edges of a country's network (or the whole graph) with dates (as dates) and sanction flags, for the
    page, the API and the analysis. Sanction designations mark actors rather than becoming edges; a tie reaching a
    withdrawn actor is left out with it.

    The country's own actors are read through joins and only the few outside ends of its ties by id, so no query
    carries thousands of parameters."""
    with _collector_paused():
        return _graph_elements(country)


def _graph_elements(country: Country | None) -> dict:
    # Withdrawals are rare, so one small query and a set test beat joining both ends of every relationship.
    withdrawn = set(Actor.objects.filter(withdrawn=True).values_list("id", flat=True))
    rows = [
        row
        for row in _relationships_in(country).order_by("id").values_list(*EDGE_FIELDS)
        if row[2] not in withdrawn and row[3] not in withdrawn
    ]
    actor_rows, code_rows, sanction_rows = _actor_rows(country, rows)
    countries: dict[int, list[str]] = {}
    for actor_id, iso3 in code_rows:
        countries.setdefault(actor_id, []).append(iso3)
    flags = _sanction_flags(sanction_rows, settings.NETWORK_HOME_JURISDICTION)
    no_flag: dict = {"authorities": [], "home": False}
    nodes = []
    for actor_id, name, kind, valid_from, valid_to in sorted(actor_rows):
        flag = flags.get(actor_id, no_flag)
        nodes.append(
            {
                "id": actor_id,
                "name": name,
                "kind": kind,
                "countries": sorted(countries.get(actor_id, ())),
                "valid_from": valid_from,
                "valid_to": valid_to,
                "sanctioned": flag is not no_flag,
                "sanctioned_home": flag["home"],
                "sanctioned_by": flag["authorities"],
            }
        )
    sanction = RelationshipKind.SANCTION.value  # a plain str compares faster than the enum member, 20,000 times
    edges = [
        {
            "id": rel_id,
            "kind": kind,
            "source": source,
            "target": target,
            "label": label,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        for rel_id, kind, source, target, label, valid_from, valid_to in rows
        if kind != sanction
    ]
    return {"nodes": nodes, "edges": edges}


def graph_for_analysis(*, country: Country | None) -> dict:
    return graph_elements(country=country)


def _active_on(item: dict, on: dt.date | None) -> bool:
    if on is None:
        return True
    return (item["valid_from"] is None or item["valid_from"] <= on) and (
        item["valid_to"] is None or item["valid_to"] >= on
    )


def graph_as_of(elements: dict, on: dt.date | None) -> dict:
    """The network as it stood on a date: actors and ties valid that day (undated ones always count)."""
    nodes = [node for node in elements["nodes"] if _active_on(node, on)]
    kept = {node["id"] for node in nodes}
    edges = [
        edge for edge in elements["edges"] if _active_on(edge, on) and edge["source"] in kept and edge["target"] in kept
    ]
    return {"nodes": nodes, "edges": edges}


def analysis_run_current(*, country: Country | None) -> AnalysisRun | None:
    """The newest run made on the current graph version, if any."""
    return AnalysisRun.objects.filter(country=country, graph_version=graph_version()).order_by("-created_at").first()


def command_chain(*, actor: Actor, on: dt.date | None = None) -> dict:
    """Superiors and subordinates of an actor through command ties valid on the date, level by level, as actors."""
    rows = Relationship.objects.filter(live_ends(), kind=RelationshipKind.COMMAND, withdrawn=False)
    if on is not None:
        rows = rows.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    pairs = list(rows.values_list("source_id", "target_id"))
    chain = analysis.command_chain(pairs, actor.pk)
    wanted = {node for levels in chain.values() for level in levels for node in level}
    actors = Actor.objects.in_bulk(list(wanted))
    return {direction: [[actors[node] for node in level] for level in levels] for direction, levels in chain.items()}


def shortest_path(*, source: Actor, target: Actor) -> list[dict] | None:
    """The chain of actors and ties linking two actors through the whole graph; None when unconnected."""
    elements = graph_elements(country=None)
    path = analysis.shortest_path(elements["nodes"], elements["edges"], source.pk, target.pk)
    if path is None:
        return None
    actors = Actor.objects.in_bulk(path)
    pairs = {frozenset((edge["source"], edge["target"])): edge for edge in elements["edges"]}
    steps = []
    for index, node in enumerate(path):
        tie = pairs.get(frozenset((path[index - 1], node))) if index else None
        steps.append({"actor": actors[node], "tie": tie})
    return steps
