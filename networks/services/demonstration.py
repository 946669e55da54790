"""The demo's fictional network leaves the graph once real data is in (`indicators.signals.demonstration_retired`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.defaultfilters import pluralize

from core.models import AuditEvent
from indicators.models import Country, DatasetImport
from networks.models import Actor, Relationship
from networks.services.audit import countries_audit
from networks.services.common import ACTOR_FIELDS, RELATIONSHIP_FIELDS
from networks.services.records import version_append

WITHDRAWN_NOTE = "Demonstration data retired: real data imported (import #{pk})."


def demonstration_network_withdraw(
    *, dataset_import: DatasetImport, demonstration_imports: Sequence[DatasetImport]
) -> tuple[int, int]:
    """Withdraw every actor and tie a demonstration import recorded (a new version each, credited to the real import
    that retires them, so history keeps them); one audit entry per country. Returns (actors, ties) withdrawn."""
    note = WITHDRAWN_NOTE.format(pk=dataset_import.pk)
    ties = Relationship.objects.filter(versions__dataset_import__in=demonstration_imports, withdrawn=False).distinct()
    actors = Actor.objects.filter(versions__dataset_import__in=demonstration_imports, withdrawn=False).distinct()
    country_ids: set[int] = set()
    withdrawn = [0, 0]
    for index, (heads, fields) in enumerate(((ties, RELATIONSHIP_FIELDS), (actors, ACTOR_FIELDS))):
        for head in heads.prefetch_related("countries"):
            countries = list(head.countries.all())
            values = {field: getattr(head, field) for field in fields} | {"withdrawn": True}
            version_append(head, values, countries, author=None, dataset_import=dataset_import, note=note)
            country_ids.update(country.pk for country in countries)
            withdrawn[index] += 1
    ties_count, actors_count = withdrawn
    if actors_count or ties_count:
        countries_audit(
            kind=AuditEvent.Kind.DEMONSTRATION_RETIRED,
            user=dataset_import.started_by,
            countries=Country.objects.filter(pk__in=country_ids).order_by("iso3"),
            summary=(
                f"Fictional demonstration network withdrawn ({actors_count} actor{pluralize(actors_count)}, "
                f"{ties_count} tie{pluralize(ties_count)}): real data imported."
            ),
            details={"dataset_import_id": dataset_import.pk},
            reason=note,
        )
    return actors_count, ties_count
