"""Reads for API tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from atrocity_watch.models import ApiToken
from atrocity_watch.services import token_hash


def api_tokens_for_user(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The live token matching the secret, with its user, or None when unknown, revoked or expired."""
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(secret), revoked_at__isnull=True).first()
    if token is None:
        return None
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return None
    return token
