"""The demo network: fictional, clearly marked, loaded through the FtM importer, once."""

import pytest

from indicators.models import DatasetImport
from indicators.signals import demo_seeded
from networks.demo import DEMO_COUNTRY, demo_network_entities
from networks.models import Actor, Relationship

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
