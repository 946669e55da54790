"""A small FICTIONAL actor network for the demo: every name is invented and marked "(fictional)", and no entity
describes a real person, unit or company. seed_demo loads it through the FollowTheMoney importer, as a user would."""

from __future__ import annotations

import io
import json

DEMO_COUNTRY = "SDN"
DEMO_FILE_NAME = "fictional-demo-network.ftm.json"
DEMO_SOURCE = "Fictional demonstration data (seed_demo); not about any real person or organisation"


def _actor(entity_id: str, schema: str, kind: str, name: str, **properties) -> dict:
    return {
        "id": f"demo-{entity_id}",
        "schema": schema,
        "properties": {"name": [f"{name} (fictional)"], "notes": ["Fictional demonstration entity"], **properties},
        "atrocity_watch": {"kind": kind, "sources": [DEMO_SOURCE], "confidence": "medium"},
    }


def _tie(entity_id: str, schema: str, source_prop: str, source: str, target_prop: str, target: str, **properties):
    return {
        "id": f"demo-{entity_id}",
        "schema": schema,
        "properties": {source_prop: [f"demo-{source}"], target_prop: [f"demo-{target}"], **properties},
        "atrocity_watch": {"sources": [DEMO_SOURCE], "confidence": properties.pop("_confidence", "medium")},
    }


def demo_network_entities() -> list[dict]:
    """The fictional network as FtM entities (actors first)."""
    sd = {"country": ["sd"]}
    entities = [
        _actor("ministry", "PublicBody", "ministry", "Ministry of Interior Security", **sd),
        _actor("northern-command", "Organization", "security_unit", "Northern Command", **sd),
        _actor("7th-brigade", "Organization", "security_unit", "7th Mountain Brigade", **sd),
        _actor("2nd-battalion", "Organization", "security_unit", "2nd Battalion, 7th Brigade", **sd),
        _actor("kestrel-unit", "Organization", "security_unit", "Rapid Reaction Unit Kestrel", **sd),
        _actor("red-dune", "Organization", "armed_group", "Red Dune Militia", **sd),
        _actor("velko", "Person", "person", "Gen. Aron Velko", **sd),
        _actor("tessan", "Person", "person", "Col. Mira Tessan", **sd),
        _actor("dunmore", "Person", "person", "Col. Rafe Dunmore", **sd),
        _actor("calder", "Person", "person", "Maj. Idris Calder", **sd),
        _actor("orrek", "Person", "person", "Salim Orrek", **sd),
        _actor("varga", "Person", "person", "Lena Varga", **sd),
        _actor("dunegate", "Company", "company", "Dunegate Logistics Ltd", jurisdiction=["gb"], country=["gb"]),
        _actor("kestrel-holdings", "Company", "company", "Kestrel Holdings SA", **sd),
        _actor("saltmarsh", "Company", "company", "Saltmarsh Trading FZE", **sd),
        _actor("heron", "Vessel", "vessel", "MV Quiet Heron", flag=["sd"], country=["sd"]),
        _actor("aircraft", "Airplane", "airplane", "Cargo aircraft ZZ-FIC", **sd),
        _tie("c1", "Directorship", "director", "ministry", "organization", "northern-command", role=["command"]),
        _tie(
            "c2",
            "Directorship",
            "director",
            "velko",
            "organization",
            "northern-command",
            role=["command", "Commander"],
            startDate=["2017-03-01"],
        ),
        _tie("c3", "Directorship", "director", "northern-command", "organization", "7th-brigade", role=["command"]),
        _tie(
            "c4",
            "Directorship",
            "director",
            "tessan",
            "organization",
            "7th-brigade",
            role=["command", "Brigade commander"],
            startDate=["2019-01-01"],
            endDate=["2023-06-30"],
        ),
        _tie(
            "c5",
            "Directorship",
            "director",
            "dunmore",
            "organization",
            "7th-brigade",
            role=["command", "Brigade commander"],
            startDate=["2023-07-01"],
        ),
        _tie("c6", "Directorship", "director", "7th-brigade", "organization", "2nd-battalion", role=["command"]),
        _tie(
            "c7",
            "Directorship",
            "director",
            "calder",
            "organization",
            "2nd-battalion",
            role=["command", "Battalion commander"],
            startDate=["2020-05-01"],
        ),
        _tie(
            "c8",
            "Directorship",
            "director",
            "northern-command",
            "organization",
            "kestrel-unit",
            role=["command"],
            startDate=["2022-01-01"],
        ),
        _tie(
            "m1", "Membership", "member", "orrek", "organization", "red-dune", role=["Leader"], startDate=["2018-01-01"]
        ),
        _tie(
            "m2",
            "Membership",
            "member",
            "varga",
            "organization",
            "red-dune",
            role=["Financier"],
            startDate=["2021-02-01"],
            _confidence="low",
        ),
        _tie("f1", "Family", "person", "velko", "relative", "orrek", relationship=["Brother-in-law"]),
        _tie("a1", "Associate", "person", "varga", "associate", "calder", relationship=["Business associate"]),
        _tie(
            "o1",
            "Ownership",
            "owner",
            "velko",
            "asset",
            "kestrel-holdings",
            percentage=["60"],
            startDate=["2016-01-01"],
        ),
        _tie("o2", "Ownership", "owner", "kestrel-holdings", "asset", "heron", startDate=["2020-01-01"]),
        _tie("o3", "Ownership", "owner", "dunegate", "asset", "aircraft", startDate=["2021-01-01"]),
        _tie(
            "p1",
            "Payment",
            "payer",
            "saltmarsh",
            "beneficiary",
            "red-dune",
            amount=["250000"],
            currency=["USD"],
            purpose=["Fuel and vehicles"],
            date=["2022-04-15"],
        ),
        _tie(
            "p2",
            "Payment",
            "payer",
            "kestrel-holdings",
            "beneficiary",
            "saltmarsh",
            amount=["400000"],
            currency=["USD"],
            date=["2022-03-01"],
        ),
        _tie(
            "u1",
            "UnknownLink",
            "subject",
            "kestrel-unit",
            "object",
            "red-dune",
            role=["Joint operations"],
            startDate=["2023-01-01"],
            _confidence="low",
        ),
        {
            "id": "demo-contract-1",
            "schema": "Contract",
            "properties": {"authority": ["demo-7th-brigade"], "title": ["Trucks and spare parts"]},
        },
        _tie(
            "s1",
            "ContractAward",
            "supplier",
            "dunegate",
            "contract",
            "contract-1",
            startDate=["2021-06-01"],
            amount=["1200000"],
            currency=["GBP"],
        ),
        {
            "id": "demo-sanction-velko",
            "schema": "Sanction",
            "properties": {
                "entity": ["demo-velko"],
                "authority": ["Demonstration sanctions list (fictional)"],
                "program": ["Fictional demonstration programme"],
                "country": ["us"],
                "startDate": ["2024-02-01"],
            },
            "atrocity_watch": {"sources": [DEMO_SOURCE], "confidence": "high"},
        },
        {
            "id": "demo-sanction-orrek",
            "schema": "Sanction",
            "properties": {
                "entity": ["demo-orrek"],
                "authority": ["Demonstration home-jurisdiction listing (fictional)"],
                "program": ["Fictional demonstration programme"],
                "country": ["gb"],
                "startDate": ["2024-05-01"],
            },
            "atrocity_watch": {"sources": [DEMO_SOURCE], "confidence": "high"},
        },
    ]
    return entities


def demo_network_bytes() -> bytes:
    return "".join(json.dumps(entity, sort_keys=True) + "\n" for entity in demo_network_entities()).encode()


def demo_network_load(*, stdout=None):
    """Import the fictional network (once: the importer recognises the same bytes)."""
    from indicators.models import Country
    from networks.services import ftm_import_run

    if not Country.objects.filter(iso3=DEMO_COUNTRY).exists():
        return None
    upload = io.BytesIO(demo_network_bytes())
    upload.name = DEMO_FILE_NAME
    dataset_import = ftm_import_run(path_or_file=upload, default_country=DEMO_COUNTRY, demonstration=True)
    if stdout is not None:
        stdout.write(f"Fictional demo network: {dataset_import.error_summary}")
    return dataset_import
