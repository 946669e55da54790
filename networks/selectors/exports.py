"""Exporting the network as FtM JSON lines and as node and edge CSV files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.db.models import QuerySet

from indicators.models import Country
from networks import ftm
from networks.models import Actor, Relationship
from networks.selectors.graph import live_ends

# ------------------------------------------------------------------------------------------------------------------
# Exports


def _scope_querysets(country: Country | None) -> tuple[QuerySet[Actor], QuerySet[Relationship]]:
    """The actors and relationships an export holds: withdrawn records stay (marked), but a tie reaching a withdrawn
    actor is left out, so a withdrawn actor is never pulled in as the far end of one."""
    relationships = Relationship.objects.filter(live_ends())
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


def _provenance_cells(record) -> list:
    """The columns every actor and relationship row ends with: countries, confidence, validity, state, sources."""
    return [
        " ".join(sorted(c.iso3 for c in record.countries.all())),
        record.confidence,
        record.valid_from or "",
        record.valid_to or "",
        record.withdrawn,
        record.version,
        " | ".join(record.sources),
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
            *_provenance_cells(actor),
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
            *_provenance_cells(rel),
        ]
        for rel in relationships.iterator(chunk_size=2000)
    )
    return _csv(rows, EDGE_COLUMNS)
