"""Rendered-response caching and conditional GET for the API's data reads.

Every answer here is built from the data version (indicators.data_version): a score run, a methodology change, a
new assessment or an alert or escalation change makes a new version, so cached answers go stale all at once and
a client's ETag stops matching on the very next request. A client that sends If-None-Match (or If-Modified-Since)
with an unchanged version gets 304 Not Modified without the answer being built or read from the cache.

JSON answers are kept gzip-compressed and sent as they are to a client that accepts gzip (browsers and HTTP
libraries do): GZipMiddleware would otherwise compress the same bytes again on every request, about 7 ms of CPU for
one country's 1.4 MB history. A client that does not accept gzip gets them decompressed. As with GZipMiddleware,
the compressed answer's ETag is weak (the same validator, which If-None-Match compares weakly).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers
from django.utils.text import compress_string
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.roles import user_desk_ids
from indicators.data_version import conditional_response, not_modified_or_none, request_data_version
from indicators.filters import MY_DESKS

# Freshness comes from the version in the key; the timeout only bounds how long unused answers take up memory.
CACHE_SECONDS = 6 * 3600
# The attribute of a Django request whose JSON answer is the same for every reader of this data version: its scope and
# the cache key of its compressed body. atrocity_watch.api.kept keeps the headers every layer gave such an answer,
# and sends them with that body to the next asker.
KEPT_ANSWER_SCOPE = "_kept_answer_scope"


def score_json_response(request, *, scope: str, build: Callable[[], object]) -> HttpResponse | Response:
    """A data answer with conditional GET; JSON comes from the cache while the data version holds, other formats
    (CSV, the browsable API) are built every time. `desk=mine` selects the asker's desks, so they join the key."""
    kept = score_json_kept(request, scope=scope)
    if kept is not None:
        return kept
    if not isinstance(request.accepted_renderer, JSONRenderer):
        return conditional_response(request, Response(build()), scope=scope)
    compressed = compress_string(JSONRenderer().render(build()))
    key = _key(request, scope)
    cache.set(key, compressed, timeout=CACHE_SECONDS)
    return _json_response(request, compressed, scope=scope, key=key)


def score_json_kept(request, *, scope: str) -> HttpResponse | None:
    """The answer without building it: 304 when the client holds this version, the kept JSON when the cache has
    it, else None. A view may ask before reading what its answer is built from: only answers built in full (to a
    request that passed the view's checks) are kept, and only under this data version."""
    not_modified = not_modified_or_none(request, scope=scope)
    if not_modified is not None:
        return not_modified
    if not isinstance(request.accepted_renderer, JSONRenderer):
        return None
    key = _key(request, scope)
    compressed = cache.get(key)
    if compressed is None:
        return None
    return _json_response(request, compressed, scope=scope, key=key)


def _json_response(request, compressed: bytes, *, scope: str, key: str) -> HttpResponse:
    """The kept JSON answer (cached under `key`), compressed when the client accepts gzip, with this version's
    validators."""
    django_request = getattr(request, "_request", request)
    setattr(django_request, KEPT_ANSWER_SCOPE, (scope, key))
    accepts_gzip = bool(re_accepts_gzip.search(django_request.META.get("HTTP_ACCEPT_ENCODING", "")))
    body = compressed if accepts_gzip else gzip.decompress(compressed)
    response = conditional_response(request, HttpResponse(body, content_type="application/json"), scope=scope)
    patch_vary_headers(response, ("Accept-Encoding",))
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f"W/{response['ETag']}"
    return response


def _key(request, scope: str) -> str:
    # Hash the URL: query strings are arbitrary client input, and keys must stay short for every cache backend.
    desks = sorted(user_desk_ids(request.user)) if MY_DESKS in request.query_params.getlist("desk") else []
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}{desks}".encode()).hexdigest()
    return request_data_version(request).key("api:v1", scope, address)


class DataConditionalListMixin:
    """List answers (JSON or CSV) with ETag and Last-Modified from the data version, and 304 when unchanged."""

    conditional_scope = "list"

    def list(self, request, *args, **kwargs):
        not_modified = not_modified_or_none(request, scope=self.conditional_scope)
        if not_modified is not None:
            return not_modified
        return conditional_response(request, super().list(request, *args, **kwargs), scope=self.conditional_scope)
