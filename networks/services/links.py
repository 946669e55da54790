"""Linking actors to escalations and to sanctions actions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from alerts.models import Escalation, ResponseAction, Tool
from core.roles import can_link_actors
from networks.models import Actor, EscalationActor, SanctionTarget

# ------------------------------------------------------------------------------------------------------------------
# Links from the workflow


def escalation_actor_link(*, user, escalation: Escalation, actor: Actor, note: str = "") -> EscalationActor:
    """Name an actor the escalation concerns; analysts of the case's desk and the Focal Point."""
    if not can_link_actors(user, escalation.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point name an escalation's actors.")
    link, _created = EscalationActor.objects.get_or_create(
        escalation=escalation, actor=actor, defaults={"added_by": user, "note": note.strip()[:300]}
    )
    return link


def escalation_actor_unlink(*, user, escalation: Escalation, actor: Actor) -> None:
    if not can_link_actors(user, escalation.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point change an escalation's actors.")
    EscalationActor.objects.filter(escalation=escalation, actor=actor).delete()


def sanction_target_add(*, user, action: ResponseAction, actor: Actor, note: str = "") -> SanctionTarget:
    """Name an actor as a target of a targeted-sanctions response action."""
    if action.tool != Tool.TARGETED_SANCTIONS:
        raise ValidationError({"action": "Only a targeted-sanctions action names target actors."})
    if not can_link_actors(user, action.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point name sanctions targets.")
    target, _created = SanctionTarget.objects.get_or_create(
        action=action, actor=actor, defaults={"added_by": user, "note": note.strip()[:300]}
    )
    return target


def sanction_target_remove(*, user, action: ResponseAction, actor: Actor) -> None:
    if not can_link_actors(user, action.country):
        raise PermissionDenied("Only analysts of the country's desk and the Focal Point change sanctions targets.")
    SanctionTarget.objects.filter(action=action, actor=actor).delete()
