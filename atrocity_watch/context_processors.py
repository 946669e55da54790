from atrocity_watch.roles import Role, user_roles


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
