"""FtM values both ways: countries (ISO3 and FtM codes), dates, relationship labels, endpoint checks and
property cleaning."""

from __future__ import annotations

import datetime as dt

from followthemoney import model
from rigour.territories import get_territory, lookup_territory

from networks.ftm.records import COMMAND_ROLE_PREFIX, EDGE_SCHEMATA, LABEL_PROPERTIES


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
