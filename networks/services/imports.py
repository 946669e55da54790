"""Every write to the actor network: recording actors and relationships (a new version each time), importing
FollowTheMoney files, linking actors to escalations and sanctions actions, and running the analysis."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from alerts.models import Escalation, ResponseAction, Tool
from core.roles import Role, can_administer, can_edit_network, can_link_actors, has_role
from core.services import outbox_enqueue
from indicators.models import Confidence, Country, DatasetImport
from networks import ftm
from networks.models import (
    Actor,
    ActorKind,
    ActorVersion,
    AnalysisRun,
    EscalationActor,
    Relationship,
    RelationshipKind,
    RelationshipVersion,
    SanctionTarget,
)

logger = logging.getLogger(__name__)

FTM_SOURCE = "ftm"
FTM_MAPPING_VERSION = "ftm-1"
MAX_STORED_ERRORS = 2000
BATCH_SIZE = 2000
UPLOAD_DIR_NAME = "imports"

Progress = Callable[[int, int, str], None]

ACTOR_FIELDS = (
    "kind",
    "ftm_schema",
    "name",
    "properties",
    "sources",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
)
RELATIONSHIP_FIELDS = (
    "kind",
    "ftm_schema",
    "source_id",
    "target_id",
    "label",
    "properties",
    "sources",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
)


# ------------------------------------------------------------------------------------------------------------------
# Recording actors and relationships


def _countries(codes: Iterable[str]) -> list[Country]:
    codes = sorted({code.strip().upper() for code in codes if code and code.strip()})
    found = Country.objects.select_related("desk").in_bulk(codes, field_name="iso3")
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError({"countries": f"Unknown country code: {', '.join(missing)}."})
    return [found[code] for code in codes]


def _check_edit(user, countries: list[Country], *, what: str) -> None:
    if not countries:
        raise ValidationError({"countries": f"A {what} must concern at least one country."})
    if not can_edit_network(user, countries):
        names = ", ".join(country.name for country in countries)
        raise PermissionDenied(f"Only analysts of the desk for {names} (or administrators) edit this {what}.")


def _check_dates(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": "The end of validity is before its start."})


def _clean_sources(sources: Iterable[str]) -> list[str]:
    cleaned = [source.strip()[:500] for source in sources if source and source.strip()]
    if not cleaned:
        raise ValidationError({"sources": "Name at least one source."})
    return cleaned


def actor_record(
    *,
    user,
    actor: Actor | None = None,
    kind: str,
    name: str,
    country_codes: Iterable[str],
    sources: Iterable[str],
    confidence: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    withdrawn: bool = False,
    note: str = "",
    extra_properties: dict | None = None,
) -> Actor:
    """Create an actor or record a new version of it; analysts of a desk owning one of its countries only."""
    if kind not in ActorKind.values:
        raise ValidationError({"kind": f"Unknown actor kind {kind!r}."})
    if confidence not in Confidence.values:
        raise ValidationError({"confidence": "Confidence must be low, medium or high."})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "An actor needs a name."})
    countries = _countries(country_codes)
    _check_edit(user, countries, what="actor")
    if actor is not None:
        _check_edit(user, list(actor.countries.select_related("desk")), what="actor")
    _check_dates(valid_from, valid_to)
    schema = ftm.KIND_SCHEMA[kind]
    if actor is not None and ftm.KIND_SCHEMA[actor.kind] == schema:
        schema = actor.ftm_schema
    previous = actor.properties if actor is not None and actor.ftm_schema == schema else {}
    properties = ftm.actor_properties(
        schema=schema,
        previous=previous,
        name=name[:300],
        country_codes=[country.iso3 for country in countries],
        extra=extra_properties,
    )
    values = {
        "kind": kind,
        "ftm_schema": schema,
        "name": name[:300],
        "properties": properties,
        "sources": _clean_sources(sources),
        "confidence": confidence,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "withdrawn": withdrawn,
    }
    with transaction.atomic():
        if actor is None:
            actor = Actor(ftm_id=f"aw-{uuid.uuid4().hex}", **values, updated_at=timezone.now(), updated_by=user)
            actor.version = 0
        return _actor_append(actor, values, countries, author=user, dataset_import=None, note=note)


def _actor_append(actor: Actor, values: dict, countries: list[Country], *, author, dataset_import, note: str) -> Actor:
    """Append a version and bring the head up to it (the head is a cache of the newest version)."""
    for key, value in values.items():
        setattr(actor, key, value)
    actor.version = (actor.version or 0) + 1
    actor.updated_at = timezone.now()
    actor.updated_by = author
    actor.save()
    actor.countries.set(countries)
    ActorVersion.objects.create(
        actor=actor,
        version=actor.version,
        country_codes=[country.iso3 for country in countries],
        note=note,
        author=author,
        dataset_import=dataset_import,
        **values,
    )
    return actor


def relationship_record(
    *,
    user,
    relationship: Relationship | None = None,
    kind: str,
    source: Actor,
    target: Actor | None,
    label: str = "",
    sources: Iterable[str],
    confidence: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    withdrawn: bool = False,
    note: str = "",
    extra_properties: dict | None = None,
    country_codes: Iterable[str] | None = None,
) -> Relationship:
    """Create a relationship or record a new version of it. Its countries default to both ends' countries."""
    target = _relationship_check(
        relationship=relationship, kind=kind, confidence=confidence, source=source, target=target
    )
    _check_dates(valid_from, valid_to)
    schema = ftm.KIND_EDGE_SCHEMA[kind]
    countries = _countries(_relationship_codes(source, target, country_codes))
    _check_edit(user, countries, what="relationship")
    if relationship is not None:
        _check_edit(user, list(relationship.countries.select_related("desk")), what="relationship")
    previous = relationship.properties if relationship is not None and relationship.ftm_schema == schema else {}
    ftm_id = relationship.ftm_id if relationship is not None else f"aw-{uuid.uuid4().hex}"
    schema, properties = ftm.relationship_properties(
        kind=kind,
        previous=previous,
        source_id=source.ftm_id,
        target_id=target.ftm_id if target else None,
        valid_from=valid_from,
        valid_to=valid_to,
        label=label.strip(),
        extra=extra_properties,
    )
    contract = None
    if kind == RelationshipKind.SUPPLY:
        previous_contract = (relationship.properties.get("_contract") if relationship else None) or None
        contract = ftm.contract_for_supply(
            ftm_id=ftm_id, buyer_id=target.ftm_id, title=label.strip(), previous=previous_contract
        )
        properties = ftm.clean_properties("ContractAward", {**properties, "contract": [contract["id"]]})
    values = {
        "kind": kind,
        "ftm_schema": schema,
        "source_id": source.pk,
        "target_id": target.pk if target else None,
        "label": ftm.relationship_label(schema, properties, contract) or label.strip()[:300],
        "properties": _with_contract(properties, contract),
        "sources": _clean_sources(sources),
        "confidence": confidence,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "withdrawn": withdrawn,
    }
    with transaction.atomic():
        if relationship is None:
            relationship = Relationship(ftm_id=ftm_id, **values, updated_at=timezone.now(), updated_by=user)
            relationship.version = 0
        return _relationship_append(relationship, values, countries, author=user, dataset_import=None, note=note)


def _relationship_check(
    *, relationship: Relationship | None, kind: str, confidence: str, source: Actor, target: Actor | None
) -> Actor | None:
    """Refuse an impossible relationship; returns its target (none for a sanction designation)."""
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": f"Unknown relationship kind {kind!r}."})
    if confidence not in Confidence.values:
        raise ValidationError({"confidence": "Confidence must be low, medium or high."})
    if kind == RelationshipKind.SANCTION:
        target = None
    elif target is None:
        raise ValidationError({"target": "Name the other actor of the relationship."})
    elif target.pk == source.pk:
        raise ValidationError({"target": "A relationship joins two different actors."})
    changes_nature = relationship is not None and relationship.kind != kind
    if changes_nature and RelationshipKind.SANCTION in (kind, relationship.kind):
        raise ValidationError({"kind": "A sanction designation cannot become a tie between two actors, or back."})
    problem = ftm.endpoint_error(ftm.KIND_EDGE_SCHEMA[kind], source.ftm_schema, target.ftm_schema if target else None)
    if problem:
        raise ValidationError({"target": problem[0].upper() + problem[1:] + "."})
    return target


def _relationship_codes(source: Actor, target: Actor | None, country_codes: Iterable[str] | None) -> set[str]:
    if country_codes is not None:
        return set(country_codes)
    codes = {country.iso3 for country in source.countries.all()}
    if target is not None:
        codes |= {country.iso3 for country in target.countries.all()}
    return codes


def _with_contract(properties: dict, contract: dict | None) -> dict:
    """A supply relationship keeps its FtM Contract beside the award's properties (under a key FtM never uses)."""
    return {**properties, "_contract": contract} if contract is not None else properties


def _relationship_append(
    relationship: Relationship, values: dict, countries: list[Country], *, author, dataset_import, note: str
) -> Relationship:
    for key, value in values.items():
        setattr(relationship, key, value)
    relationship.version = (relationship.version or 0) + 1
    relationship.updated_at = timezone.now()
    relationship.updated_by = author
    relationship.save()
    relationship.countries.set(countries)
    RelationshipVersion.objects.create(
        relationship=relationship,
        version=relationship.version,
        country_codes=[country.iso3 for country in countries],
        note=note,
        author=author,
        dataset_import=dataset_import,
        **values,
    )
    return relationship


# ------------------------------------------------------------------------------------------------------------------
# FollowTheMoney import


def ftm_import_permission_check(*, user) -> None:
    """Analysts (for their desk's countries) and administrators import FtM files."""
    if user is None or can_administer(user) or has_role(user, Role.ANALYST):
        return
    raise PermissionDenied("Only analysts and administrators import actor networks.")


def _read_input(path_or_file: str | Path | IO[bytes]) -> tuple[bytes, str]:
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        if not path.is_file():
            raise ValidationError({"file": f"No file at {path}."})
        return path.read_bytes(), path.name
    if hasattr(path_or_file, "seek"):
        path_or_file.seek(0)
    raw = path_or_file.read()
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return raw, Path(getattr(path_or_file, "name", "") or "upload.ftm.json").name


def _duplicate(checksum: str) -> DatasetImport | None:
    return (
        DatasetImport.objects.filter(checksum=checksum, status=DatasetImport.Status.SUCCEEDED)
        .order_by("created_at")
        .first()
    )


def ftm_import_run(
    *,
    path_or_file: str | Path | IO[bytes],
    started_by=None,
    default_country: str = "",
    progress: Progress | None = None,
) -> DatasetImport:
    """Import an FtM JSON-lines file now, all or nothing; the same bytes imported before create nothing (the earlier
    import is returned with `reused` set)."""
    ftm_import_permission_check(user=started_by)
    raw, file_name = _read_input(path_or_file)
    checksum = hashlib.sha256(raw).hexdigest()
    earlier = _duplicate(checksum)
    if earlier is not None:
        earlier.reused = True
        return earlier
    dataset_import = DatasetImport.objects.create(
        source=FTM_SOURCE,
        file_name=file_name,
        checksum=checksum,
        mapping_version=FTM_MAPPING_VERSION,
        started_by=started_by,
        file_path=str(path_or_file) if isinstance(path_or_file, str | Path) else "",
        summary={"default_country": default_country.strip().upper()},
    )
    return ftm_import_execute(dataset_import=dataset_import, raw=raw, progress=progress)


def ftm_import_enqueue(*, path_or_file: IO[bytes], started_by, default_country: str = "") -> tuple[DatasetImport, bool]:
    """Keep an uploaded file under VAR_DIR/imports and queue its import; (import, queued)."""
    ftm_import_permission_check(user=started_by)
    raw, file_name = _read_input(path_or_file)
    limit = settings.ASSESSMENT_UPLOAD_MAX_BYTES
    if len(raw) > limit:
        raise ValidationError({"file": f"The file is larger than {limit // (1024 * 1024)} MB; split it."})
    checksum = hashlib.sha256(raw).hexdigest()
    earlier = _duplicate(checksum) or (
        DatasetImport.objects.filter(
            checksum=checksum, status__in=[DatasetImport.Status.QUEUED, DatasetImport.Status.RUNNING]
        ).first()
    )
    if earlier is not None:
        return earlier, False
    upload_dir = Path(settings.VAR_DIR) / UPLOAD_DIR_NAME
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = upload_dir / f"{uuid.uuid4().hex}.ftm.json"
    stored.write_bytes(raw)
    with transaction.atomic():
        dataset_import = DatasetImport.objects.create(
            source=FTM_SOURCE,
            file_name=file_name,
            checksum=checksum,
            mapping_version=FTM_MAPPING_VERSION,
            started_by=started_by,
            file_path=str(stored),
            summary={"default_country": default_country.strip().upper()},
        )
        outbox_enqueue("networks.tasks.ftm_import_task", kwargs={"dataset_import_id": dataset_import.pk})
    return dataset_import, True


@dataclass
class _Resolved:
    actor_countries: dict[str, list[Country]]
    relationship_countries: dict[str, list[Country]]
    existing_actors: dict[str, Actor]
    existing_relationships: dict[str, Relationship]


def ftm_import_execute(
    *, dataset_import: DatasetImport, raw: bytes | None = None, progress: Progress | None = None
) -> DatasetImport:
    """Parse, check against the database and the importer's desks, then write everything in one transaction."""
    earlier = _duplicate(dataset_import.checksum)
    if earlier is not None and earlier.pk != dataset_import.pk:
        dataset_import.status = DatasetImport.Status.SUCCEEDED
        dataset_import.summary = {"duplicate_of": earlier.pk}
        dataset_import.error_summary = f"This file was already imported as import #{earlier.pk}; nothing new."
        dataset_import.progress = 100
        dataset_import.finished_at = timezone.now()
        dataset_import.save()
        return dataset_import
    DatasetImport.objects.filter(pk=dataset_import.pk).update(
        status=DatasetImport.Status.RUNNING, started_at=timezone.now(), progress=5
    )
    try:
        if raw is None:
            raw = Path(dataset_import.file_path).read_bytes()
        outcome = ftm_import_apply(dataset_import=dataset_import, raw=raw, progress=progress)
    except FtmImportRefused as refused:
        return _fail(dataset_import, refused.parsed)
    except Exception as exc:
        parsed = ftm.FtmParse(errors=[ftm.LineError(None, f"the import stopped: {exc}")])
        _fail(dataset_import, parsed)
        raise
    _save(
        dataset_import,
        status=DatasetImport.Status.SUCCEEDED,
        parsed=outcome.parsed,
        summary=outcome.summary,
        line=outcome.line,
    )
    dataset_import.rows_created = outcome.changed
    dataset_import.save(update_fields=["rows_created"])
    return dataset_import


class FtmImportRefused(Exception):
    """The file has problems (each named by line); nothing was written."""

    def __init__(self, parsed: ftm.FtmParse):
        super().__init__(f"{len(parsed.errors)} problems")
        self.parsed = parsed


@dataclass
class FtmOutcome:
    parsed: ftm.FtmParse
    summary: dict
    line: str
    changed: int


def ftm_import_apply(*, dataset_import: DatasetImport, raw: bytes, progress: Progress | None = None) -> FtmOutcome:
    """Parse, check against the database and the importer's desks, then write everything in one transaction; raise
    FtmImportRefused (nothing written) when any line has a problem."""
    parsed = ftm.parse_ftm_lines(raw)
    if progress:
        progress(40, 100, "validating")
    resolved = _resolve(parsed, dataset_import)
    if parsed.errors:
        raise FtmImportRefused(parsed)
    _default_sources(parsed, dataset_import)
    return _write(dataset_import, parsed, resolved, progress)


@dataclass
class _Lookup:
    """What checking a file needs from the database, and what it has found so far."""

    countries: dict[str, Country]
    default_code: str
    errors: list
    user: object
    desk_bound: bool
    existing_actors: dict[str, Actor]
    existing_relationships: dict[str, Relationship]
    actor_countries: dict[str, list[Country]]
    actor_schemas: dict[str, str]


def _lookup(parsed: ftm.FtmParse, dataset_import: DatasetImport) -> _Lookup:
    default_code = (dataset_import.summary or {}).get("default_country", "")
    wanted = {code for record in parsed.actors + parsed.relationships for code in record.provenance.country_codes}
    if default_code:
        wanted.add(default_code)
    countries = Country.objects.select_related("desk").in_bulk(sorted(wanted), field_name="iso3")
    if default_code and default_code not in countries:
        parsed.errors.append(ftm.LineError(None, f"unknown default country {default_code}"))
    wanted_actors = {record.ftm_id for record in parsed.actors} | {
        end for record in parsed.relationships for end in (record.source_id, record.target_id) if end
    }
    existing_actors = Actor.objects.prefetch_related("countries__desk").in_bulk(
        sorted(wanted_actors), field_name="ftm_id"
    )
    existing_relationships = Relationship.objects.prefetch_related("countries__desk").in_bulk(
        [record.ftm_id for record in parsed.relationships], field_name="ftm_id"
    )
    user = dataset_import.started_by
    return _Lookup(
        countries=countries,
        default_code=default_code,
        errors=parsed.errors,
        user=user,
        desk_bound=user is not None and not can_administer(user),
        existing_actors=existing_actors,
        existing_relationships=existing_relationships,
        actor_countries={},
        actor_schemas={ftm_id: actor.ftm_schema for ftm_id, actor in existing_actors.items()},
    )


def _resolve(parsed: ftm.FtmParse, dataset_import: DatasetImport) -> _Resolved:
    """Countries, existing records and endpoints; every problem becomes a line error on `parsed`."""
    lookup = _lookup(parsed, dataset_import)
    for record in parsed.actors:
        _resolve_actor(lookup, record)
    relationship_countries: dict[str, list[Country]] = {}
    for record in parsed.relationships:
        chosen = _resolve_relationship(lookup, record)
        if chosen is not None:
            relationship_countries[record.ftm_id] = chosen
    return _Resolved(
        lookup.actor_countries, relationship_countries, lookup.existing_actors, lookup.existing_relationships
    )


def _resolve_actor(lookup: _Lookup, record: ftm.ActorRecord) -> None:
    codes = record.provenance.country_codes
    unknown = [code for code in codes if code not in lookup.countries]
    if unknown and record.provenance.kind:
        lookup.errors.append(ftm.LineError(record.line, f"unknown country code {', '.join(unknown)}", record.ftm_id))
    chosen = [lookup.countries[code] for code in codes if code in lookup.countries]
    if not chosen and lookup.default_code in lookup.countries:
        chosen = [lookup.countries[lookup.default_code]]
    if not chosen:
        message = (
            "the actor concerns no country in the country list; add a country property or import with a default country"
        )
        lookup.errors.append(ftm.LineError(record.line, message, record.ftm_id))
    existing = lookup.existing_actors.get(record.ftm_id)
    if existing is not None and existing.ftm_schema != record.schema:
        lookup.errors.append(
            ftm.LineError(record.line, f"the actor is a {existing.ftm_schema} here and a {record.schema} in the file")
        )
    if lookup.desk_bound and chosen:
        _desk_errors(lookup.errors, lookup.user, record, chosen, existing)
    lookup.actor_countries[record.ftm_id] = chosen
    lookup.actor_schemas[record.ftm_id] = record.schema


def _resolve_relationship(lookup: _Lookup, record: ftm.RelationshipRecord) -> list[Country] | None:
    if record.ftm_id in lookup.existing_actors:
        lookup.errors.append(ftm.LineError(record.line, "this id belongs to an actor in the database", record.ftm_id))
        return None
    missing = [end for end in (record.source_id, record.target_id) if end and end not in lookup.actor_schemas]
    if missing:
        message = f"names {', '.join(missing)}, which is neither an actor in the file nor one in the database"
        lookup.errors.append(ftm.LineError(record.line, message, record.ftm_id))
        return None
    problem = ftm.endpoint_error(
        record.schema, lookup.actor_schemas[record.source_id], lookup.actor_schemas.get(record.target_id or "")
    )
    if problem:
        lookup.errors.append(ftm.LineError(record.line, problem, record.ftm_id))
        return None
    chosen = _relationship_countries_of(lookup, record)
    if lookup.desk_bound and chosen:
        _desk_errors(lookup.errors, lookup.user, record, chosen, lookup.existing_relationships.get(record.ftm_id))
    return chosen


def _relationship_countries_of(lookup: _Lookup, record: ftm.RelationshipRecord) -> list[Country]:
    """The countries the file gives, or else those of both ends."""
    codes = record.provenance.country_codes
    if codes:
        unknown = [code for code in codes if code not in lookup.countries]
        if unknown:
            lookup.errors.append(
                ftm.LineError(record.line, f"unknown country code {', '.join(unknown)}", record.ftm_id)
            )
        return [lookup.countries[code] for code in codes if code in lookup.countries]
    by_code: dict[str, Country] = {}
    for end in (record.source_id, record.target_id):
        if not end:
            continue
        ends = lookup.actor_countries.get(end)
        if ends is None:
            ends = list(lookup.existing_actors[end].countries.all())
        by_code.update({country.iso3: country for country in ends})
    return [by_code[code] for code in sorted(by_code)]


def _desk_errors(errors, user, record, chosen: list[Country], existing) -> None:
    if not can_edit_network(user, chosen):
        names = ", ".join(country.name for country in chosen)
        errors.append(ftm.LineError(record.line, f"concerns {names}, not a country of your desk", record.ftm_id))
    elif existing is not None and not can_edit_network(user, list(existing.countries.all())):
        errors.append(ftm.LineError(record.line, "updates a record of another desk's countries", record.ftm_id))


def _default_sources(parsed: ftm.FtmParse, dataset_import: DatasetImport) -> None:
    """An entity that names no source keeps the file it came from as its source."""
    fallback = f"FollowTheMoney import #{dataset_import.pk} ({dataset_import.file_name})"
    for record in parsed.actors + parsed.relationships:
        if not record.provenance.sources:
            record.provenance.sources = [fallback]


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
    with transaction.atomic():
        actors = _write_actors(dataset_import, parsed, resolved, counts)
        if progress:
            progress(70, 100, "writing")
        _write_relationships(dataset_import, parsed, resolved, actors, counts)
    unchanged = counts.pop("unchanged")
    summary = {**(dataset_import.summary or {}), **parsed.summary(), **counts, "unchanged": unchanged}
    changed = sum(counts.values())
    line = (
        f"Created {counts['actors_created']} actor{pluralize(counts['actors_created'])} and "
        f"{counts['relationships_created']} relationship{pluralize(counts['relationships_created'])}; updated "
        f"{counts['actors_updated'] + counts['relationships_updated']} (each a new version); "
        f"{unchanged} unchanged."
    )
    if parsed.unsupported:
        total = sum(parsed.unsupported.values())
        line += f" {total} entit{pluralize(total, 'y,ies')} of unsupported schemata not imported (listed below)."
    if progress:
        progress(100, 100, "done")
    return FtmOutcome(parsed=parsed, summary=summary, line=line, changed=changed)


def _write_actors(dataset_import: DatasetImport, parsed: ftm.FtmParse, resolved: _Resolved, counts: dict) -> dict:
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
        else:
            _actor_append(existing, values, countries, author=None, dataset_import=dataset_import, note="")
            counts["actors_updated"] += 1
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
    dataset_import: DatasetImport, parsed: ftm.FtmParse, resolved: _Resolved, actors: dict, counts: dict
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
        else:
            _relationship_append(existing, values, countries, author=None, dataset_import=dataset_import, note="")
            counts["relationships_updated"] += 1
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


# ------------------------------------------------------------------------------------------------------------------
# Links from the workflow


def escalation_actor_link(*, user, escalation: Escalation, actor: Actor, note: str = "") -> EscalationActor:
    """Name an actor the escalation concerns; analysts of the case's desk and the Focal Point."""
    if not can_link_actors(user, escalation.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point name an escalation's actors.")
    link, _created = EscalationActor.objects.get_or_create(
        escalation=escalation, actor=actor, defaults={"added_by": user, "note": note.strip()[:300]}
    )
    return link


def escalation_actor_unlink(*, user, escalation: Escalation, actor: Actor) -> None:
    if not can_link_actors(user, escalation.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point change an escalation's actors.")
    EscalationActor.objects.filter(escalation=escalation, actor=actor).delete()


def sanction_target_add(*, user, action: ResponseAction, actor: Actor, note: str = "") -> SanctionTarget:
    """Name an actor as a target of a targeted-sanctions response action."""
    if action.tool != Tool.TARGETED_SANCTIONS:
        raise ValidationError({"action": "Only a targeted-sanctions action names target actors."})
    if not can_link_actors(user, action.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point name sanctions targets.")
    target, _created = SanctionTarget.objects.get_or_create(
        action=action, actor=actor, defaults={"added_by": user, "note": note.strip()[:300]}
    )
    return target


def sanction_target_remove(*, user, action: ResponseAction, actor: Actor) -> None:
    if not can_link_actors(user, action.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point change sanctions targets.")
    SanctionTarget.objects.filter(action=action, actor=actor).delete()


# ------------------------------------------------------------------------------------------------------------------
# Analysis runs


def analysis_run_request(*, country: Country | None, user=None, inline_limit: int | None = None) -> AnalysisRun:
    """The analysis of the current graph: a finished or pending run for this graph version, or a new one. Small
    graphs are computed at once (still recorded as a run); larger ones are queued for the worker."""
    from networks import selectors

    version = selectors.graph_version()
    existing = (
        AnalysisRun.objects.filter(country=country, graph_version=version)
        .exclude(status=AnalysisRun.Status.FAILED)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        return existing
    limit = settings.NETWORK_INLINE_ANALYSIS_MAX_ACTORS if inline_limit is None else inline_limit
    if selectors.graph_size(country=country)[0] <= limit:
        run = AnalysisRun.objects.create(country=country, graph_version=version, requested_by=user)
        try:
            return analysis_run_execute(run=run)
        except Exception:
            # Recorded on the run (status failed, with the error); the page shows it instead of failing.
            logger.exception("network analysis run %s failed", run.pk)
            return run
    with transaction.atomic():
        run = AnalysisRun.objects.create(country=country, graph_version=version, requested_by=user)
        outbox_enqueue(
            "networks.tasks.analysis_run_task", kwargs={"run_id": run.pk}, dedupe_key=f"network-analysis:{run.pk}"
        )
    return run


def analysis_run_execute(*, run: AnalysisRun) -> AnalysisRun:
    """Compute the run's analysis from the graph as it stands, and record the outcome."""
    from networks import analysis, selectors

    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisRun.Status.RUNNING, started_at=timezone.now())
    try:
        graph = selectors.graph_for_analysis(country=run.country)
        results = analysis.analyse(graph["nodes"], graph["edges"], home_iso3=settings.NETWORK_HOME_JURISDICTION)
    except Exception as exc:
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=AnalysisRun.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        run.refresh_from_db()
        raise
    run.status = AnalysisRun.Status.SUCCEEDED
    run.results = results
    run.actors_count = len(graph["nodes"])
    run.relationships_count = len(graph["edges"])
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "results", "actors_count", "relationships_count", "finished_at"])
    return run


def ftm_import_source_run(*, raw: bytes, dataset_import: DatasetImport, progress: Progress | None = None):
    """The `ftm` importer source of `manage.py import_data` and the shared upload page: the same all-or-nothing
    import, reported through the shared import row; every problem is named by its line."""
    from core.extensions import ImportOutcome

    try:
        outcome = ftm_import_apply(dataset_import=dataset_import, raw=raw, progress=progress)
    except FtmImportRefused as refused:
        errors = sorted(refused.parsed.errors, key=lambda error: error.line or 0)
        raise ValidationError([str(error) for error in errors[:MAX_STORED_ERRORS]]) from refused
    return ImportOutcome(
        rows_read=outcome.parsed.lines_read, created=outcome.changed, message=outcome.line, summary=outcome.summary
    )
