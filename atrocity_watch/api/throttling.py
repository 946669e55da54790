"""Request throttling per API token (per user for sessions, per address for anonymous requests).

DRF's SimpleRateThrottle reads a list of timestamps, appends and writes it back: concurrent requests of one token
read the same list and each writes its own, so about one in eight got through uncounted under load. Here each
window is one counter that the cache increments atomically (Redis INCR, or the local cache's lock), so no more than
the limit pass in any window, however many requests arrive at once.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from atrocity_watch.models import ApiToken


def window_count(key: str, *, duration: int) -> int:
    """Count one more request in the fixed window `key` and return the window's total so far."""
    counted = cache.counter_incr(key, timeout=duration + 1) if hasattr(cache, "counter_incr") else None
    if counted is not None:  # Redis: one round trip (add, then incr's existence check and increment, took three)
        return counted
    if cache.add(key, 1, timeout=duration + 1):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add and incr: this request opens the next one
        cache.add(key, 1, timeout=duration + 1)
        return 1


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read the rate on every request (not at import) so settings overrides and environment changes apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        verdict = getattr(getattr(request, "_request", request), THROTTLE_VERDICT, None)
        if verdict is not None:  # counted before DRF saw the request (token_request_allowed): never twice
            self.wait_seconds = verdict[1]
            return verdict[0]
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.wait_seconds = self.duration - (now % self.duration)
        return window_count(f"{key}:{window}", duration=self.duration) <= self.num_requests

    def wait(self):
        return getattr(self, "wait_seconds", None)


# The attribute of a Django request holding the throttle's verdict once token_request_allowed has counted it.
THROTTLE_VERDICT = "_api_throttle_verdict"


def token_request_allowed(request, token: ApiToken) -> bool:
    """Count one request of `token` in its throttle window, as TokenRateThrottle does, for an answer sent before DRF's
    dispatch (atrocity_watch.api.kept). The verdict stays on the request: should DRF see the request after all, its
    throttle takes that verdict rather than counting the request a second time."""
    throttle = TokenRateThrottle()
    allowed = throttle.allow_request(SimpleNamespace(auth=token, user=token.user), None)
    setattr(request, THROTTLE_VERDICT, (allowed, throttle.wait()))
    return allowed
