"""Network edits are audited like every other change and show on each concerned country's timeline."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from networks.models import Actor
from networks.services import actor_record, relationship_record

pytestmark = pytest.mark.django_db

KIND = AuditEvent.Kind


def _network_events(**filters):
    return list(AuditEvent.objects.filter(kind__startswith="network_", **filters).order_by("pk"))


def test_an_import_is_audited_once_per_country_it_changed(imported_network, alice):
    """The small file touches QAA and GBR: one import entry each, by the analyst who imported it."""
    events = _network_events(kind=KIND.NETWORK_IMPORTED)
    assert sorted(event.country.iso3 for event in events) == ["GBR", "QAA"]
    assert all(event.actor == alice for event in events)
    assert all(event.details["dataset_import_id"] == imported_network.pk for event in events)
    assert "Created 5 actors" in events[0].summary


def test_creating_updating_and_withdrawing_an_actor_are_audited(alice, country_a):
    """Each edit of an actor is one entry, naming the actor, its version and the analyst's note."""
    actor = actor_record(
        user=alice, kind="person", name="Maj. Audit", country_codes=["QAA"], sources=["Cable"], confidence="low"
    )
    actor_record(
        user=alice,
        actor=actor,
        kind="person",
        name="Maj. Audit",
        country_codes=["QAA"],
        sources=["Cable", "Panel report"],
        confidence="medium",
        note="Second source",
    )
    actor_record(
        user=alice,
        actor=actor,
        kind="person",
        name="Maj. Audit",
        country_codes=["QAA"],
        sources=["Cable"],
        confidence="medium",
        withdrawn=True,
        note="Duplicate record",
    )
    events = _network_events(country=country_a)
    assert [event.kind for event in events] == [
        KIND.NETWORK_ACTOR_RECORDED,
        KIND.NETWORK_ACTOR_RECORDED,
        KIND.NETWORK_ACTOR_WITHDRAWN,
    ]
    assert events[0].summary == "Person “Maj. Audit” added to the network."
    assert events[1].summary == "Person “Maj. Audit” updated (version 2)." and events[1].reason == "Second source"
    assert events[2].reason == "Duplicate record" and events[2].details["actor_id"] == actor.pk
    assert all(event.actor == alice for event in events)


def test_recording_and_withdrawing_a_relationship_are_audited(imported_network, alice, country_a):
    """A new tie and its withdrawal each leave an entry that names both ends."""
    general = Actor.objects.get(ftm_id="general")
    colonel = Actor.objects.get(ftm_id="colonel")
    arguments = {"kind": "associate", "source": general, "target": colonel, "sources": ["Cable"], "confidence": "low"}
    tie = relationship_record(user=alice, **arguments)
    relationship_record(user=alice, relationship=tie, withdrawn=True, note="Not confirmed", **arguments)
    events = _network_events(country=country_a, kind__in=[KIND.NETWORK_TIE_RECORDED, KIND.NETWORK_TIE_WITHDRAWN])
    assert [event.kind for event in events] == [KIND.NETWORK_TIE_RECORDED, KIND.NETWORK_TIE_WITHDRAWN]
    assert events[0].summary == "Associate recorded: Gen. Test → Col. Test."
    assert events[1].summary == "Associate withdrawn: Gen. Test → Col. Test."
    assert events[1].details["relationship_id"] == tie.pk


def test_the_country_timeline_shows_network_edits_linked_to_the_actor(client, victor, alice, country_a):
    """A viewer reads the new actor on the country page's timeline, linked to its profile."""
    actor = actor_record(
        user=alice,
        kind="armed_group",
        name="Timeline Front",
        country_codes=["QAA"],
        sources=["Cable"],
        confidence="low",
    )
    client.force_login(victor)
    page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "Armed group “Timeline Front” added to the network." in page
    assert reverse("networks:actor_detail", args=[actor.pk]) in page
