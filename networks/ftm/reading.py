"""FollowTheMoney (FtM) JSON lines in and out: a pure core with no ORM.

Reading turns each line into an actor or relationship record, or a located error, and counts every entity whose
schema we do not model (never silently dropped). Writing turns stored actors and relationships back into FtM
entities. Our own metadata (kind, countries, confidence, sources, validity) travels beside the FtM properties in
an extra top-level key, "atrocity_watch", which FtM readers (Aleph, OpenSanctions tools) ignore.

The mapping from our relationship types to FtM schemata (source -> target):

- command: Directorship (director -> organization) whose role starts with "command": a commander (Person) over a
  unit, or a parent unit (Organization) over a sub-unit; dates in startDate/endDate.
- directorship: Directorship with any other role. membership: Membership (member -> organization).
- employment: Employment (employee -> employer). ownership: Ownership (owner -> asset; the asset is a Company,
  Vessel or Airplane). payment: Payment (payer -> beneficiary; amount, currency, purpose).
- supply: a Contract whose authority is the buyer, and a ContractAward naming the Contract and the supplier
  (supplier -> buyer); both entities travel together in exports.
- family: Family (person -> relative); associate: Associate (person -> associate); unknown_link: UnknownLink
  (subject -> object).
- sanction: Sanction (entity; no target) with authority, program, the designating authority's country and its
  start or listing date. Sanctions mark actors; they are not edges of the graph.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

from followthemoney import model
from followthemoney.exc import InvalidData
from rigour.territories import get_territory, lookup_territory

BLOCK = "atrocity_watch"
COMMAND_ROLE_PREFIX = "command"
CONFIDENCES = ("low", "medium", "high")

# Our actor kinds and the FtM schema a new actor of that kind gets.
KIND_SCHEMA = {
    "person": "Person",
    "armed_group": "Organization",
    "security_unit": "Organization",
    "ministry": "PublicBody",
    "organization": "Organization",
    "company": "Company",
    "vessel": "Vessel",
    "airplane": "Airplane",
}
# FtM schemata we store as actors, and the kind an actor of that schema gets when the file does not say.
ACTOR_SCHEMATA = {
    "Person": "person",
    "Organization": "organization",
    "PublicBody": "ministry",
    "LegalEntity": "organization",
    "Company": "company",
    "Vessel": "vessel",
    "Airplane": "airplane",
}
# FtM edge schemata we store as relationships: (our default kind, source property, target property).
EDGE_SCHEMATA = {
    "Directorship": ("directorship", "director", "organization"),
    "Membership": ("membership", "member", "organization"),
    "Employment": ("employment", "employee", "employer"),
    "Ownership": ("ownership", "owner", "asset"),
    "Payment": ("payment", "payer", "beneficiary"),
    "Family": ("family", "person", "relative"),
    "Associate": ("associate", "person", "associate"),
    "UnknownLink": ("unknown_link", "subject", "object"),
    "ContractAward": ("supply", "supplier", "contract"),
}
KIND_EDGE_SCHEMA = {
    "command": "Directorship",
    "directorship": "Directorship",
    "membership": "Membership",
    "employment": "Employment",
    "ownership": "Ownership",
    "payment": "Payment",
    "supply": "ContractAward",
    "family": "Family",
    "associate": "Associate",
    "unknown_link": "UnknownLink",
    "sanction": "Sanction",
}
# Properties whose countries say which countries an actor concerns, when the file has no atrocity_watch block.
COUNTRY_PROPERTIES = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship", "flag")
LABEL_PROPERTIES = ("role", "relationship", "ownershipType", "purpose", "program", "authority", "title")


@dataclass(frozen=True)
class LineError:
    """A problem in the file, located by its line number (the first line is 1)."""

    line: int | None
    message: str
    entity_id: str = ""

    def as_dict(self) -> dict:
        return {"row": self.line, "column": self.entity_id or None, "message": self.message, "value": ""}

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        who = f" (entity {self.entity_id})" if self.entity_id else ""
        return f"{where}{who}: {self.message}"


@dataclass
class Provenance:
    """Metadata every actor and relationship carries; read from the atrocity_watch block or derived."""

    sources: list[str]
    confidence: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    country_codes: list[str]
    withdrawn: bool = False
    kind: str = ""


@dataclass
class ActorRecord:
    line: int
    ftm_id: str
    schema: str
    kind: str
    name: str
    properties: dict
    provenance: Provenance


@dataclass
class RelationshipRecord:
    line: int
    ftm_id: str
    schema: str
    kind: str
    source_id: str
    target_id: str | None
    label: str
    properties: dict
    provenance: Provenance
    # A supply relationship keeps the FtM Contract it came with, so export gives it back unchanged.
    contract: dict | None = None


@dataclass
class FtmParse:
    actors: list[ActorRecord] = field(default_factory=list)
    relationships: list[RelationshipRecord] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    lines_read: int = 0
    unsupported: Counter = field(default_factory=Counter)
    unsupported_entities: list[dict] = field(default_factory=list)
    dropped_values: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "format": "ftm",
            "entities_read": self.lines_read,
            "actors": len(self.actors),
            "relationships": len(self.relationships),
            "unsupported_schemata": dict(sorted(self.unsupported.items())),
            "unsupported_entities": self.unsupported_entities[:500],
            "dropped_values": self.dropped_values[:500],
        }


def iso3_to_ftm_country(iso3: str) -> str | None:
    """The FtM country code (lower-case ISO 3166 alpha-2 or FtM's own code) of an ISO-3 code, if FtM knows it."""
    territory = lookup_territory(iso3)
    return territory.ftm_country if territory is not None and territory.is_ftm else None


def ftm_country_to_iso3(code: str) -> str | None:
    territory = get_territory(code)
    if territory is None or not territory.alpha3:
        return None
    return territory.alpha3.upper()


def parse_ftm_date(value: str | None, *, end: bool = False) -> dt.date | None:
    """An FtM date (2020, 2020-05 or 2020-05-03, maybe with a time) as a date: the first day of a partial date, or
    the last with end=True."""
    if not value:
        return None
    text = str(value)[:10]
    try:
        if len(text) == 4:
            return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            if not end:
                return dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


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


def relationship_label(schema: str, properties: dict, contract: dict | None = None) -> str:
    """A short display text: the role, relationship, purpose, programme or contract title."""
    parts: list[str] = []
    if schema == "Ownership" and properties.get("percentage"):
        parts.append(f"{properties['percentage'][0]}%")
    if schema == "Payment" and properties.get("amount"):
        parts.append(" ".join([properties["amount"][0], *(properties.get("currency") or [])[:1]]))
    for name in LABEL_PROPERTIES:
        # "command" only marks a Directorship as command; the role's own words follow it.
        values = [value for value in properties.get(name, []) if value.strip().lower() != COMMAND_ROLE_PREFIX]
        parts.extend(values[:1])
    if contract is not None:
        contract_props = contract.get("properties", {})
        parts.extend((contract_props.get("title") or contract_props.get("name") or [])[:1])
    return "; ".join(part for part in parts if part)[:300]


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


def endpoint_error(schema_name: str, source_schema: str, target_schema: str | None) -> str | None:
    """Why the two actors cannot be the ends of this FtM relationship (e.g. an Ownership of an Organization)."""
    if schema_name == "Sanction":
        return None
    if schema_name == "ContractAward":
        ranges = (model.get("ContractAward").get("supplier").range, model.get("Contract").get("authority").range)
    else:
        _kind, source_prop, target_prop = EDGE_SCHEMATA[schema_name]
        edge = model.get(schema_name)
        ranges = (edge.get(source_prop).range, edge.get(target_prop).range)
    for end, actor_schema, wanted in (("source", source_schema, ranges[0]), ("target", target_schema, ranges[1])):
        if actor_schema is None or not model.get(actor_schema).is_a(wanted):
            return f"the {end} of an FtM {schema_name} must be a {wanted.name}, not a {actor_schema}"
    return None


def clean_properties(schema_name: str, properties: dict) -> dict:
    """Properties as FtM cleans them (invalid values refused)."""
    proxy = model.get_proxy({"id": "x", "schema": schema_name, "properties": properties}, cleaned=False)
    return proxy.to_dict()["properties"]


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
