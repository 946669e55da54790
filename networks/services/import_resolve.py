"""Resolving a parsed FollowTheMoney file against the stored network: which actors exist, which countries apply,
and which records the importing user may not write."""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import can_administer, can_edit_network
from indicators.models import Country, DatasetImport
from networks import ftm
from networks.models import Actor, Relationship


@dataclass
class _Resolved:
    actor_countries: dict[str, list[Country]]
    relationship_countries: dict[str, list[Country]]
    existing_actors: dict[str, Actor]
    existing_relationships: dict[str, Relationship]


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
