"""Roles and the permission layer every page, endpoint and service reuses.

A user's role is the Django group they belong to; analysts are attached to desks, and a desk owns countries.
Superusers count as administrators. Checks here are the only place role logic lives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from indicators.models import Country


class Role(StrEnum):
    ANALYST = "analyst"
    FOCAL_POINT = "focal_point"
    VIEWER = "viewer"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ANALYST: "Analyst",
    Role.FOCAL_POINT: "R2P Focal Point",
    Role.VIEWER: "Viewer",
    Role.ADMINISTRATOR: "Administrator",
}


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[Role]:
    """The roles of a user, read once per request object and cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_atrocity_watch_roles", None)
    if cached is not None:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    roles = {role for role in Role if role.value in names}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    result = frozenset(roles)
    user._atrocity_watch_roles = result
    return result


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: Role) -> bool:
    """True when the user holds at least one of the given roles."""
    return bool(user_roles(user) & set(roles))


def user_desk_ids(user: AbstractBaseUser | AnonymousUser) -> frozenset[int]:
    """Ids of the desks the user belongs to, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_atrocity_watch_desk_ids", None)
    if cached is not None:
        return cached
    result = frozenset(user.desks.values_list("id", flat=True))
    user._atrocity_watch_desk_ids = result
    return result


def is_desk_analyst(user: AbstractBaseUser | AnonymousUser, country: Country) -> bool:
    """True when the user is an analyst on the desk that owns the country."""
    return has_role(user, Role.ANALYST) and country.desk_id is not None and country.desk_id in user_desk_ids(user)


def can_record_assessment(user: AbstractBaseUser | AnonymousUser, country: Country) -> bool:
    """Analysts of the country's desk record assessments for it; administrators may enter corrections."""
    return is_desk_analyst(user, country) or has_role(user, Role.ADMINISTRATOR)


def can_record_any_assessment(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Analysts and administrators may record assessments at all; the country's desk is checked per assessment."""
    return has_role(user, Role.ANALYST, Role.ADMINISTRATOR)


def can_escalate(user: AbstractBaseUser | AnonymousUser, country: Country) -> bool:
    """Only analysts of the country's desk raise escalations for it."""
    return is_desk_analyst(user, country)


def can_decide(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Only the R2P Focal Point decides on escalations."""
    return has_role(user, Role.FOCAL_POINT)


ESCALATION_DRAFT_STATE = "draft"


def can_view_escalation(
    user: AbstractBaseUser | AnonymousUser, *, country: Country, created_by_id: int, state: str
) -> bool:
    """Who reads an escalation (its page, API record, timeline entries and notifications).

    A draft is a working note: only its author and the analysts of the desk that owns the country read it (desk
    colleagues share a country's cases and may already edit and submit its drafts). Once submitted, focal points,
    viewers and administrators read every case; analysts read their desk's cases and their own.
    alerts.selectors.escalations_visible_to is the same rule as a query; a test holds the two together.
    """
    if not user_roles(user):
        return False
    mine = created_by_id == user.pk
    if state == ESCALATION_DRAFT_STATE:
        return mine or is_desk_analyst(user, country)
    if has_role(user, Role.FOCAL_POINT, Role.VIEWER, Role.ADMINISTRATOR):
        return True
    return is_desk_analyst(user, country) or (has_role(user, Role.ANALYST) and mine)


def can_handle_alert(user: AbstractBaseUser | AnonymousUser, country: Country) -> bool:
    """Analysts of the country's desk and the Focal Point acknowledge or dismiss its alerts."""
    return is_desk_analyst(user, country) or has_role(user, Role.FOCAL_POINT)


def can_record_trigger_event(user: AbstractBaseUser | AnonymousUser, country: Country) -> bool:
    """Analysts of the country's desk and the Focal Point record court findings, inquiries and notifications."""
    return is_desk_analyst(user, country) or has_role(user, Role.FOCAL_POINT)


def can_update_response_action(user: AbstractBaseUser | AnonymousUser, *, owner_account_id: int | None) -> bool:
    """The Focal Point, and the account that owns a response action, update the action's status.

    Owners are often officials of other departments who hold only the viewer role here; updating the status of an
    action they own is their part of the tracker, so the owner needs no particular role, only an active account.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return can_decide(user) or (owner_account_id is not None and owner_account_id == user.pk)


def can_edit_impact_assessment(
    user: AbstractBaseUser | AnonymousUser, *, country: Country, owner_id: int | None
) -> bool:
    """An Atrocity Impact Assessment's owner, the analysts of its country's desk and the Focal Point edit it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (owner_id is not None and owner_id == user.pk) or can_record_trigger_event(user, country)


def trigger_event_country_scope(user: AbstractBaseUser | AnonymousUser) -> str:
    """Which countries the user may record trigger events for: "all" (Focal Point), "desk" (analysts) or "none"."""
    if has_role(user, Role.FOCAL_POINT):
        return "all"
    if has_role(user, Role.ANALYST):
        return "desk"
    return "none"


def can_administer(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Administrators manage users, desks, reference data, methodology versions and alert rules."""
    return has_role(user, Role.ADMINISTRATOR)


def can_read(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Every signed-in user with any role reads country pages, scores and decisions."""
    return bool(user_roles(user))


def require_roles(user: AbstractBaseUser | AnonymousUser, *roles: Role) -> None:
    """Raise PermissionDenied unless the user holds one of the roles."""
    if not has_role(user, *roles):
        wanted = ", ".join(role.label for role in roles)
        raise PermissionDenied(f"This needs one of these roles: {wanted}.")


def role_required(*roles: Role) -> Callable:
    """Decorator for function views: 403 unless the signed-in user holds one of the roles."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            require_roles(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


ALL_ROLES = tuple(Role)


def can_edit_network(user: AbstractBaseUser | AnonymousUser, countries) -> bool:
    """Analysts of the desk owning at least one of the countries an actor or relationship concerns edit it;
    administrators may enter corrections. Everyone else with a role reads the network."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return any(is_desk_analyst(user, country) for country in countries)


def can_link_actors(user: AbstractBaseUser | AnonymousUser, country: Country) -> bool:
    """Analysts of the country's desk and the Focal Point name the actors an escalation or a response action
    concerns (the Focal Point assigns response actions, analysts build the case)."""
    return is_desk_analyst(user, country) or has_role(user, Role.FOCAL_POINT)


def can_prepare_report(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Administrators and the Focal Point generate reports to Parliament, review drafts, publish and correct them."""
    return has_role(user, Role.FOCAL_POINT, Role.ADMINISTRATOR)


def can_approve_report(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Only the R2P Focal Point approves a draft report for publication."""
    return has_role(user, Role.FOCAL_POINT)


def can_read_report(user: AbstractBaseUser | AnonymousUser, *, published: bool) -> bool:
    """Every role reads published reports (both editions); only those who prepare reports read the others."""
    return can_prepare_report(user) if not published else can_read(user)
