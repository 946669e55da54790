"""Health checks for the database and the Celery broker, used by /healthz and container healthchecks."""

from __future__ import annotations

import time

from django.db import connections


def database_status() -> dict:
    """Run a trivial query on the default database and report how long it took."""
    started = time.perf_counter()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means the database is unreachable
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "vendor": connections["default"].vendor, "ms": round((time.perf_counter() - started) * 1000, 1)}


def broker_status() -> dict:
    """Open a connection to the Celery broker with one short attempt and report the transport."""
    from atrocity_watch.celery import app

    started = time.perf_counter()
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            transport = connection.transport_cls
    except Exception as exc:  # noqa: BLE001 - any failure means the broker is unreachable
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "transport": str(transport), "ms": round((time.perf_counter() - started) * 1000, 1)}


def cache_status() -> dict:
    """Ping the Redis cache itself (not its local fallback); a local-memory cache is always available."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return {"ok": True, "backend": "local memory"}
    started = time.perf_counter()
    try:
        cache._cache.get_client(write=True).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means Redis is unreachable
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}", "serving_from": "local memory fallback"}
    return {"ok": True, "backend": "redis", "ms": round((time.perf_counter() - started) * 1000, 1)}
