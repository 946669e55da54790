"""Recording actors and relationships: each change appends a version and moves the head."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Confidence, Country
from networks import ftm
from networks.models import Actor, ActorKind, ActorVersion, Relationship, RelationshipKind, RelationshipVersion
from networks.services.audit import actor_audit, relationship_audit
from networks.services.common import _check_dates, _check_edit, _clean_sources, _countries


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
    was_withdrawn = actor.withdrawn if actor is not None else None
    with transaction.atomic():
        if actor is None:
            actor = Actor(ftm_id=f"aw-{uuid.uuid4().hex}", **values, updated_at=timezone.now(), updated_by=user)
            actor.version = 0
        actor = version_append(actor, values, countries, author=user, dataset_import=None, note=note)
        actor_audit(actor=actor, user=user, countries=countries, was_withdrawn=was_withdrawn, note=note)
    return actor


def version_append(
    head: Actor | Relationship, values: dict, countries: list[Country], *, author, dataset_import, note: str
):
    """Append a version of an actor or relationship and bring the head up to it (the head caches the newest one).

    Called inside the caller's transaction: the head's row is locked first, so of two edits at the same moment the
    second waits and appends the next version instead of claiming the same number (a unique constraint, a 500)."""
    version_model, field = (ActorVersion, "actor") if isinstance(head, Actor) else (RelationshipVersion, "relationship")
    if head.pk is not None:
        head.version = type(head).objects.select_for_update().values_list("version", flat=True).get(pk=head.pk)
    for key, value in values.items():
        setattr(head, key, value)
    head.version = (head.version or 0) + 1
    head.updated_at = timezone.now()
    head.updated_by = author
    head.save()
    head.countries.set(countries)
    version_model.objects.create(
        **{field: head},
        version=head.version,
        country_codes=[country.iso3 for country in countries],
        note=note,
        author=author,
        dataset_import=dataset_import,
        **values,
    )
    return head


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
    was_withdrawn = relationship.withdrawn if relationship is not None else None
    with transaction.atomic():
        if relationship is None:
            relationship = Relationship(ftm_id=ftm_id, **values, updated_at=timezone.now(), updated_by=user)
            relationship.version = 0
        relationship = version_append(relationship, values, countries, author=user, dataset_import=None, note=note)
        relationship.source, relationship.target = source, target
        relationship_audit(
            relationship=relationship, user=user, countries=countries, was_withdrawn=was_withdrawn, note=note
        )
    return relationship


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
