from django.urls import reverse

from core import extensions
from core.roles import Role, user_roles


def roles(request):
    """Expose the user's roles to templates so navigation shows only what the user may use."""
    held = user_roles(request.user) if hasattr(request, "user") else frozenset()
    return {
        "user_roles": held,
        "is_analyst": Role.ANALYST in held,
        "is_focal_point": Role.FOCAL_POINT in held,
        "is_viewer": Role.VIEWER in held,
        "is_administrator": Role.ADMINISTRATOR in held,
        "role_labels": sorted(role.label for role in held),
    }


def header_items(request):
    """The navigation links other apps register (core.extensions.header_items) that this user may see."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"header_items": []}
    items = []
    for item in extensions.header_items:
        if not item.visible(request):
            continue
        # Computed for this request's user on every page: a per-user number is never cached across users.
        badge = item.badge(request) or 0
        items.append(
            {
                "name": item.name,
                "label": item.label,
                "url": reverse(item.url_name),
                "active": item.active(request),
                "badge": badge,
                "badge_label": item.badge_label.format(n=badge) if badge else "",
            }
        )
    return {"header_items": items}
