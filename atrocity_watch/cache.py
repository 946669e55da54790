"""A Redis cache that keeps answering from local memory while Redis is unreachable.

Throttle counters, recompute debouncing and cached score answers all live in the cache; with Redis down they fall
back to this process's memory (so limits hold per process rather than across processes) instead of turning every
request into a 500. After a failure Redis is left alone for RETRY_SECONDS, so a dead server costs one connect
timeout every few seconds, not one per request. /healthz still pings Redis itself and reports the outage.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _falls_back(name: str):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"RedisCache.{name}, or the local fallback while Redis is unreachable."
    return method


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one redis.Redis per connection pool instead of making one per operation.

    Django builds a new redis.Redis for every get and set; redis-py 8's constructor fills a case-insensitive table of
    some 170 response callbacks each time, which cost about a third of a cached page's CPU (9 cache reads a request).
    A redis.Redis is safe to share between threads (each command takes its own connection from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class FallbackRedisCache(RedisCache):
    """Django's RedisCache; every operation that cannot reach Redis is served by a LocMemCache instead."""

    def __init__(self, server, params):
        options = {"socket_connect_timeout": 1, "socket_timeout": 1, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self._fallback = LocMemCache(f"redis-fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._redis_down_until = 0.0

    @property
    def redis_available(self) -> bool:
        """False while the last failure is recent: calls then go to local memory without trying Redis."""
        return time.monotonic() >= self._redis_down_until

    def _call(self, name: str, *args, **kwargs):
        if self.redis_available:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except REDIS_UNREACHABLE as exc:
                if self.redis_available:
                    logger.warning("Redis cache unreachable (%s); using local memory for %.0f s", exc, RETRY_SECONDS)
                self._redis_down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    def counter_incr(self, key: str, *, timeout: int) -> int | None:
        """Count one more in the counter `key` (made with a lifetime of `timeout` seconds when absent) and return
        its total, in one round trip to Redis; None while Redis is unreachable (the caller counts locally)."""
        result = self.counter_incr_get_many(key, timeout=timeout, keys=[])
        return None if result is None else result[0]

    def counter_incr_get_many(self, key: str, *, timeout: int, keys: list[str]) -> tuple[int, dict] | None:
        """counter_incr and get_many(keys) in one round trip: (the counter's total, the values found); None while
        Redis is unreachable."""
        if not self.redis_available:
            return None
        try:
            redis_key = self.make_and_validate_key(key)
            read = [self.make_and_validate_key(name) for name in keys]
            pipeline = self._cache.get_client(redis_key, write=True).pipeline(transaction=True)
            # MULTI/EXEC, still one round trip: the key cannot expire between the two and be made again without one.
            pipeline.set(redis_key, 0, ex=timeout, nx=True)
            pipeline.incr(redis_key)
            if read:
                pipeline.mget(read)
            _, count, *values = pipeline.execute()
        except REDIS_UNREACHABLE as exc:
            logger.warning("Redis cache unreachable (%s); using local memory for %.0f s", exc, RETRY_SECONDS)
            self._redis_down_until = time.monotonic() + RETRY_SECONDS
            return None
        loads = self._cache._serializer.loads
        found = zip(keys, values[0] if values else [], strict=True)
        return int(count), {name: loads(value) for name, value in found if value is not None}

    add = _falls_back("add")
    get = _falls_back("get")
    set = _falls_back("set")
    touch = _falls_back("touch")
    delete = _falls_back("delete")
    get_many = _falls_back("get_many")
    has_key = _falls_back("has_key")
    incr = _falls_back("incr")
    set_many = _falls_back("set_many")
    delete_many = _falls_back("delete_many")
    clear = _falls_back("clear")
