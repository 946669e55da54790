"""Reads of the actor network: a country's graph, actor profiles, history, exports and workflow links."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Max, Q, QuerySet

from alerts.models import Escalation, ResponseAction, Tool
from core.roles import can_view_escalation
from indicators.models import Country
from networks import analysis, ftm
from networks.models import (
    Actor,
    ActorVersion,
    AnalysisRun,
    EscalationActor,
    Relationship,
    RelationshipKind,
    RelationshipVersion,
    SanctionTarget,
)


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


def actors_list(*, country: Country | None = None, kind: str = "", query: str = "") -> QuerySet[Actor]:
    queryset = Actor.objects.prefetch_related("countries").order_by("name", "pk")
    if country is not None:
        queryset = queryset.filter(countries=country)
    if kind:
        queryset = queryset.filter(kind=kind)
    if query:
        queryset = queryset.filter(name__icontains=query)
    return queryset


def relationships_list(*, country: Country | None = None, kind: str = "") -> QuerySet[Relationship]:
    queryset = Relationship.objects.select_related("source", "target").prefetch_related("countries").order_by("pk")
    if country is not None:
        queryset = queryset.filter(countries=country)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def actor_relationships(*, actor: Actor) -> list[Relationship]:
    return list(
        Relationship.objects.filter(Q(source=actor) | Q(target=actor))
        .select_related("source", "target")
        .order_by("kind", "valid_from", "pk")
    )


def actor_timeline(*, actor: Actor) -> list[dict]:
    """Every recorded version of the actor and of its relationships, newest first."""
    entries = [
        {
            "at": version.recorded_at,
            "what": "actor",
            "version": version,
            "by": version.author,
            "via": version.dataset_import,
        }
        for version in ActorVersion.objects.filter(actor=actor).select_related("author", "dataset_import")
    ]
    related = RelationshipVersion.objects.filter(Q(source=actor) | Q(target=actor)).select_related(
        "author", "dataset_import", "source", "target", "relationship"
    )
    entries += [
        {
            "at": version.recorded_at,
            "what": "relationship",
            "version": version,
            "by": version.author,
            "via": version.dataset_import,
        }
        for version in related
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def actor_escalations(*, actor: Actor, user) -> list[EscalationActor]:
    links = EscalationActor.objects.filter(actor=actor).select_related("escalation__country", "added_by")
    return [
        link
        for link in links
        if can_view_escalation(
            user,
            country=link.escalation.country,
            created_by_id=link.escalation.created_by_id,
            state=link.escalation.state,
        )
    ]


def actor_sanction_targets(*, actor: Actor) -> list[SanctionTarget]:
    return list(SanctionTarget.objects.filter(actor=actor).select_related("action__country", "added_by"))


def escalation_actors(*, escalation: Escalation) -> list[EscalationActor]:
    return list(EscalationActor.objects.filter(escalation=escalation).select_related("actor", "added_by"))


def action_targets(*, action: ResponseAction) -> list[SanctionTarget]:
    return list(SanctionTarget.objects.filter(action=action).select_related("actor", "added_by"))


def escalations_linkable(*, actor: Actor, user) -> list[Escalation]:
    """Open escalations of the actor's countries that the user may read (and so name actors in)."""
    countries = list(actor.countries.all())
    escalations = Escalation.objects.filter(country__in=countries).exclude(state=Escalation.State.CLOSED)
    return [
        escalation
        for escalation in escalations.select_related("country").order_by("-created_at")[:50]
        if can_view_escalation(
            user, country=escalation.country, created_by_id=escalation.created_by_id, state=escalation.state
        )
    ]


def sanctions_actions_linkable(*, actor: Actor) -> list[ResponseAction]:
    return list(
        ResponseAction.objects.filter(
            tool=Tool.TARGETED_SANCTIONS, country__in=actor.countries.all(), status__in=ResponseAction.OPEN_STATUSES
        )
        .select_related("country")
        .order_by("due_on", "pk")
    )


def actor_position(*, actor: Actor) -> dict:
    """Where an actor sits in the network of each of its countries, from the current analysis if one exists."""
    positions = []
    for country in actor.countries.all():
        run = analysis_run_current(country=country)
        if run is None or run.status != AnalysisRun.Status.SUCCEEDED:
            positions.append({"country": country, "run": run, "metrics": None})
            continue
        metrics = run.results.get("metrics", {}).get(str(actor.pk))
        ranked = [item["id"] for item in run.results.get("betweenness", [])]
        brokers = {item["id"] for item in run.results.get("brokers", [])}
        positions.append(
            {
                "country": country,
                "run": run,
                "metrics": metrics,
                "betweenness_rank": ranked.index(actor.pk) + 1 if actor.pk in ranked else None,
                "is_broker": actor.pk in brokers,
                "size": run.actors_count,
            }
        )
    return {"positions": positions}


def network_summary(*, country: Country) -> dict:
    """Size of a country's network and its newest changes, for the country page."""
    actors, relationships = graph_size(country=country)
    newest = list(
        ActorVersion.objects.filter(actor__countries=country)
        .select_related("actor", "author")
        .order_by("-recorded_at", "-id")[:5]
    )
    newest_relationships = list(
        RelationshipVersion.objects.filter(relationship__countries=country)
        .select_related("source", "target", "author")
        .order_by("-recorded_at", "-id")[:5]
    )
    changes = sorted(
        [{"at": v.recorded_at, "actor_version": v} for v in newest]
        + [{"at": v.recorded_at, "relationship_version": v} for v in newest_relationships],
        key=lambda entry: entry["at"],
        reverse=True,
    )[:5]
    return {"actors": actors, "relationships": relationships, "changes": changes}


# ------------------------------------------------------------------------------------------------------------------
# Exports


def _scope_querysets(country: Country | None) -> tuple[QuerySet[Actor], QuerySet[Relationship]]:
    relationships = Relationship.objects.all()
    if country is not None:
        relationships = relationships.filter(countries=country)
        actor_ids = set(Actor.objects.filter(countries=country).values_list("id", flat=True))
        for source, target in relationships.values_list("source_id", "target_id"):
            actor_ids.add(source)
            if target:
                actor_ids.add(target)
        actors = Actor.objects.filter(id__in=actor_ids)
    else:
        actors = Actor.objects.all()
    return (
        actors.prefetch_related("countries").order_by("pk"),
        relationships.select_related("source", "target").prefetch_related("countries").order_by("pk"),
    )


def export_ftm_lines(*, country: Country | None) -> Iterator[str]:
    """The network (a country's, or all) as FtM JSON lines: actors first, then relationships."""
    actors, relationships = _scope_querysets(country)
    for actor in actors.iterator(chunk_size=2000):
        entity = ftm.actor_entity(
            ftm_id=actor.ftm_id,
            schema=actor.ftm_schema,
            properties=actor.properties,
            kind=actor.kind,
            country_codes=sorted(c.iso3 for c in actor.countries.all()),
            sources=actor.sources,
            confidence=actor.confidence,
            valid_from=actor.valid_from,
            valid_to=actor.valid_to,
            withdrawn=actor.withdrawn,
            version=actor.version,
            updated_at=actor.updated_at.isoformat(),
        )
        yield json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n"
    emitted_contracts: set[str] = set()
    for relationship in relationships.iterator(chunk_size=2000):
        properties = dict(relationship.properties)
        contract = properties.pop("_contract", None)
        if contract is not None and contract["id"] in emitted_contracts:
            contract = None
        entities = ftm.relationship_entities(
            ftm_id=relationship.ftm_id,
            schema=relationship.ftm_schema,
            properties=properties,
            kind=relationship.kind,
            contract=contract,
            country_codes=sorted(c.iso3 for c in relationship.countries.all()),
            sources=relationship.sources,
            confidence=relationship.confidence,
            valid_from=relationship.valid_from,
            valid_to=relationship.valid_to,
            withdrawn=relationship.withdrawn,
            version=relationship.version,
            updated_at=relationship.updated_at.isoformat(),
        )
        if contract is not None:
            emitted_contracts.add(contract["id"])
        for entity in entities:
            yield json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n"


def _csv_cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(rows: Iterator[list], header: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_cell(value) for value in row])
        yield buffer.getvalue()


NODE_COLUMNS = [
    "id",
    "ftm_id",
    "name",
    "kind",
    "ftm_schema",
    "countries",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
    "version",
    "sources",
]
EDGE_COLUMNS = [
    "id",
    "ftm_id",
    "kind",
    "ftm_schema",
    "source_id",
    "source_ftm_id",
    "source_name",
    "target_id",
    "target_ftm_id",
    "target_name",
    "label",
    "countries",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
    "version",
    "sources",
]


def export_nodes_csv(*, country: Country | None) -> Iterator[str]:
    actors, _relationships = _scope_querysets(country)
    rows = (
        [
            actor.pk,
            actor.ftm_id,
            actor.name,
            actor.kind,
            actor.ftm_schema,
            " ".join(sorted(c.iso3 for c in actor.countries.all())),
            actor.confidence,
            actor.valid_from or "",
            actor.valid_to or "",
            actor.withdrawn,
            actor.version,
            " | ".join(actor.sources),
        ]
        for actor in actors.iterator(chunk_size=2000)
    )
    return _csv(rows, NODE_COLUMNS)


def export_edges_csv(*, country: Country | None) -> Iterator[str]:
    _actors, relationships = _scope_querysets(country)
    rows = (
        [
            rel.pk,
            rel.ftm_id,
            rel.kind,
            rel.ftm_schema,
            rel.source_id,
            rel.source.ftm_id,
            rel.source.name,
            rel.target_id or "",
            rel.target.ftm_id if rel.target else "",
            rel.target.name if rel.target else "",
            rel.label,
            " ".join(sorted(c.iso3 for c in rel.countries.all())),
            rel.confidence,
            rel.valid_from or "",
            rel.valid_to or "",
            rel.withdrawn,
            rel.version,
            " | ".join(rel.sources),
        ]
        for rel in relationships.iterator(chunk_size=2000)
    )
    return _csv(rows, EDGE_COLUMNS)


def _position_text(actor: Actor, country: Country) -> str:
    run = analysis_run_current(country=country)
    if run is None or run.status != AnalysisRun.Status.SUCCEEDED:
        return "not analysed since the last change; open the country's network"
    ranked = [item["id"] for item in run.results.get("betweenness", [])]
    brokers = {item["id"] for item in run.results.get("brokers", [])}
    metrics = run.results.get("metrics", {}).get(str(actor.pk))
    if metrics is None:
        return "not in this country's network"
    parts = [f"betweenness {metrics[1]:.3f}, degree {metrics[0]:.3f}"]
    if actor.pk in ranked:
        parts.append(f"rank {ranked.index(actor.pk) + 1} of {run.actors_count} by betweenness")
    if actor.pk in brokers:
        parts.append("a broker: its removal splits the network")
    return "; ".join(parts)


def escalation_sanction_targets(*, escalation: Escalation) -> list[dict]:
    """The target actors of the escalation's targeted-sanctions actions, with their network position and whether
    they are already sanctioned (by us, or by others)."""
    targets = SanctionTarget.objects.filter(action__escalation=escalation).select_related("actor", "action__country")
    home_ftm = ftm.iso3_to_ftm_country(settings.NETWORK_HOME_JURISDICTION)
    rows = []
    for target in targets:
        designations = list(
            Relationship.objects.filter(source=target.actor, kind=RelationshipKind.SANCTION, withdrawn=False)
        )
        by_home = any(home_ftm in designation.properties.get("country", []) for designation in designations)
        sanctioned = (
            f"Yes, by {settings.NETWORK_HOME_JURISDICTION}"
            if by_home
            else ("By others: " + "; ".join(d.label for d in designations) if designations else "No")
        )
        rows.append(
            {
                "actor": target.actor,
                "actor_id": target.actor_id,
                "position": _position_text(target.actor, target.action.country),
                "sanctioned": sanctioned,
            }
        )
    return rows
