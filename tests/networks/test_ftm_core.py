"""Reading FollowTheMoney JSON lines: the pure parser, no database."""

from networks import ftm
from tests.networks.ftm_samples import actor, ftm_file, line, small_network, tie


def test_each_supported_schema_becomes_an_actor_or_a_relationship_of_the_documented_kind():
    """Persons, organisations and companies are actors; ties map to our kinds (command by its role)."""
    parsed = ftm.parse_ftm_lines(ftm_file(*small_network()))
    assert parsed.errors == []
    assert {record.ftm_id: record.kind for record in parsed.actors} == {
        "general": "person",
        "colonel": "person",
        "brigade": "security_unit",
        "militia": "armed_group",
        "trader": "company",
    }
    kinds = {record.ftm_id: record.kind for record in parsed.relationships}
    assert kinds == {
        "cmd-1": "command",
        "cmd-2": "command",
        "dir-1": "directorship",
        "mem-1": "membership",
        "pay-1": "payment",
        "award-1": "supply",
        "sanction-1": "sanction",
    }


def test_a_contract_award_supplies_the_contracts_authority():
    """The supplier is the source, the Contract's authority (the buyer) the target."""
    parsed = ftm.parse_ftm_lines(ftm_file(*small_network()))
    award = next(record for record in parsed.relationships if record.ftm_id == "award-1")
    assert (award.source_id, award.target_id) == ("trader", "brigade")
    assert award.contract["id"] == "contract-1"
    assert "Trucks" in award.label


def test_relationship_dates_come_from_start_and_end_dates():
    """A command from 2020 to 2022 is valid from 1 January 2020 to 31 December 2022."""
    parsed = ftm.parse_ftm_lines(ftm_file(*small_network()))
    command = next(record for record in parsed.relationships if record.ftm_id == "cmd-2")
    assert (str(command.provenance.valid_from), str(command.provenance.valid_to)) == ("2020-01-01", "2022-12-31")


def test_malformed_json_is_reported_with_its_line_number():
    """A broken line is named; the other lines are still read so every problem shows at once."""
    raw = (line(actor("a")) + "\n{not json\n" + line(actor("b")) + "\n").encode()
    parsed = ftm.parse_ftm_lines(raw)
    assert [error.line for error in parsed.errors] == [2]
    assert "not valid JSON" in parsed.errors[0].message


def test_unknown_schema_and_missing_id_are_errors_with_lines():
    """A schema FtM does not know, or an entity without id, cannot be imported."""
    raw = ftm_file({"id": "x", "schema": "Dragon", "properties": {}}, {"schema": "Person", "properties": {}})
    parsed = ftm.parse_ftm_lines(raw)
    assert [(error.line, error.message) for error in parsed.errors] == [
        (1, "unknown FtM schema 'Dragon'"),
        (2, "the entity has no id"),
    ]


def test_unsupported_schemata_are_counted_and_listed():
    """An Address and a Passport are FtM entities we do not model: counted by schema and listed with lines."""
    raw = ftm_file(
        actor("a"),
        {"id": "addr", "schema": "Address", "properties": {"full": ["1 Test Street"]}},
        {"id": "pass", "schema": "Passport", "properties": {"holder": ["a"], "number": ["X1"]}},
        {"id": "addr2", "schema": "Address", "properties": {"full": ["2 Test Street"]}},
    )
    parsed = ftm.parse_ftm_lines(raw)
    assert parsed.errors == []
    assert dict(parsed.unsupported) == {"Address": 2, "Passport": 1}
    assert [item["line"] for item in parsed.unsupported_entities] == [2, 3, 4]


def test_values_the_ftm_model_refuses_are_listed_not_silently_dropped():
    """An unknown property and a malformed date are reported beside the import."""
    raw = ftm_file(actor("a", birthDate=["not a date"], favouriteColour=["blue"]))
    parsed = ftm.parse_ftm_lines(raw)
    assert {(item["property"], item["reason"]) for item in parsed.dropped_values} == {
        ("birthDate", "invalid value refused"),
        ("favouriteColour", "not in the schema"),
    }


def test_a_tie_with_several_members_is_refused():
    """FtM allows several values; a relationship joins exactly two actors, so the file must split it."""
    raw = ftm_file(
        tie("m", "Membership", "member", "a", "organization", "b")
        | {"properties": {"member": ["a", "c"], "organization": ["b"]}}
    )
    parsed = ftm.parse_ftm_lines(raw)
    assert "exactly one member and organization" in parsed.errors[0].message


def test_ownership_of_an_organisation_is_refused_by_the_ftm_ranges():
    """Only an Asset (a company, vessel or aircraft) can be owned in FtM."""
    assert ftm.endpoint_error("Ownership", "Person", "Organization") is not None
    assert ftm.endpoint_error("Ownership", "Person", "Company") is None
    assert ftm.endpoint_error("Family", "Person", "Company") is not None


def test_a_duplicate_id_in_one_file_is_an_error():
    """The same id twice cannot be two entities."""
    parsed = ftm.parse_ftm_lines(ftm_file(actor("a"), actor("a")))
    assert [(error.line, error.entity_id) for error in parsed.errors] == [(2, "a")]
