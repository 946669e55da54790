"""Writing stored actors and relationships back as FtM entities and their properties."""

from __future__ import annotations

import datetime as dt

from networks.ftm.records import BLOCK, COMMAND_ROLE_PREFIX, EDGE_SCHEMATA, KIND_EDGE_SCHEMA
from networks.ftm.values import clean_properties, iso3_to_ftm_country


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def actor_entity(
    *,
    ftm_id: str,
    schema: str,
    properties: dict,
    kind: str,
    country_codes: list[str],
    sources: list[str],
    confidence: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    withdrawn: bool,
    version: int,
    updated_at: str,
) -> dict:
    """One actor as an FtM entity, with our metadata in the atrocity_watch block."""
    return {
        "id": ftm_id,
        "schema": schema,
        "properties": properties,
        BLOCK: {
            "kind": kind,
            "countries": country_codes,
            "sources": sources,
            "confidence": confidence,
            "valid_from": _date_text(valid_from),
            "valid_to": _date_text(valid_to),
            "withdrawn": withdrawn,
            "version": version,
            "updated_at": updated_at,
        },
    }


def relationship_entities(
    *,
    ftm_id: str,
    schema: str,
    properties: dict,
    kind: str,
    contract: dict | None,
    country_codes: list[str],
    sources: list[str],
    confidence: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    withdrawn: bool,
    version: int,
    updated_at: str,
) -> list[dict]:
    """One relationship as FtM entities: a supply gives its Contract first, then the ContractAward."""
    entity = actor_entity(
        ftm_id=ftm_id,
        schema=schema,
        properties=properties,
        kind=kind,
        country_codes=country_codes,
        sources=sources,
        confidence=confidence,
        valid_from=valid_from,
        valid_to=valid_to,
        withdrawn=withdrawn,
        version=version,
        updated_at=updated_at,
    )
    return [contract, entity] if contract is not None else [entity]


def relationship_properties(
    *,
    kind: str,
    previous: dict,
    source_id: str,
    target_id: str | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    label: str,
    extra: dict | None = None,
) -> tuple[str, dict]:
    """The FtM schema and cleaned properties of a relationship edited in a form or the API."""
    schema = KIND_EDGE_SCHEMA[kind]
    properties = {key: list(values) for key, values in previous.items()}
    if schema == "Sanction":
        properties["entity"] = [source_id]
    else:
        _default, source_prop, target_prop = EDGE_SCHEMATA[schema]
        properties[source_prop] = [source_id]
        if schema != "ContractAward":
            properties[target_prop] = [target_id]
    for name, value in (("startDate", valid_from), ("endDate", valid_to)):
        if value:
            properties[name] = [value.isoformat()]
        else:
            properties.pop(name, None)
    _set_label(properties, kind, label)
    for name, values in (extra or {}).items():
        if values:
            properties[name] = values
        else:
            properties.pop(name, None)
    return schema, clean_properties(schema, properties)


LABEL_PROPERTY = {
    "command": "role",
    "directorship": "role",
    "membership": "role",
    "employment": "role",
    "unknown_link": "role",
    "family": "relationship",
    "associate": "relationship",
    "payment": "purpose",
    "ownership": "role",
    "supply": "role",
    "sanction": "reason",
}


def _set_label(properties: dict, kind: str, label: str) -> None:
    """Put the display text where FtM keeps it: a command's role follows the "command" marker."""
    if kind == "command":
        properties["role"] = [COMMAND_ROLE_PREFIX] + ([label] if label and label.lower() != COMMAND_ROLE_PREFIX else [])
    elif kind == "directorship":
        kept = [role for role in properties.get("role", []) if not role.lower().startswith(COMMAND_ROLE_PREFIX)]
        properties["role"] = [label] if label else kept
        if not properties["role"]:
            properties.pop("role")
    elif label:
        properties[LABEL_PROPERTY[kind]] = [label]


def contract_for_supply(*, ftm_id: str, buyer_id: str, title: str, previous: dict | None) -> dict:
    """The FtM Contract behind a supply relationship: its authority is the buyer."""
    properties = dict((previous or {}).get("properties", {}))
    properties["authority"] = [buyer_id]
    properties["title"] = [title or "Supply"]
    contract_id = (previous or {}).get("id") or f"{ftm_id}-contract"
    return {"id": contract_id, "schema": "Contract", "properties": clean_properties("Contract", properties)}


def actor_properties(
    *, schema: str, previous: dict, name: str, country_codes: list[str], extra: dict | None = None
) -> dict:
    """Cleaned FtM properties of an actor edited in a form or the API: name and countries set, the rest kept."""
    properties = {key: list(values) for key, values in previous.items()}
    properties["name"] = [name]
    ftm_countries = [code for code in (iso3_to_ftm_country(iso3) for iso3 in country_codes) if code]
    if ftm_countries:
        properties["country"] = ftm_countries
    for key, values in (extra or {}).items():
        if values:
            properties[key] = values
        else:
            properties.pop(key, None)
    return clean_properties(schema, properties)
