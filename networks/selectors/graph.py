"""The network as a graph: its version and size, the elements for display and analysis, the graph as of a date,
the current analysis run, command chains and shortest paths."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from indicators.models import Country
from networks import analysis, ftm
from networks.models import Actor, ActorVersion, AnalysisRun, Relationship, RelationshipKind, RelationshipVersion


def graph_version() -> str:
    """Changes whenever any actor or relationship changes: versions are append-only, so their newest ids say it."""
    actor = ActorVersion.objects.aggregate(newest=Max("id"))["newest"] or 0
    relationship = RelationshipVersion.objects.aggregate(newest=Max("id"))["newest"] or 0
    return f"a{actor}-r{relationship}"


def _relationships_in(country: Country | None) -> QuerySet[Relationship]:
    queryset = Relationship.objects.filter(withdrawn=False)
    if country is not None:
        queryset = queryset.filter(countries=country)
    return queryset


def _actor_ids_in(country: Country | None, relationship_rows: list[tuple]) -> set[int]:
    queryset = Actor.objects.filter(withdrawn=False)
    if country is not None:
        queryset = queryset.filter(countries=country)
    ids = set(queryset.values_list("id", flat=True))
    for _id, _kind, source, target, *_rest in relationship_rows:
        ids.add(source)
        if target is not None:
            ids.add(target)
    return ids


def graph_size(*, country: Country | None) -> tuple[int, int]:
    """(actors, relationships) of a country's network (or the whole graph), sanctions included among relationships."""
    rows = list(_relationships_in(country).values_list("id", "kind", "source_id", "target_id"))
    return len(_actor_ids_in(country, rows)), len(rows)


def _country_codes(model_through, field: str, ids: set[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    rows = model_through.objects.filter(**{f"{field}_id__in": ids}).values_list(f"{field}_id", "country__iso3")
    for owner, iso3 in rows.iterator(chunk_size=5000):
        codes.setdefault(owner, []).append(iso3)
    return codes


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


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def graph_elements(*, country: Country | None) -> dict:
    """Nodes and edges of a country's network (or the whole graph) with dates and sanction flags, for the page, the
    API and the analysis. Sanction designations mark actors rather than becoming edges.

    The country's own actors are read through joins and only the few outside ends of its ties by id, so no query
    carries thousands of parameters."""
    rows = list(
        _relationships_in(country)
        .order_by("id")
        .values_list("id", "kind", "source_id", "target_id", "label", "valid_from", "valid_to")
    )
    actor_fields = ("id", "name", "kind", "valid_from", "valid_to")
    through = Actor.countries.through
    sanctions = Relationship.objects.filter(kind=RelationshipKind.SANCTION, withdrawn=False).order_by()
    if country is None:
        actor_rows = list(Actor.objects.filter(withdrawn=False).order_by().values_list(*actor_fields))
        code_rows = list(through.objects.values_list("actor_id", "country__iso3"))
        sanction_rows = list(sanctions.values_list("source_id", "properties", "label"))
    else:
        own = Actor.objects.filter(withdrawn=False, countries=country).order_by()
        actor_rows = list(own.values_list(*actor_fields))
        known = {row[0] for row in actor_rows}
        outside = {end for row in rows for end in (row[2], row[3]) if end is not None and end not in known}
        actor_rows += list(Actor.objects.filter(id__in=outside).order_by().values_list(*actor_fields))
        own_ids = through.objects.filter(country=country).values("actor_id")
        code_rows = list(through.objects.filter(actor_id__in=own_ids).values_list("actor_id", "country__iso3"))
        code_rows += list(through.objects.filter(actor_id__in=outside).values_list("actor_id", "country__iso3"))
        # Sanctions recorded under any country count: an actor is sanctioned whoever recorded the designation.
        sanction_rows = list(sanctions.filter(source_id__in=own_ids).values_list("source_id", "properties", "label"))
        sanction_rows += list(sanctions.filter(source_id__in=outside).values_list("source_id", "properties", "label"))
    countries: dict[int, list[str]] = {}
    for actor_id, iso3 in code_rows:
        countries.setdefault(actor_id, []).append(iso3)
    flags = _sanction_flags(sanction_rows, settings.NETWORK_HOME_JURISDICTION)
    no_flag: dict = {"authorities": [], "home": False}
    nodes = [
        {
            "id": actor_id,
            "name": name,
            "kind": kind,
            "countries": sorted(countries.get(actor_id, ())),
            "valid_from": _iso(valid_from),
            "valid_to": _iso(valid_to),
            "sanctioned": actor_id in flags,
            "sanctioned_home": flags.get(actor_id, no_flag)["home"],
            "sanctioned_by": flags.get(actor_id, no_flag)["authorities"],
        }
        for actor_id, name, kind, valid_from, valid_to in sorted(actor_rows)
    ]
    edges = [
        {
            "id": rel_id,
            "kind": kind,
            "source": source,
            "target": target,
            "label": label,
            "valid_from": _iso(valid_from),
            "valid_to": _iso(valid_to),
        }
        for rel_id, kind, source, target, label, valid_from, valid_to in rows
        if kind != RelationshipKind.SANCTION
    ]
    return {"nodes": nodes, "edges": edges}


def graph_for_analysis(*, country: Country | None) -> dict:
    return graph_elements(country=country)


def _active_on(item: dict, on: dt.date | None) -> bool:
    if on is None:
        return True
    text = on.isoformat()
    return (item["valid_from"] is None or item["valid_from"] <= text) and (
        item["valid_to"] is None or item["valid_to"] >= text
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
    rows = Relationship.objects.filter(kind=RelationshipKind.COMMAND, withdrawn=False)
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
