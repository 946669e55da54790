"""The demo network: fictional, clearly marked, loaded through the FtM importer, once; real data withdraws it."""

import pytest

from core.models import AuditEvent
from indicators.importers.services import dataset_import_run
from indicators.models import DatasetImport
from indicators.selectors import real_data_present
from indicators.signals import demo_seeded
from networks.demo import DEMO_COUNTRY, demo_network_entities
from networks.models import Actor, ActorVersion, Relationship
from networks.services import ftm_import_run
from tests.indicators.test_demo_retired_by_real_data import UCDP_HEADER
from tests.networks.conftest import upload
from tests.networks.ftm_samples import ftm_file, small_network

pytestmark = pytest.mark.django_db


def test_every_demo_actor_is_marked_fictional():
    """Each actor's name ends with '(fictional)' and carries a note saying so."""
    actors = [entity for entity in demo_network_entities() if "name" in entity["properties"]]
    assert actors
    assert all(entity["properties"]["name"][0].endswith("(fictional)") for entity in actors)
    assert all(entity["properties"]["notes"] == ["Fictional demonstration entity"] for entity in actors)


def test_seed_demo_signal_loads_the_fictional_network_once():
    """seed_demo's signal imports the network for the demo country; a second run creates nothing new."""
    demo_seeded.send(sender=None, stdout=None)
    demo_seeded.send(sender=None, stdout=None)
    assert DatasetImport.objects.filter(source="ftm", status="succeeded").count() == 1
    assert Actor.objects.filter(countries__iso3=DEMO_COUNTRY).count() == 16
    assert Relationship.objects.filter(kind="command").count() == 8
    assert Relationship.objects.filter(kind="supply").get().target.name == "7th Mountain Brigade (fictional)"
    assert all("fictional" in name for name in Actor.objects.values_list("name", flat=True))


def test_the_fictional_network_is_not_loaded_beside_real_data():
    """With real data present seed_demo's signal says so, and no fictional actor is created on a real country."""
    demo_seeded.send(sender=None, stdout=None, real_data=True)
    assert not Actor.objects.exists()


def test_the_fictional_network_alone_keeps_demonstration_mode():
    """The demo network's import is marked demonstration: the banner stays and nothing is retired by it."""
    demo_seeded.send(sender=None, stdout=None)
    assert DatasetImport.objects.get(source="ftm").demonstration
    assert not real_data_present()
    assert not Actor.objects.filter(withdrawn=True).exists()


def test_a_real_dataset_import_withdraws_the_fictional_network(tmp_path, django_capture_on_commit_callbacks):
    """The first real import withdraws every fictional actor and tie (history keeps them) and says so per country."""
    demo_seeded.send(sender=None, stdout=None)
    actors = Actor.objects.count()
    path = tmp_path / "ucdp.csv"
    path.write_text(f"{UCDP_HEADER}\n775,Myanmar,2021,2500,0,1200,1300\n")
    with django_capture_on_commit_callbacks(execute=True):
        real = dataset_import_run(source="ucdp_country_year", path_or_file=path)
    assert real.status == "succeeded"
    assert Actor.objects.count() == actors and not Actor.objects.filter(withdrawn=False).exists()
    assert not Relationship.objects.filter(withdrawn=False).exists()
    assert ActorVersion.objects.filter(withdrawn=True, dataset_import=real).count() == actors
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DEMONSTRATION_RETIRED, country__iso3=DEMO_COUNTRY)
    assert f"Fictional demonstration network withdrawn ({actors} actors" in event.summary


def test_a_real_network_import_retires_the_fictional_one_and_keeps_its_own(country_a, alice):
    """A real actor network is real data too: its actors stay, the fictional ones leave the graph."""
    demo_seeded.send(sender=None, stdout=None)
    ftm_import_run(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    assert real_data_present()
    assert not Actor.objects.filter(name__contains="(fictional)", withdrawn=False).exists()
    assert Actor.objects.filter(countries=country_a, withdrawn=False).exists()
