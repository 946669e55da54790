"""Writing a resolved FollowTheMoney import: new versions in bulk, unchanged records skipped, and the import's
summary and status saved."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from indicators.models import Country, DatasetImport
from networks import ftm
from networks.models import Actor, ActorVersion, Relationship, RelationshipVersion
from networks.services.audit import import_audit
from networks.services.common import BATCH_SIZE, MAX_STORED_ERRORS
from networks.services.import_resolve import _Resolved
from networks.services.records import _with_contract, version_append


@dataclass
class FtmOutcome:
    parsed: ftm.FtmParse
    summary: dict
    line: str
    changed: int


def _actor_values(record: ftm.ActorRecord) -> dict:
    return {
        "kind": record.kind,
        "ftm_schema": record.schema,
        "name": record.name,
        "properties": record.properties,
        "sources": record.provenance.sources,
        "confidence": record.provenance.confidence,
        "valid_from": record.provenance.valid_from,
        "valid_to": record.provenance.valid_to,
        "withdrawn": record.provenance.withdrawn,
    }


def _relationship_values(record: ftm.RelationshipRecord, actors: dict[str, Actor]) -> dict:
    return {
        "kind": record.kind,
        "ftm_schema": record.schema,
        "source_id": actors[record.source_id].pk,
        "target_id": actors[record.target_id].pk if record.target_id else None,
        "label": record.label,
        "properties": _with_contract(record.properties, record.contract),
        "sources": record.provenance.sources,
        "confidence": record.provenance.confidence,
        "valid_from": record.provenance.valid_from,
        "valid_to": record.provenance.valid_to,
        "withdrawn": record.provenance.withdrawn,
    }


def _unchanged(head, values: dict, countries: list[Country]) -> bool:
    same_values = all(getattr(head, key) == value for key, value in values.items())
    return same_values and sorted(c.pk for c in head.countries.all()) == sorted(c.pk for c in countries)


def _write(dataset_import: DatasetImport, parsed: ftm.FtmParse, resolved: _Resolved, progress) -> FtmOutcome:
    """Everything in one transaction: new records in bulk, each changed one as a new version."""
    counts = {"unchanged": 0}
    touched: set[int] = set()
    with transaction.atomic():
        actors = _write_actors(dataset_import, parsed, resolved, counts, touched)
        if progress:
            progress(70, 100, "writing")
        _write_relationships(dataset_import, parsed, resolved, actors, counts, touched)
        line = _outcome_line(parsed, counts)
        import_audit(dataset_import=dataset_import, country_ids=touched, line=line)
    unchanged = counts.pop("unchanged")
    summary = {**(dataset_import.summary or {}), **parsed.summary(), **counts, "unchanged": unchanged}
    if progress:
        progress(100, 100, "done")
    return FtmOutcome(parsed=parsed, summary=summary, line=line, changed=sum(counts.values()))


def _outcome_line(parsed: ftm.FtmParse, counts: dict) -> str:
    unchanged = counts["unchanged"]
    line = (
        f"Created {counts['actors_created']} actor{pluralize(counts['actors_created'])} and "
        f"{counts['relationships_created']} relationship{pluralize(counts['relationships_created'])}; updated "
        f"{counts['actors_updated'] + counts['relationships_updated']} (each a new version); "
        f"{unchanged} unchanged."
    )
    if parsed.unsupported:
        total = sum(parsed.unsupported.values())
        line += f" {total} entit{pluralize(total, 'y,ies')} of unsupported schemata not imported (listed below)."
    return line


def _write_actors(
    dataset_import: DatasetImport, parsed: ftm.FtmParse, resolved: _Resolved, counts: dict, touched: set[int]
) -> dict:
    """Write the actors; `touched` gathers the ids of the countries whose network changed."""
    now = timezone.now()
    actors = dict(resolved.existing_actors)
    new_actors: list[tuple[Actor, ftm.ActorRecord]] = []
    counts["actors_updated"] = 0
    for record in parsed.actors:
        values = _actor_values(record)
        countries = resolved.actor_countries[record.ftm_id]
        existing = actors.get(record.ftm_id)
        if existing is None:
            new_actors.append((Actor(ftm_id=record.ftm_id, version=1, updated_at=now, **values), record))
        elif _unchanged(existing, values, countries):
            counts["unchanged"] += 1
            continue
        else:
            version_append(existing, values, countries, author=None, dataset_import=dataset_import, note="")
            counts["actors_updated"] += 1
        touched.update(country.pk for country in countries)
    Actor.objects.bulk_create([actor for actor, _ in new_actors], batch_size=BATCH_SIZE)
    # Some databases give bulk-created rows no primary key back; read them again by their FtM ids.
    actors.update(Actor.objects.in_bulk([record.ftm_id for _, record in new_actors], field_name="ftm_id"))
    _bulk_versions_and_countries(
        ActorVersion,
        "actor",
        [
            (actors[record.ftm_id], _actor_values(record), resolved.actor_countries[record.ftm_id])
            for _, record in new_actors
        ],
        Actor.countries.through,
        dataset_import,
    )
    counts["actors_created"] = len(new_actors)
    return actors


def _write_relationships(
    dataset_import: DatasetImport,
    parsed: ftm.FtmParse,
    resolved: _Resolved,
    actors: dict,
    counts: dict,
    touched: set[int],
) -> None:
    now = timezone.now()
    new_relationships: list[ftm.RelationshipRecord] = []
    heads: list[Relationship] = []
    counts["relationships_updated"] = 0
    for record in parsed.relationships:
        values = _relationship_values(record, actors)
        countries = resolved.relationship_countries[record.ftm_id]
        existing = resolved.existing_relationships.get(record.ftm_id)
        if existing is None:
            new_relationships.append(record)
            heads.append(Relationship(ftm_id=record.ftm_id, version=1, updated_at=now, **values))
        elif _unchanged(existing, values, countries):
            counts["unchanged"] += 1
            continue
        else:
            version_append(existing, values, countries, author=None, dataset_import=dataset_import, note="")
            counts["relationships_updated"] += 1
        touched.update(country.pk for country in countries)
    Relationship.objects.bulk_create(heads, batch_size=BATCH_SIZE)
    created = Relationship.objects.in_bulk([record.ftm_id for record in new_relationships], field_name="ftm_id")
    _bulk_versions_and_countries(
        RelationshipVersion,
        "relationship",
        [
            (
                created[record.ftm_id],
                _relationship_values(record, actors),
                resolved.relationship_countries[record.ftm_id],
            )
            for record in new_relationships
        ],
        Relationship.countries.through,
        dataset_import,
    )
    counts["relationships_created"] = len(new_relationships)


def _bulk_versions_and_countries(version_model, field: str, rows, through, dataset_import) -> None:
    versions = []
    links = []
    for head, values, countries in rows:
        versions.append(
            version_model(
                **{field: head},
                version=1,
                country_codes=[country.iso3 for country in countries],
                dataset_import=dataset_import,
                **values,
            )
        )
        links.extend(through(**{f"{field}_id": head.pk, "country_id": country.pk}) for country in countries)
    version_model.objects.bulk_create(versions, batch_size=BATCH_SIZE)
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)


def _fail(dataset_import: DatasetImport, parsed: ftm.FtmParse) -> DatasetImport:
    errors = sorted(parsed.errors, key=lambda error: error.line or 0)
    first = errors[0] if errors else None
    line = f"{len(errors)} problem{pluralize(len(errors))} found; nothing was imported."
    if first is not None:
        line += f" First: {first}."
    summary = {**(dataset_import.summary or {}), **parsed.summary()}
    _save(dataset_import, status=DatasetImport.Status.FAILED, parsed=parsed, summary=summary, line=line)
    return dataset_import


def _save(dataset_import: DatasetImport, *, status: str, parsed: ftm.FtmParse, summary: dict, line: str) -> None:
    errors = sorted(parsed.errors, key=lambda error: error.line or 0)
    stored = [error.as_dict() for error in errors[:MAX_STORED_ERRORS]]
    dataset_import.status = status
    dataset_import.rows_read = parsed.lines_read
    dataset_import.rows_created = 0
    dataset_import.rows_skipped = 0
    dataset_import.errors = stored
    dataset_import.error_summary = line
    dataset_import.summary = summary
    dataset_import.progress = 100
    dataset_import.finished_at = timezone.now()
    dataset_import.save()
