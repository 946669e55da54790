"""Small FollowTheMoney files for the network tests (fictional names, test countries QAA and QBB)."""

import json


def line(entity: dict) -> str:
    return json.dumps(entity, sort_keys=True)


def ftm_file(*entities: dict) -> bytes:
    return ("\n".join(line(entity) for entity in entities) + "\n").encode()


def actor(entity_id, schema="Person", name=None, countries=("QAA",), kind=None, **properties):
    block = {"countries": list(countries), "sources": ["Desk reporting"], "confidence": "high"}
    if kind:
        block["kind"] = kind
    return {
        "id": entity_id,
        "schema": schema,
        "properties": {"name": [name or entity_id.title()], **properties},
        "atrocity_watch": block,
    }


def tie(entity_id, schema, source_prop, source, target_prop, target, **properties):
    return {
        "id": entity_id,
        "schema": schema,
        "properties": {source_prop: [source], target_prop: [target], **properties},
    }


def small_network() -> list[dict]:
    """A general over a brigade, a colonel commanding it, a member of a militia, a company paying the militia, a
    supply contract, and a sanction."""
    return [
        actor("general", name="Gen. Test"),
        actor("colonel", name="Col. Test"),
        actor("brigade", "Organization", "1st Test Brigade", kind="security_unit"),
        actor("militia", "Organization", "Test Militia", kind="armed_group"),
        actor("trader", "Company", "Test Trading Ltd", countries=("QAA", "GBR")),
        tie(
            "cmd-1",
            "Directorship",
            "director",
            "general",
            "organization",
            "brigade",
            role=["command"],
            startDate=["2019-01-01"],
        ),
        tie(
            "cmd-2",
            "Directorship",
            "director",
            "colonel",
            "organization",
            "brigade",
            role=["Commander of the brigade"],
            startDate=["2020-01-01"],
            endDate=["2022-12-31"],
        ),
        tie("dir-1", "Directorship", "director", "colonel", "organization", "trader", role=["Director"]),
        tie("mem-1", "Membership", "member", "general", "organization", "militia"),
        tie("pay-1", "Payment", "payer", "trader", "beneficiary", "militia", amount=["1000"], currency=["USD"]),
        {"id": "contract-1", "schema": "Contract", "properties": {"authority": ["brigade"], "title": ["Trucks"]}},
        tie("award-1", "ContractAward", "supplier", "trader", "contract", "contract-1"),
        {
            "id": "sanction-1",
            "schema": "Sanction",
            "properties": {
                "entity": ["general"],
                "authority": ["Test authority"],
                "program": ["Test programme"],
                "country": ["gb"],
                "startDate": ["2024-01-01"],
            },
        },
    ]
