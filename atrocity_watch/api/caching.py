"""Rendered-response caching for score reads: scores change only when a score run succeeds, so the latest
succeeded run's id is part of every key and a new run makes every cached answer stale at once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from indicators.models import ScoreRun

# Freshness comes from the run id in the key; the timeout only bounds how long unused answers take up memory.
CACHE_SECONDS = 6 * 3600


def scores_version() -> int:
    """Id of the latest succeeded score run (0 before any), the version of every stored score."""
    latest = ScoreRun.objects.filter(status=ScoreRun.Status.SUCCEEDED).order_by("-id").values_list("id", flat=True)
    return latest.first() or 0


def score_json_response(request, *, scope: str, build: Callable[[], object]) -> HttpResponse | Response:
    """JSON answers come from the cache when the scores have not changed; other formats are built every time."""
    if not isinstance(request.accepted_renderer, JSONRenderer):
        return Response(build())
    # Hash the URL: query strings are arbitrary client input, and keys must stay short for every cache backend.
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    key = f"api:v1:{scope}:{scores_version()}:{address}"
    rendered = cache.get(key)
    if rendered is None:
        rendered = JSONRenderer().render(build())
        cache.set(key, rendered, timeout=CACHE_SECONDS)
    return HttpResponse(rendered, content_type="application/json")
