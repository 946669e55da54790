"""Writes for API tokens: create (returning the only copy of the secret) and revoke."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from atrocity_watch.models import ApiToken

TOKEN_BYTES = 32
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_token_create(*, user, name: str, expires_at: dt.datetime | None = None) -> CreatedToken:
    """Create a token for the user; the secret is returned once and only its hash is stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name that says what it is for."})
    if len(name) > 100:
        raise ValidationError({"name": "The name can be at most 100 characters."})
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError({"expires_at": "The expiry needs a time zone."})
        if expires_at <= timezone.now():
            raise ValidationError({"expires_at": "The expiry must be in the future."})
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=token_hash(secret), key_prefix=secret[:8], expires_at=expires_at
    )
    return CreatedToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once."""
    if token.user_id != user.pk:
        raise PermissionDenied("You can only revoke your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record when a token was last used, at most once a minute so reads stay one query cheap."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
