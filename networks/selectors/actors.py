"""Actors and relationships for lists and detail pages: timelines, links to escalations and sanctions actions,
position in the network and a country's network summary."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from alerts.models import Escalation, ResponseAction, Tool
from core.roles import can_view_escalation
from indicators.models import Country
from networks import ftm
from networks.models import (
    Actor,
    ActorVersion,
    AnalysisRun,
    EscalationActor,
    Relationship,
    RelationshipKind,
    RelationshipVersion,
    SanctionTarget,
)
from networks.selectors.graph import analysis_run_current, graph_size


def actors_list(*, country: Country | None = None, kind: str = "", query: str = "") -> QuerySet[Actor]:
    queryset = Actor.objects.prefetch_related("countries").order_by("name", "pk")
    if country is not None:
        queryset = queryset.filter(countries=country)
    if kind:
        queryset = queryset.filter(kind=kind)
    if query:
        queryset = queryset.filter(name__icontains=query)
    return queryset


def relationships_list(*, country: Country | None = None, kind: str = "") -> QuerySet[Relationship]:
    queryset = Relationship.objects.select_related("source", "target").prefetch_related("countries").order_by("pk")
    if country is not None:
        queryset = queryset.filter(countries=country)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def actor_relationships(*, actor: Actor) -> list[Relationship]:
    """The actor's relationships, less those whose other end is a withdrawn actor."""
    return list(
        Relationship.objects.filter(Q(source=actor) | Q(target=actor))
        .exclude(source=actor, target__withdrawn=True)
        .exclude(target=actor, source__withdrawn=True)
        .select_related("source", "target")
        .order_by("kind", "valid_from", "pk")
    )


def actor_timeline(*, actor: Actor) -> list[dict]:
    """Every recorded version of the actor and of its relationships, newest first."""
    entries = [
        {
            "at": version.recorded_at,
            "what": "actor",
            "version": version,
            "by": version.author,
            "via": version.dataset_import,
        }
        for version in ActorVersion.objects.filter(actor=actor).select_related("author", "dataset_import")
    ]
    related = RelationshipVersion.objects.filter(Q(source=actor) | Q(target=actor)).select_related(
        "author", "dataset_import", "source", "target", "relationship"
    )
    entries += [
        {
            "at": version.recorded_at,
            "what": "relationship",
            "version": version,
            "by": version.author,
            "via": version.dataset_import,
        }
        for version in related
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries


def actor_escalations(*, actor: Actor, user) -> list[EscalationActor]:
    links = EscalationActor.objects.filter(actor=actor).select_related("escalation__country", "added_by")
    return [
        link
        for link in links
        if can_view_escalation(
            user,
            country=link.escalation.country,
            created_by_id=link.escalation.created_by_id,
            state=link.escalation.state,
        )
    ]


def actor_sanction_targets(*, actor: Actor) -> list[SanctionTarget]:
    return list(SanctionTarget.objects.filter(actor=actor).select_related("action__country", "added_by"))


def escalation_actors(*, escalation: Escalation) -> list[EscalationActor]:
    return list(EscalationActor.objects.filter(escalation=escalation).select_related("actor", "added_by"))


def action_targets(*, action: ResponseAction) -> list[SanctionTarget]:
    return list(SanctionTarget.objects.filter(action=action).select_related("actor", "added_by"))


def action_targets_by_action(*, actions: list[ResponseAction]) -> dict[int, list[Actor]]:
    """The target actors of each targeted-sanctions action among these, in one query, for the actions tracker."""
    wanted = [action.pk for action in actions if action.tool == Tool.TARGETED_SANCTIONS]
    found: dict[int, list[Actor]] = {}
    if not wanted:
        return found
    links = SanctionTarget.objects.filter(action_id__in=wanted).select_related("actor").order_by("actor__name")
    for link in links:
        found.setdefault(link.action_id, []).append(link.actor)
    return found


def escalations_linkable(*, actor: Actor, user) -> list[Escalation]:
    """Open escalations of the actor's countries that the user may read (and so name actors in)."""
    countries = list(actor.countries.all())
    escalations = Escalation.objects.filter(country__in=countries).exclude(state=Escalation.State.CLOSED)
    return [
        escalation
        for escalation in escalations.select_related("country").order_by("-created_at")[:50]
        if can_view_escalation(
            user, country=escalation.country, created_by_id=escalation.created_by_id, state=escalation.state
        )
    ]


def sanctions_actions_linkable(*, actor: Actor) -> list[ResponseAction]:
    return list(
        ResponseAction.objects.filter(
            tool=Tool.TARGETED_SANCTIONS, country__in=actor.countries.all(), status__in=ResponseAction.OPEN_STATUSES
        )
        .select_related("country")
        .order_by("due_on", "pk")
    )


def actor_position(*, actor: Actor) -> dict:
    """Where an actor sits in the network of each of its countries, from the current analysis if one exists."""
    positions = []
    for country in actor.countries.all():
        run = analysis_run_current(country=country)
        if run is None or run.status != AnalysisRun.Status.SUCCEEDED:
            positions.append({"country": country, "run": run, "metrics": None})
            continue
        metrics = run.results.get("metrics", {}).get(str(actor.pk))
        ranked = [item["id"] for item in run.results.get("betweenness", [])]
        brokers = {item["id"] for item in run.results.get("brokers", [])}
        positions.append(
            {
                "country": country,
                "run": run,
                "metrics": metrics,
                "betweenness_rank": ranked.index(actor.pk) + 1 if actor.pk in ranked else None,
                "is_broker": actor.pk in brokers,
                "size": run.actors_count,
            }
        )
    return {"positions": positions}


def network_summary(*, country: Country, size: tuple[int, int] | None = None) -> dict:
    """Size of a country's network (counted once per graph version) and its newest changes, for the country page."""
    actors, relationships = size or graph_size(country=country)
    newest = list(
        ActorVersion.objects.filter(actor__countries=country)
        .select_related("actor", "author")
        .order_by("-recorded_at", "-id")[:5]
    )
    newest_relationships = list(
        RelationshipVersion.objects.filter(relationship__countries=country)
        .select_related("source", "target", "author")
        .order_by("-recorded_at", "-id")[:5]
    )
    changes = sorted(
        [{"at": v.recorded_at, "actor_version": v} for v in newest]
        + [{"at": v.recorded_at, "relationship_version": v} for v in newest_relationships],
        key=lambda entry: entry["at"],
        reverse=True,
    )[:5]
    return {"actors": actors, "relationships": relationships, "changes": changes}


def _position_text(actor: Actor, country: Country) -> str:
    run = analysis_run_current(country=country)
    if run is None or run.status != AnalysisRun.Status.SUCCEEDED:
        return "not analysed since the last change; open the country's network"
    ranked = [item["id"] for item in run.results.get("betweenness", [])]
    brokers = {item["id"] for item in run.results.get("brokers", [])}
    metrics = run.results.get("metrics", {}).get(str(actor.pk))
    if metrics is None:
        return "not in this country's network"
    parts = [f"betweenness {metrics[1]:.3f}, degree {metrics[0]:.3f}"]
    if actor.pk in ranked:
        parts.append(f"rank {ranked.index(actor.pk) + 1} of {run.actors_count} by betweenness")
    if actor.pk in brokers:
        parts.append("a broker: its removal splits the network")
    return "; ".join(parts)


def escalation_sanction_targets(*, escalation: Escalation) -> list[dict]:
    """The target actors of the escalation's targeted-sanctions actions, with their network position and whether
    they are already sanctioned (by us, or by others)."""
    targets = SanctionTarget.objects.filter(action__escalation=escalation).select_related("actor", "action__country")
    home_ftm = ftm.iso3_to_ftm_country(settings.NETWORK_HOME_JURISDICTION)
    rows = []
    for target in targets:
        designations = list(
            Relationship.objects.filter(source=target.actor, kind=RelationshipKind.SANCTION, withdrawn=False)
        )
        by_home = any(home_ftm in designation.properties.get("country", []) for designation in designations)
        sanctioned = (
            f"Yes, by {settings.NETWORK_HOME_JURISDICTION}"
            if by_home
            else ("By others: " + "; ".join(d.label for d in designations) if designations else "No")
        )
        rows.append(
            {
                "actor": target.actor,
                "actor_id": target.actor_id,
                "position": _position_text(target.actor, target.action.country),
                "sanctioned": sanctioned,
            }
        )
    return rows
