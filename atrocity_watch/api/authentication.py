"""Token authentication: `Authorization: Bearer <token>` (or `Token <token>`) against the hashed ApiToken table.

Failed attempts are counted per client address and minute; past API_TOKEN_FAILURES_PER_MINUTE every token from that
address answers 429 until the minute ends, so tokens cannot be guessed at the speed of the server."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from atrocity_watch.api.throttling import window_count
from atrocity_watch.selectors import api_token_authenticate
from atrocity_watch.services import api_token_mark_used
from core.user_cache import user_value_put

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by a per-user API token; request.auth is the ApiToken."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in KEYWORDS:
            return None
        failures_key, wait = failures_window(request)
        limit = settings.API_TOKEN_FAILURES_PER_MINUTE
        if (cache.get(failures_key) or 0) >= limit:
            raise exceptions.Throttled(
                wait=wait, detail=f"Too many failed token attempts from this address; at most {limit} a minute."
            )
        try:
            return self._authenticate_token(header)
        except exceptions.AuthenticationFailed:
            window_count(failures_key, duration=60)
            raise

    def _authenticate_token(self, header):
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The token contains characters a token never has.") from exc
        token = api_token_authenticate(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is unknown, revoked or expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The account that owns this token is deactivated.")
        used = token.last_used_at
        api_token_mark_used(token=token)
        if token.last_used_at != used:
            user_value_put(token.cache_key, token)  # else the kept copy would stamp again on every request
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def failures_window(request) -> tuple[str, float]:
    """The cache key counting this address's failed token attempts in the current minute, and seconds left in it."""
    now = time.time()
    address = BaseThrottle().get_ident(request)
    return f"api:token-failures:{address}:{int(now // 60)}", 60 - now % 60


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token created at /account/tokens/. Send `Authorization: Bearer <token>`.",
        }
