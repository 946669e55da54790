"""Request throttling per API token (per user for sessions, per address for anonymous requests).

DRF's SimpleRateThrottle reads a list of timestamps, appends and writes it back: concurrent requests of one token
read the same list and each writes its own, so about one in eight got through uncounted under load. Here each
window is one counter that the cache increments atomically (Redis INCR, or the local cache's lock), so no more than
the limit pass in any window, however many requests arrive at once.
"""

from __future__ import annotations

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
            ident = token_ident(request.auth.key_hash)
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def window(self, key: str) -> str:
        """The counter of `key`'s current window (and the seconds until the next, for Retry-After)."""
        now = self.timer()
        self.wait_seconds = self.duration - (now % self.duration)
        return f"{key}:{int(now // self.duration)}"

    def allow_request(self, request, view):
        django_request = getattr(request, "_request", request)
        verdict = getattr(django_request, THROTTLE_VERDICT, None)
        if verdict is not None:  # counted before DRF saw the request (counted_get_many): never twice
            setattr(django_request, THROTTLE_VERDICT_TAKEN, True)
            self.wait_seconds = verdict[1]
            return verdict[0]
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        return window_count(self.window(key), duration=self.duration) <= self.num_requests

    def wait(self):
        return getattr(self, "wait_seconds", None)


def token_ident(key_hash: str) -> str:
    """A token's throttle identity: its hash, which a request's secret gives before the token is looked up."""
    return f"token-{key_hash[:32]}"


# The attribute of a Django request holding the throttle's verdict once counted_get_many has counted it, the one
# saying that DRF's throttle took it, and the window counted.
THROTTLE_VERDICT = "_api_throttle_verdict"
THROTTLE_VERDICT_TAKEN = "_api_throttle_verdict_taken"
COUNTED_WINDOW = "_api_throttle_counted_window"


def counted_get_many(request, *, key_hash: str, keys: list[str]) -> tuple[bool, dict]:
    """Count one request of the token with this hash in its throttle window, as TokenRateThrottle does, and read
    `keys`, in one round trip to Redis, for an answer sent before DRF's dispatch (atrocity_watch.api.kept): the
    throttle's verdict and the values found. The verdict stays on the request: should DRF see the request after all
    (it refuses it, say, with the throttle's own message), its throttle takes that verdict rather than counting the
    request a second time. A secret that names no token counts only against itself."""
    throttle = TokenRateThrottle()
    if throttle.rate is None:
        count, found = None, cache.get_many(keys)
    else:
        window = throttle.window(throttle.cache_format % {"scope": throttle.scope, "ident": token_ident(key_hash)})
        combined = getattr(cache, "counter_incr_get_many", None)
        result = combined(window, timeout=throttle.duration + 1, keys=keys) if combined else None
        if result is None:  # a cache without it, or Redis unreachable
            result = window_count(window, duration=throttle.duration), cache.get_many(keys)
        count, found = result
        setattr(request, COUNTED_WINDOW, window)
    allowed = count is None or count <= throttle.num_requests
    setattr(request, THROTTLE_VERDICT, (allowed, throttle.wait()))
    return allowed, found


def counted_give_back(request) -> None:
    """Uncount a request counted by counted_get_many that DRF's throttle never saw: the stack refused it before
    (authentication, the failed-token lockout, permissions, an unknown path), where it counts nothing."""
    window = getattr(request, COUNTED_WINDOW, None)
    if window is None or getattr(request, THROTTLE_VERDICT_TAKEN, False):
        return
    try:
        cache.decr(window)
    except ValueError:  # the window has ended meanwhile
        pass
