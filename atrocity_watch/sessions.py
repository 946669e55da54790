"""Sessions read from the shared cache and written through to the database (SESSION_ENGINE with Redis).

Django's cached_db engine, except that a session stays in the cache for at most SESSION_CACHE_SECONDS instead of
its whole age: signing out deletes it from both, but a deletion made while Redis was unreachable reaches only the
database (atrocity_watch.cache falls back to local memory), and the copy left in Redis must not outlive that by weeks.
Without Redis the database engine is used (settings.USER_VALUES_CACHED).
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

SESSION_CACHE_SECONDS = 10 * 60


class _Capped:
    """The session cache with every timeout capped at SESSION_CACHE_SECONDS."""

    def __init__(self, cache) -> None:
        self._cache = cache

    def set(self, key, value, timeout=None):
        timeout = SESSION_CACHE_SECONDS if timeout is None else min(timeout, SESSION_CACHE_SECONDS)
        return self._cache.set(key, value, timeout)

    async def aset(self, key, value, timeout=None):
        timeout = SESSION_CACHE_SECONDS if timeout is None else min(timeout, SESSION_CACHE_SECONDS)
        return await self._cache.aset(key, value, timeout)

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __contains__(self, key) -> bool:
        return key in self._cache


class SessionStore(CachedDBStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Capped(self._cache)
