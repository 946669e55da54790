"""Network edits in the audit trail: one entry per country an edit concerns, so each country's timeline shows it."""

from __future__ import annotations

from collections.abc import Iterable

from core.models import AuditEvent
from core.services import audit_record
from indicators.models import Country
from networks.models import Actor, Relationship

Kind = AuditEvent.Kind


def countries_audit(
    *, kind: str, user, countries: Iterable[Country], summary: str, details: dict, reason: str = ""
) -> None:
    """One audit entry for each country a network change concerns, each with its ISO-3 code in the details."""
    for country in countries:
        audit_record(
            kind=kind,
            actor=user,
            country=country,
            summary=summary,
            reason=reason,
            details={**details, "iso3": country.iso3},
        )


def actor_audit(*, actor: Actor, user, countries: list[Country], was_withdrawn: bool | None, note: str) -> None:
    """Audit a new actor, a new version of one, or its withdrawal (`was_withdrawn` is None for a new actor)."""
    if actor.withdrawn and not was_withdrawn:
        kind, verb = Kind.NETWORK_ACTOR_WITHDRAWN, "withdrawn from the network"
    elif was_withdrawn is None:
        kind, verb = Kind.NETWORK_ACTOR_RECORDED, "added to the network"
    else:
        kind, verb = Kind.NETWORK_ACTOR_RECORDED, f"updated (version {actor.version})"
    summary = f"{actor.get_kind_display()} “{actor.name}” {verb}."
    details = {"actor_id": actor.pk, "version": actor.version}
    countries_audit(kind=kind, user=user, countries=countries, summary=summary, details=details, reason=note)


def relationship_audit(
    *, relationship: Relationship, user, countries: list[Country], was_withdrawn: bool | None, note: str
) -> None:
    """Audit a new relationship, a new version of one, or its withdrawal (`was_withdrawn` is None for a new one)."""
    if relationship.withdrawn and not was_withdrawn:
        kind, verb = Kind.NETWORK_TIE_WITHDRAWN, "withdrawn"
    elif was_withdrawn is None:
        kind, verb = Kind.NETWORK_TIE_RECORDED, "recorded"
    else:
        kind, verb = Kind.NETWORK_TIE_RECORDED, f"updated (version {relationship.version})"
    source = relationship.source.name
    ends = f"{source} → {relationship.target.name}" if relationship.target_id else source
    summary = f"{relationship.get_kind_display()} {verb}: {ends}."
    details = {"relationship_id": relationship.pk, "actor_id": relationship.source_id, "version": relationship.version}
    countries_audit(kind=kind, user=user, countries=countries, summary=summary, details=details, reason=note)


def import_audit(*, dataset_import, country_ids: set[int], line: str) -> None:
    """Audit an FtM import once for each country whose network it changed."""
    countries = Country.objects.filter(pk__in=country_ids).order_by("iso3")
    summary = f"Actor network imported from {dataset_import.file_name}: {line.replace(' (listed below)', '')}"
    details = {"dataset_import_id": dataset_import.pk}
    countries_audit(
        kind=Kind.NETWORK_IMPORTED,
        user=dataset_import.started_by,
        countries=countries,
        summary=summary,
        details=details,
    )
