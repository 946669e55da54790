"""Kept API answers sent before the rest of the stack: the score answers a script asks for with its token, over and
over, replayed as the whole stack last answered them, after the same checks.

The latest scores and a country's history (indicators.api.caching) are the same for every reader under one data
version. Answered in full, such an answer still cost about 1.7 ms of CPU in Django's and DRF's layers around a
cache read (sessions, CSRF, URL resolution, content negotiation, authentication, permissions, throttling), most of
the API's CPU at 50 concurrent clients. This middleware, the outermost, keeps the headers of the final answer
(status 200, as every layer left them) under the data version and the request's address, beside the compressed body
the score API keeps once for it, and sends both again to a later request for the same address that the stack would
let through:

- GET with `Authorization: Bearer <token>` (or `Token`, split as DRF splits it), accepting gzip, asking for JSON
  (no Accept, `*/*` or `application/json`), without conditional headers and without `desk=mine` (whose answer
  depends on the asker's desks), to a path this process has kept an answer for (no cache read for other paths);
- a host in ALLOWED_HOSTS, and HTTPS where SECURE_SSL_REDIRECT asks for it;
- the address has not used up its failed-token attempts this minute (ApiTokenAuthentication's lockout);
- the token is kept in the identity cache (so it is live: a revocation, a change of its user, their roles or desks
  makes a new identity generation), unexpired, its user active with a role; and its last use was stamped within the
  minute (otherwise the full stack answers and stamps it);
- the token's throttle allows the request: counted here, once, whatever follows (throttling.counted_get_many: should
  the full stack answer after all, its throttle takes the verdict given here; should the stack refuse the request
  before its throttle, as it counts nothing then, the count is given back: throttling.counted_give_back).

Anything else (no kept answer, a cache miss, a refusal of any kind) is answered by the full stack, which gives the
refusal its message. Only with per-user values cached in a shared cache (Redis, `USER_VALUES_CACHED`): the token
is then read from there. The ETag names the asker (data_version._etag), so it is made for each request, not replayed.
Round trips: the data version's one query, then two to Redis (the throttle's counter with the lockout count, the
identity generation and the kept headers; then the token and the body).
Made-up query strings make new addresses, as for the score API's own cache: each keeps only about a kilobyte of
headers here (the body is the score API's, kept once per address there), for at most CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from rest_framework.authentication import get_authorization_header

from atrocity_watch.api.authentication import KEYWORDS, failures_window
from atrocity_watch.api.throttling import counted_get_many, counted_give_back
from atrocity_watch.identity import IDENTITY
from atrocity_watch.selectors import api_token_expired
from atrocity_watch.services import LAST_USED_RESOLUTION, token_hash
from core.roles import can_read
from core.user_cache import generation_key, user_value_key_at, user_values_cached
from indicators.api.caching import CACHE_SECONDS, KEPT_ANSWER_SCOPE
from indicators.data_version import request_data_version
from indicators.filters import MY_DESKS

# Headers never replayed: the ETag is made per asker, the length for the body sent, the others by the server.
NOT_REPLAYED = frozenset({"etag", "date", "set-cookie", "content-length"})
# The Accept values a script sends for JSON (the kept answers are JSON; any other asks the stack to negotiate).
JSON_ACCEPT = frozenset({"", "*/*", "application/json"})
# The paths this process has kept an answer for: other API requests are left to the stack without a cache read.
# Bounded: emptied when full (every score path is kept again on its next full answer).
KEPT_PATHS: set[str] = set()
KEPT_PATHS_MAX = 4096
# Every header get_conditional_response reads: the stack answers them (304, or 412 for a failed precondition).
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


class KeptApiAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        secret = _token_secret(request)
        if secret is None:
            return self.get_response(request)
        kept = _kept_answer(request, secret) if request.path in KEPT_PATHS else None
        if kept is not None:
            return kept
        response = self.get_response(request)
        _keep(request, response)
        counted_give_back(request)
        return response


def _token_secret(request) -> str | None:
    """The token of a request this middleware may answer, else None."""
    if request.method != "GET" or not request.path.startswith("/api/") or not user_values_cached():
        return None
    if request.META.get("HTTP_ACCEPT", "").strip().lower() not in JSON_ACCEPT:
        return None
    if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        return None  # kept bodies are compressed (scripts' HTTP libraries accept gzip); others take the stack
    # Split as ApiTokenAuthentication does (bytes: ASCII whitespace only; str.split() also splits on NBSP and
    # \x1c-\x1f, where DRF sees no token and refuses the request).
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() not in KEYWORDS or not parts[1].isascii():
        return None
    if any(name in request.META for name in CONDITIONAL) or MY_DESKS in request.GET.getlist("desk"):
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None
    return parts[1].decode("ascii")


def _answer_key(request) -> str:
    """Where the headers of the answer to this address are kept (the Accept values kept are all the same JSON)."""
    address = "|".join([request.scheme, request.get_host(), request.get_full_path()])
    digest = hashlib.sha256(address.encode()).hexdigest()
    return request_data_version(request).key("api:v1:answer", digest)


def _kept_answer(request, secret: str) -> HttpResponse | None:
    failures_key, _ = failures_window(request)
    digest, answer_key = token_hash(secret), _answer_key(request)
    allowed, found = counted_get_many(
        request, key_hash=digest, keys=[failures_key, generation_key(IDENTITY), answer_key]
    )
    identity_generation, answer = found.get(generation_key(IDENTITY)), found.get(answer_key)
    locked_out = (found.get(failures_key) or 0) >= settings.API_TOKEN_FAILURES_PER_MINUTE
    if not allowed or locked_out or identity_generation is None or answer is None:
        return None
    scope, body_key, headers = answer
    token_key = user_value_key_at(IDENTITY, identity_generation, "api-token", digest)
    found = cache.get_many([token_key, body_key])
    token, body = found.get(token_key), found.get(body_key)
    if not user_values_cached():  # Redis failed during these reads: they came from this process's fallback memory
        return None
    if token is None or body is None or not _token_current(token):
        return None
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    response["Content-Length"] = str(len(body))
    etag = request_data_version(request).etag(scope, request.get_full_path(), "json", token.user.pk)
    response["ETag"] = f"W/{etag}" if response.get("Content-Encoding") == "gzip" else etag
    return response


def _token_current(token) -> bool:
    """Unexpired, its user active with a role, and its last use stamped within the minute."""
    now = timezone.now()
    if api_token_expired(token, now=now):
        return False
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        return False
    return token.user.is_active and can_read(token.user)


def _keep(request, response) -> None:
    """Keep the headers of a full answer the score API marked as the same for every reader of this data version (its
    compressed body is kept by the score API itself, once however many addresses ask for it)."""
    marked = getattr(request, KEPT_ANSWER_SCOPE, None)
    if marked is None or response.status_code != 200 or response.cookies or response.streaming:
        return
    scope, body_key = marked
    headers = [(name, value) for name, value in response.items() if name.lower() not in NOT_REPLAYED]
    cache.set(_answer_key(request), (scope, body_key, headers), timeout=CACHE_SECONDS)
    if len(KEPT_PATHS) >= KEPT_PATHS_MAX:
        KEPT_PATHS.clear()
    KEPT_PATHS.add(request.path)
