"""Per-user values every page asks for (who the user is, their roles and desks, their unread notifications), kept in
the shared cache under a generation that every change to what they are built from replaces.

A value's key holds its scope's generation, read before the value is built: a change replaces the generation when
it is made and again after its transaction commits, so a value built from the data before the change is kept under
a generation nobody asks for any more, whatever the order of the two. Generations are random, so one evicted and
made again never matches an old key. Keys name the user, and a value is only ever read back for that user.

Only with a cache every process shares (Redis, `USER_VALUES_CACHED`): with the embedded default each process has its
own memory, where a change made in another process (a worker, another gunicorn worker) would never arrive, so the
values are then read from the database on every request. While Redis is unreachable (atrocity_watch.cache falls back
to local memory) nothing is cached either; the timeout bounds what an outage can leave behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# Scopes: "identity" (a user's record, roles, desks and API tokens), "notifications" (unread counts).
USER_VALUE_SECONDS = 10 * 60
_MISSING = object()


def user_values_cached() -> bool:
    """True when per-user values may be kept: a shared cache that answers now."""
    return bool(settings.USER_VALUES_CACHED) and getattr(cache, "redis_available", True)


def generation_key(scope: str) -> str:
    """Where the scope's generation is kept (for a caller that reads it together with other keys)."""
    return f"aw:user-gen:{scope}"


def generation(scope: str) -> str:
    """The scope's current generation (made on first use)."""
    key = generation_key(scope)
    current = cache.get(key)
    if current is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        current = cache.get(key) or "unset"
    return current


# The scopes whose values every page shows (the header's user, roles and badges): a whole page kept for one session
# (indicators.page_cache.session_page_response) is keyed on their generations. Apps register theirs when ready.
PAGE_SCOPES: set[str] = set()


def page_scope_register(scope: str) -> None:
    """Make a scope's values part of what a kept page of one session is keyed on."""
    PAGE_SCOPES.add(scope)


def page_scope_generations() -> tuple[tuple[str, str], ...]:
    """The current generation of every page scope, read in one cache round trip (made on first use)."""
    scopes = sorted(PAGE_SCOPES)
    found = cache.get_many([generation_key(scope) for scope in scopes])
    return tuple((scope, found.get(generation_key(scope)) or generation(scope)) for scope in scopes)


def generation_replace(scope: str) -> None:
    """Make every value of the scope stale: at once (this transaction's own later reads) and again once it commits
    (a value another request built meanwhile from the data before the commit). Cheap enough to call on every change
    of a table the scope's values are built from."""
    if not settings.USER_VALUES_CACHED:
        return

    def replace() -> None:
        cache.set(generation_key(scope), uuid.uuid4().hex, timeout=None)

    replace()
    transaction.on_commit(replace, robust=True)


def user_value_key(scope: str, name: str, user_key: object) -> str:
    return user_value_key_at(scope, generation(scope), name, user_key)


def user_value_key_at(scope: str, scope_generation: str, name: str, user_key: object) -> str:
    """The key of a value under a generation the caller has read (generation_key) with other keys in one round trip."""
    return f"aw:user:{scope}:{scope_generation}:{name}:{user_key}"


def user_value(scope: str, name: str, user_key: object, build: Callable[[], T]) -> T:
    """The value `name` of one user (`user_key`: their id, or a digest naming them) from the cache, else built and
    kept; built every time when per-user values are not cached."""
    return user_value_lookup(scope, name, user_key, build)[0]


def user_value_lookup(
    scope: str, name: str, user_key: object, build: Callable[[], T], *, keep: Callable[[T], bool] = lambda value: True
) -> tuple[T, str | None]:
    """user_value, with the key it is kept under (None when not cached), for a caller that updates the value in
    place (user_value_put); a value `keep` refuses is not kept."""
    if not user_values_cached():
        return build(), None
    key = user_value_key(scope, name, user_key)
    value: Any = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        if not keep(value):
            return value, None
        cache.set(key, value, timeout=USER_VALUE_SECONDS)
    return value, key


def user_value_put(key: str | None, value: object) -> None:
    """Replace a value under the key user_value_lookup gave (a key of a replaced generation stays unread)."""
    if key is not None:
        cache.set(key, value, timeout=USER_VALUE_SECONDS)
