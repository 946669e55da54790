"""Reading FtM JSON lines into actor and relationship records or located errors, counting unsupported schemata."""

from __future__ import annotations

import datetime as dt
import json

from followthemoney import model
from followthemoney.exc import InvalidData

from networks.ftm.records import (
    ACTOR_SCHEMATA,
    BLOCK,
    COMMAND_ROLE_PREFIX,
    CONFIDENCES,
    COUNTRY_PROPERTIES,
    EDGE_SCHEMATA,
    KIND_EDGE_SCHEMA,
    KIND_SCHEMA,
    ActorRecord,
    FtmParse,
    LineError,
    Provenance,
    RelationshipRecord,
)
from networks.ftm.values import ftm_country_to_iso3, parse_ftm_date, relationship_label


def _block_date(block: dict, key: str, line: int, entity_id: str, errors: list[LineError]) -> dt.date | None:
    value = block.get(key)
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(LineError(line, f"{BLOCK}.{key} is not a date (YYYY-MM-DD): {value!r}", entity_id))
        return None


def _provenance(proxy, block: dict, line: int, errors: list[LineError], *, is_edge: bool) -> Provenance:
    entity_id = proxy.id or ""
    sources = block.get("sources")
    if sources is None:
        sources = list(proxy.get("sourceUrl", quiet=True)) + list(proxy.get("publisher", quiet=True))
    if not isinstance(sources, list) or not all(isinstance(item, str) for item in sources):
        errors.append(LineError(line, f"{BLOCK}.sources must be a list of strings", entity_id))
        sources = []
    confidence = block.get("confidence", "medium")
    if confidence not in CONFIDENCES:
        errors.append(LineError(line, f"{BLOCK}.confidence must be low, medium or high, not {confidence!r}", entity_id))
    countries = block.get("countries")
    if countries is None:
        countries = [] if is_edge else _countries_from_properties(proxy)
    if not isinstance(countries, list) or not all(isinstance(code, str) for code in countries):
        errors.append(LineError(line, f"{BLOCK}.countries must be a list of ISO-3 codes", entity_id))
        countries = []
    if "valid_from" in block or "valid_to" in block:
        valid_from = _block_date(block, "valid_from", line, entity_id, errors)
        valid_to = _block_date(block, "valid_to", line, entity_id, errors)
    else:
        valid_from, valid_to = _dates_from_properties(proxy)
    if valid_from and valid_to and valid_to < valid_from:
        errors.append(LineError(line, f"ends ({valid_to}) before it starts ({valid_from})", entity_id))
    return Provenance(
        sources=[source.strip()[:500] for source in sources if source.strip()],
        confidence=confidence if confidence in CONFIDENCES else "medium",
        valid_from=valid_from,
        valid_to=valid_to,
        country_codes=sorted({code.strip().upper() for code in countries if code.strip()}),
        withdrawn=bool(block.get("withdrawn", False)),
        kind=str(block.get("kind", "")),
    )


def _countries_from_properties(proxy) -> list[str]:
    codes: set[str] = set()
    for name in COUNTRY_PROPERTIES:
        for value in proxy.get(name, quiet=True):
            iso3 = ftm_country_to_iso3(value)
            if iso3:
                codes.add(iso3)
    return sorted(codes)


def _dates_from_properties(proxy) -> tuple[dt.date | None, dt.date | None]:
    if proxy.schema.name == "Sanction":
        start = proxy.first("startDate", quiet=True) or proxy.first("listingDate", quiet=True)
        return parse_ftm_date(start), parse_ftm_date(proxy.first("endDate", quiet=True), end=True)
    if proxy.schema.edge or proxy.schema.name in ("Payment",):
        start = proxy.first("startDate", quiet=True) or proxy.first("date", quiet=True)
        end = proxy.first("endDate", quiet=True)
        if end is None and proxy.schema.name == "Payment":
            end = proxy.first("date", quiet=True)
        return parse_ftm_date(start), parse_ftm_date(end, end=True)
    return (
        parse_ftm_date(proxy.first("incorporationDate", quiet=True)),
        parse_ftm_date(proxy.first("dissolutionDate", quiet=True), end=True),
    )


def _dropped(raw_properties: dict, proxy, line: int) -> list[dict]:
    """Values the FtM model refused (unknown properties, malformed dates or countries), so the import lists them."""
    if not isinstance(raw_properties, dict):
        return []
    dropped = []
    for name, values in raw_properties.items():
        values = values if isinstance(values, list) else [values]
        prop = proxy.schema.get(name)
        if prop is None:
            dropped.append({"line": line, "entity": proxy.id, "property": name, "reason": "not in the schema"})
            continue
        kept = len(proxy.get(prop, quiet=True))
        if kept < len([value for value in values if value not in (None, "")]):
            dropped.append({"line": line, "entity": proxy.id, "property": name, "reason": "invalid value refused"})
    return dropped


class _Refused(Exception):
    """A line that cannot be read as an FtM entity; carries the located error."""

    def __init__(self, error: LineError):
        super().__init__(error.message)
        self.error = error


def _entity_id(data: dict, line: int, seen: dict[str, int]) -> str:
    entity_id = str(data.get("id") or "").strip()
    if not entity_id:
        raise _Refused(LineError(line, "the entity has no id"))
    if len(entity_id) > 200:
        raise _Refused(LineError(line, "the entity id is longer than 200 characters", entity_id[:60]))
    if entity_id in seen:
        raise _Refused(LineError(line, f"the id {entity_id} is already used on line {seen[entity_id]}", entity_id))
    seen[entity_id] = line
    return entity_id


def _read_line(text: str, line: int, seen: dict[str, int]) -> tuple[object, dict, dict]:
    """One line as (FtM proxy, its raw properties, our block); raises _Refused with the reason."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Refused(LineError(line, f"not valid JSON ({exc.msg}, column {exc.colno})")) from exc
    if not isinstance(data, dict):
        raise _Refused(LineError(line, "each line must be one JSON object (an FtM entity)"))
    if "\\u0000" in text:
        # JSON text can only carry a NUL as this escape; the database keeps no NUL, so it is refused like the CSV
        # reader's NUL bytes rather than failing the import when its record is written.
        raise _Refused(LineError(line, "the entity holds a NUL character (\\u0000), which FtM text never has"))
    entity_id = _entity_id(data, line, seen)
    schema_name = data.get("schema")
    if not isinstance(schema_name, str) or model.get(schema_name) is None:
        raise _Refused(LineError(line, f"unknown FtM schema {schema_name!r}", entity_id))
    block = data.get(BLOCK) or {}
    if not isinstance(block, dict):
        raise _Refused(LineError(line, f"{BLOCK} must be an object", entity_id))
    raw_properties = data.get("properties") or {}
    try:
        proxy = model.get_proxy({"id": entity_id, "schema": schema_name, "properties": raw_properties}, cleaned=False)
    except (InvalidData, TypeError, AttributeError) as exc:
        raise _Refused(LineError(line, f"not a valid FtM entity: {exc}", entity_id)) from exc
    return proxy, raw_properties, block


def _decode(raw: bytes, result: FtmParse) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        result.errors.append(LineError(line, "the file is not valid UTF-8 text"))
        return None


def parse_ftm_lines(raw: bytes) -> FtmParse:
    """Read FtM JSON lines into actor and relationship records, errors named by line, and unsupported entities."""
    result = FtmParse()
    text = _decode(raw, result)
    if text is None:
        return result
    contracts: dict[str, tuple[int, dict]] = {}
    awards: list[tuple[int, object, dict, dict]] = []
    seen: dict[str, int] = {}
    for line_number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        result.lines_read += 1
        try:
            proxy, raw_properties, block = _read_line(line, line_number, seen)
        except _Refused as refused:
            result.errors.append(refused.error)
            continue
        result.dropped_values.extend(_dropped(raw_properties, proxy, line_number))
        properties = proxy.to_dict()["properties"]
        schema_name = proxy.schema.name
        if schema_name in ACTOR_SCHEMATA:
            _read_actor(result, line_number, proxy, properties, block)
        elif schema_name == "Contract":
            contracts[proxy.id] = (line_number, {"id": proxy.id, "schema": "Contract", "properties": properties})
        elif schema_name == "ContractAward":
            awards.append((line_number, proxy, properties, block))
        elif schema_name in EDGE_SCHEMATA or schema_name == "Sanction":
            _read_relationship(result, line_number, proxy, properties, block)
        else:
            _unsupported(result, line_number, proxy.id, schema_name)
    _read_awards(result, contracts, awards)
    return result


def _read_awards(result: FtmParse, contracts: dict[str, tuple[int, dict]], awards: list) -> None:
    """Each ContractAward with its Contract becomes a supply; a Contract no award names is listed as unsupported."""
    used_contracts: set[str] = set()
    for line_number, proxy, properties, block in awards:
        contract_ids = properties.get("contract", [])
        contract = contracts.get(contract_ids[0]) if len(contract_ids) == 1 else None
        if contract is None:
            result.errors.append(
                LineError(line_number, "a ContractAward must name one Contract given in the same file", proxy.id)
            )
            continue
        authority = contract[1]["properties"].get("authority", [])
        if len(authority) != 1:
            result.errors.append(
                LineError(contract[0], "a Contract must name exactly one authority (the buyer)", contract_ids[0])
            )
            continue
        used_contracts.add(contract_ids[0])
        _read_relationship(result, line_number, proxy, properties, block, contract=contract[1])
    for contract_id, (line_number, _contract) in contracts.items():
        if contract_id not in used_contracts:
            _unsupported(result, line_number, contract_id, "Contract (without a ContractAward)")


def _unsupported(result: FtmParse, line: int, entity_id: str, schema_name: str) -> None:
    result.unsupported[schema_name] += 1
    result.unsupported_entities.append({"line": line, "id": entity_id, "schema": schema_name})


def _read_actor(result: FtmParse, line: int, proxy, properties: dict, block: dict) -> None:
    provenance = _provenance(proxy, block, line, result.errors, is_edge=False)
    kind = provenance.kind or ACTOR_SCHEMATA[proxy.schema.name]
    if kind not in KIND_SCHEMA:
        result.errors.append(LineError(line, f"{BLOCK}.kind {kind!r} is not an actor kind", proxy.id))
        return
    if not model.get(proxy.schema.name).is_a(KIND_SCHEMA[kind]) and not model.get(KIND_SCHEMA[kind]).is_a(
        proxy.schema.name
    ):
        result.errors.append(LineError(line, f"an actor of kind {kind} cannot be an FtM {proxy.schema.name}", proxy.id))
        return
    name = proxy.caption if properties.get("name") else ""
    if not name:
        result.errors.append(LineError(line, "the actor has no name", proxy.id))
        return
    result.actors.append(
        ActorRecord(
            line=line,
            ftm_id=proxy.id,
            schema=proxy.schema.name,
            kind=kind,
            name=name[:300],
            properties=properties,
            provenance=provenance,
        )
    )


def _read_relationship(
    result: FtmParse, line: int, proxy, properties: dict, block: dict, contract: dict | None = None
) -> None:
    schema_name = proxy.schema.name
    provenance = _provenance(proxy, block, line, result.errors, is_edge=True)
    if schema_name == "Sanction":
        kind, source_prop, target_prop = "sanction", "entity", None
    else:
        kind, source_prop, target_prop = EDGE_SCHEMATA[schema_name]
        if schema_name == "Directorship" and any(
            role.strip().lower().startswith(COMMAND_ROLE_PREFIX) for role in properties.get("role", [])
        ):
            kind = "command"
    if provenance.kind and provenance.kind != kind:
        if KIND_EDGE_SCHEMA.get(provenance.kind) != schema_name:
            result.errors.append(
                LineError(line, f"{BLOCK}.kind {provenance.kind!r} does not fit an FtM {schema_name}", proxy.id)
            )
            return
        kind = provenance.kind
    sources = properties.get(source_prop, [])
    if schema_name == "ContractAward":
        targets = contract["properties"]["authority"] if contract else []
    else:
        targets = properties.get(target_prop, []) if target_prop else [None]
    if len(sources) != 1 or len(targets) != 1:
        ends = f"{source_prop} and {target_prop}" if target_prop else source_prop
        result.errors.append(LineError(line, f"the {schema_name} must name exactly one {ends}", proxy.id))
        return
    result.relationships.append(
        RelationshipRecord(
            line=line,
            ftm_id=proxy.id,
            schema=schema_name,
            kind=kind,
            source_id=sources[0],
            target_id=targets[0],
            label=relationship_label(schema_name, properties, contract),
            properties=properties,
            provenance=provenance,
            contract=contract,
        )
    )
