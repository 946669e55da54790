"""Importing FollowTheMoney files: all or nothing, idempotent, history on update, round trip through the export."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import DatasetImport
from networks import selectors
from networks.models import Actor, ActorVersion, Relationship, RelationshipVersion
from networks.services import ftm_import_run
from tests.networks.conftest import upload
from tests.networks.ftm_samples import actor, ftm_file, line, small_network, tie

pytestmark = pytest.mark.django_db


def _ftm_part(entity: dict) -> dict:
    return {"id": entity["id"], "schema": entity["schema"], "properties": entity["properties"]}


def _sorted_values(entity: dict) -> dict:
    return {**entity, "properties": {key: sorted(values) for key, values in entity["properties"].items()}}


def test_import_then_export_gives_the_same_entities(imported_network, country_a):
    """Every entity of the file comes back from the country export with the same id, schema and properties."""
    from networks.ftm import clean_properties

    assert imported_network.status == DatasetImport.Status.SUCCEEDED, imported_network.errors
    exported = [json.loads(text) for text in selectors.export_ftm_lines(country=country_a)]
    expected = {
        entity["id"]: _sorted_values(
            {**_ftm_part(entity), "properties": clean_properties(entity["schema"], entity["properties"])}
        )
        for entity in small_network()
    }
    got = {entity["id"]: _sorted_values(_ftm_part(entity)) for entity in exported}
    assert got == expected


def test_exported_file_imports_again_without_new_versions(imported_network, country_a, alice):
    """Re-importing our own export (new bytes, same content) changes nothing: every entity is unchanged."""
    raw = "".join(selectors.export_ftm_lines(country=country_a)).encode()
    again = ftm_import_run(path_or_file=upload(raw, "export.ftm.json"), started_by=alice)
    assert again.status == DatasetImport.Status.SUCCEEDED, again.errors
    assert again.summary["unchanged"] == Actor.objects.count() + Relationship.objects.count()
    assert ActorVersion.objects.count() == Actor.objects.count()


def test_malformed_line_names_the_line_and_imports_nothing(country_a, alice):
    """One bad line among good ones: the import fails, names line 3, and creates no actor."""
    raw = (line(actor("a")) + "\n" + line(actor("b")) + '\n{"id": \n').encode()
    dataset_import = ftm_import_run(path_or_file=upload(raw), started_by=alice)
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert dataset_import.errors[0]["row"] == 3
    assert "line 3" in dataset_import.error_summary
    assert Actor.objects.count() == 0


@pytest.mark.parametrize(
    "entity",
    [
        {**actor("a"), "properties": {"name": ["A"], "weird\u0000": ["x"]}},
        {**actor("a"), "atrocity_watch": {"countries": ["QAA"], "sources": ["Desk\u0000"], "confidence": "high"}},
        {**actor("a"), "id": "\u0000" + "x" * 300},
    ],
)
def test_a_line_holding_a_nul_character_is_refused_by_its_line(country_a, alice, entity):
    """A NUL (\\u0000) anywhere in an entity is refused naming its line, as the CSV reader refuses NUL bytes: the
    database could not keep it, and the import would otherwise stop half-recorded."""
    raw = (line(actor("b")) + "\n" + line(entity) + "\n").encode()
    dataset_import = ftm_import_run(path_or_file=upload(raw), started_by=alice)
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert "line 2" in dataset_import.error_summary and "NUL" in dataset_import.error_summary
    assert Actor.objects.count() == 0


def test_a_relationship_to_an_unknown_actor_fails_the_whole_file(country_a, alice):
    """A tie naming an actor neither in the file nor in the database stops everything, named by line."""
    raw = ftm_file(actor("a"), tie("t", "Associate", "person", "a", "associate", "ghost"))
    dataset_import = ftm_import_run(path_or_file=upload(raw), started_by=alice)
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert dataset_import.errors == [
        {
            "row": 2,
            "column": "t",
            "message": "names ghost, which is neither an actor in the file nor one in the database",
            "value": "",
        }
    ]
    assert Actor.objects.count() == 0


def test_unsupported_schemata_are_reported_on_the_import(country_a, alice):
    """Addresses are not imported but the import lists them; the actors are imported."""
    raw = ftm_file(actor("a"), {"id": "addr", "schema": "Address", "properties": {"full": ["1 Test Street"]}})
    dataset_import = ftm_import_run(path_or_file=upload(raw), started_by=alice)
    assert dataset_import.status == DatasetImport.Status.SUCCEEDED
    assert dataset_import.summary["unsupported_schemata"] == {"Address": 1}
    assert dataset_import.summary["unsupported_entities"] == [{"line": 2, "id": "addr", "schema": "Address"}]
    assert "1 entity of unsupported schemata not imported" in dataset_import.error_summary
    assert Actor.objects.count() == 1


def test_the_same_bytes_twice_create_nothing_new(imported_network, alice):
    """The second import of identical bytes is the first one, reused."""
    again = ftm_import_run(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    assert again.pk == imported_network.pk and again.reused
    assert Actor.objects.count() == 5


def test_an_entity_already_present_gets_a_new_version_not_a_duplicate(imported_network, alice):
    """The general renamed in a later file is one actor with two versions; the first version is kept."""
    renamed = actor("general", name="Gen. Test (renamed)")
    dataset_import = ftm_import_run(path_or_file=upload(ftm_file(renamed)), started_by=alice)
    assert dataset_import.summary["actors_updated"] == 1
    general = Actor.objects.get(ftm_id="general")
    assert general.name == "Gen. Test (renamed)" and general.version == 2
    assert list(general.versions.order_by("version").values_list("name", flat=True)) == [
        "Gen. Test",
        "Gen. Test (renamed)",
    ]
    assert Actor.objects.filter(ftm_id="general").count() == 1


def test_an_analyst_cannot_import_actors_of_another_desk(country_a, country_b, alice):
    """Alice's desk owns QAA, not QBB: an actor of QBB fails the import with its line."""
    raw = ftm_file(actor("a"), actor("b", countries=("QBB",)))
    dataset_import = ftm_import_run(path_or_file=upload(raw), started_by=alice)
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert dataset_import.errors[0]["row"] == 2
    assert "not a country of your desk" in dataset_import.errors[0]["message"]
    assert Actor.objects.count() == 0


def test_relationships_concern_the_countries_of_both_ends(imported_network):
    """The supply from a company of QAA and GBR to a brigade of QAA concerns QAA and GBR."""
    supply = Relationship.objects.get(ftm_id="award-1")
    assert sorted(country.iso3 for country in supply.countries.all()) == ["GBR", "QAA"]
    assert RelationshipVersion.objects.filter(relationship=supply).count() == 1


def test_actors_without_a_country_take_the_default_country(country_a, alice):
    """An entity naming no country is attributed to the import's default country."""
    raw = ftm_file({"id": "x", "schema": "Person", "properties": {"name": ["No Country"]}})
    failed = ftm_import_run(path_or_file=upload(raw), started_by=alice)
    assert failed.status == DatasetImport.Status.FAILED
    assert "concerns no country" in failed.errors[0]["message"]
    raw_again = raw + b"\n"
    done = ftm_import_run(path_or_file=upload(raw_again), started_by=alice, default_country="QAA")
    assert done.status == DatasetImport.Status.SUCCEEDED, done.errors
    assert list(Actor.objects.get(ftm_id="x").countries.values_list("iso3", flat=True)) == ["QAA"]


def test_import_data_command_imports_an_ftm_file(tmp_path, country_a):
    """manage.py import_data ftm <path> imports the file and reports it."""
    path = tmp_path / "network.ftm.json"
    path.write_bytes(ftm_file(*small_network()))
    call_command("import_data", "ftm", str(path))
    assert Actor.objects.count() == 5
    assert Relationship.objects.count() == 7


def test_ctrl_c_before_an_ftm_import_is_recorded_leaves_no_actor_behind(tmp_path, country_a, monkeypatch):
    """Ctrl-C after the network's rows are written but before the import's outcome is: both roll back together, so
    the import failed as interrupted ("nothing was imported") never stands beside imported actors."""
    from indicators.importers import extension_sources

    def interrupt(**kwargs):
        raise KeyboardInterrupt

    path = tmp_path / "network.ftm.json"
    path.write_bytes(ftm_file(*small_network()))
    monkeypatch.setattr(extension_sources, "demonstration_data_retire", interrupt)
    with pytest.raises(CommandError, match="Interrupted"):
        call_command("import_data", "ftm", str(path), stdout=StringIO(), stderr=StringIO())
    interrupted = DatasetImport.objects.get()
    assert interrupted.status == DatasetImport.Status.FAILED and "interrupted" in interrupted.error_summary
    assert Actor.objects.count() == 0 and Relationship.objects.count() == 0
