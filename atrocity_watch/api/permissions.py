"""DRF permissions that defer to core.roles, the one place role logic lives."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from core.roles import can_read


class HasAnyRole(BasePermission):
    """Reading needs a signed-in user with a role; writes are checked again by the services they call."""

    message = "Your account has no role in Atrocity Watch; ask an administrator for one."

    def has_permission(self, request, view):
        return can_read(request.user)
