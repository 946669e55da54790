"""Two edits of one actor or relationship at the same moment both land, one version after the other, never a 500."""

import threading

import pytest
from django.db import connection, connections

from networks.models import Actor, ActorVersion, Relationship, RelationshipVersion
from networks.services import actor_record, relationship_record

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers"),
    pytest.mark.django_db(transaction=True),
]

EDITORS = 4


def _at_once(edit) -> list[str]:
    """Run edit(number) in EDITORS threads released together; returns what each ended with."""
    barrier = threading.Barrier(EDITORS)
    results: list[str] = []

    def run(number):
        try:
            barrier.wait(timeout=10)
            edit(number)
            results.append("saved")
        except Exception as exc:  # noqa: BLE001  (the test reports whatever escaped)
            results.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(EDITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _actor(alice, name="Colonel Example", kind="person"):
    return actor_record(
        user=alice, kind=kind, name=name, country_codes=["QAA"], sources=["https://example.org/a"], confidence="medium"
    )


def test_analysts_editing_one_actor_at_once_each_add_a_version(alice, country_a):
    """Each concurrent edit appends its own version (2..5) instead of two claiming one number."""
    actor = _actor(alice)

    def edit(number):
        actor_record(
            user=alice,
            actor=Actor.objects.get(pk=actor.pk),
            kind="person",
            name=f"Colonel Example {number}",
            country_codes=["QAA"],
            sources=["https://example.org/a"],
            confidence="medium",
        )

    assert _at_once(edit) == ["saved"] * EDITORS
    versions = sorted(ActorVersion.objects.filter(actor=actor).values_list("version", flat=True))
    assert versions == list(range(1, EDITORS + 2))
    assert Actor.objects.get(pk=actor.pk).version == EDITORS + 1


def test_analysts_editing_one_relationship_at_once_each_add_a_version(alice, country_a):
    """The same for a relationship between two actors."""
    source, target = _actor(alice), _actor(alice, name="Example Brigade", kind="armed_group")
    relationship = relationship_record(
        user=alice,
        kind="membership",
        source=source,
        target=target,
        sources=["https://example.org/b"],
        confidence="high",
    )

    def edit(number):
        relationship_record(
            user=alice,
            relationship=Relationship.objects.get(pk=relationship.pk),
            kind="membership",
            source=source,
            target=target,
            label=f"member {number}",
            sources=["https://example.org/b"],
            confidence="high",
        )

    assert _at_once(edit) == ["saved"] * EDITORS
    versions = sorted(RelationshipVersion.objects.filter(relationship=relationship).values_list("version", flat=True))
    assert versions == list(range(1, EDITORS + 2))
