"""Who asks, without the database on every request: the signed-in user (with their roles and desks) and the API
token, kept per user in the shared cache (core.user_cache, scope "identity").

Django's AuthenticationMiddleware reads the user's row on every request, and the role and desk checks two more; the
token authentication one. Here the user, their roles and desk ids are kept together under the generation of the
identity scope, which every save or deletion of a user, group, desk, API token and every change of group or desk
membership replaces (receivers below); a session is accepted from the cache only when its password hash matches
the kept user's, as Django checks it. Anything else (no cache shared between processes, a session of another
backend) takes Django's own path.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from atrocity_watch.models import ApiToken
from core.roles import user_desk_ids, user_roles
from core.user_cache import generation_replace, page_scope_register, user_value_lookup, user_values_cached
from indicators.models import Desk

IDENTITY = "identity"
page_scope_register(IDENTITY)  # every page's header names the user and their roles


def identity_prime(user):
    """The user with their roles and desk ids read (and held on the object), as the cache keeps it."""
    if user is not None and getattr(user, "is_authenticated", False):
        user_roles(user)
        user_desk_ids(user)
    return user


def session_user(request):
    """The user of the request's session: Django's auth.get_user, served from the cache when it holds this user
    and the session's password hash still matches theirs (a changed password ends the session as before)."""
    if not user_values_cached():
        return auth.get_user(request)
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValueError):
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    user, key = user_value_lookup(
        IDENTITY,
        "user",
        user_id,
        lambda: identity_prime(auth.get_user(request)),
        keep=lambda found: getattr(found, "is_authenticated", False) and found.pk == user_id,
    )
    if key is None:
        return user  # Django's answer, not kept (anonymous)
    session_hash = request.session.get(auth.HASH_SESSION_KEY) or ""
    if user.is_active and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    return auth.get_user(request)  # Django decides (fallback secrets, flushing the session)


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with request.user from session_user."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = session_user(request)
    return request._cached_user


def _identity_changed(**kwargs) -> None:
    generation_replace(IDENTITY)


# Every table a kept identity is built from: the user row (password, is_active, is_superuser, names), groups (roles),
# desks and memberships, API tokens (revocation, expiry).
for _model in (settings.AUTH_USER_MODEL, Group, Desk, ApiToken):
    post_save.connect(_identity_changed, sender=_model, dispatch_uid=f"identity_save_{_model}")
    post_delete.connect(_identity_changed, sender=_model, dispatch_uid=f"identity_delete_{_model}")


@receiver(m2m_changed, dispatch_uid="identity_memberships")
def _memberships_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and sender in (
        Desk.analysts.through,
        Group.user_set.through,
    ):
        generation_replace(IDENTITY)
