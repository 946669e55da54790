"""Reads for API tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from atrocity_watch.identity import IDENTITY, identity_prime
from atrocity_watch.models import ApiToken
from atrocity_watch.services import token_hash
from core.user_cache import user_value_lookup, user_values_cached


def api_tokens_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The live token matching the secret, with its user (roles and desks read), or None when unknown, revoked or
    expired. Kept per token in the identity cache (atrocity_watch.identity), which a token's revocation, its user's
    change or a change of roles or desks makes stale; `token.cache_key` is where, for api_token_mark_used's stamp."""
    token, key = user_value_lookup(
        IDENTITY,
        "api-token",
        token_hash(secret),
        lambda: _token_unrevoked(secret),
        keep=lambda found: found is not None,
    )
    if token is None or api_token_expired(token):
        return None
    token.cache_key = key
    return token


def api_token_expired(token: ApiToken, *, now=None) -> bool:
    """True once the token's expiry time (if it has one) has come."""
    return token.expires_at is not None and token.expires_at <= (now or timezone.now())


def _token_unrevoked(secret: str) -> ApiToken | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(secret), revoked_at__isnull=True).first()
    if token is not None and user_values_cached():
        identity_prime(token.user)  # kept with the token; read only when asked otherwise
    return token
