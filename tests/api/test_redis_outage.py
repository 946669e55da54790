"""With Redis down the cache and throttle fall back to local memory and the API keeps answering; /healthz still
reports the outage (issue 13, defect 2)."""

import pytest
from django.core.cache import cache

UNREACHABLE_REDIS = "redis://127.0.0.1:1/2"


@pytest.fixture
def redis_cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "atrocity_watch.cache.FallbackRedisCache", "LOCATION": UNREACHABLE_REDIS}}
    yield
    cache.clear()


@pytest.fixture
def plain_redis_cache_down(settings):
    """Django's own RedisCache, unreachable. Per-user values are kept only with the fallback cache (production's), so
    they are off here, as without REDIS_URL: the test shows the throttle's defect alone."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }
    settings.USER_VALUES_CACHED = False


@pytest.mark.django_db
def test_without_the_fallback_an_unreachable_redis_cache_turns_api_reads_into_errors(
    plain_redis_cache_down, token_client, victor
):
    """The defect as reported: Django's own RedisCache raises ConnectionError from the throttle."""
    client = token_client(victor)
    client.raise_request_exception = False
    assert client.get("/api/v1/countries/").status_code == 500


@pytest.mark.django_db
def test_api_reads_and_writes_keep_answering_while_redis_is_down(
    redis_cache_down, token_client, victor, alice, country_a
):
    """Reads (throttled, cached) answer 200 and an assessment is recorded (recompute debounce in the cache)."""
    assert token_client(victor).get("/api/v1/countries/").status_code == 200
    assert token_client(victor).get("/api/v1/scores/").status_code == 200
    created = token_client(alice).post(
        "/api/v1/assessments/",
        {
            "country": "QAA",
            "indicator": "1.1",
            "observed_on": "2026-01-05",
            "severity": 2,
            "confidence": "high",
            "source": "Desk reporting",
        },
        format="json",
    )
    assert created.status_code == 201


@pytest.mark.django_db
def test_the_throttle_still_limits_from_local_memory_while_redis_is_down(
    redis_cache_down, settings, token_client, victor
):
    """Counting moves to this process's memory: the limit holds rather than lifting."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/min"}}
    client = token_client(victor)
    statuses = [client.get("/api/v1/countries/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_healthz_reports_the_cache_outage(redis_cache_down, client):
    """The fallback hides the outage from users, not from the operator: /healthz names the cache and answers 503."""
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["cache"]["ok"] is False
    assert body["cache"]["serving_from"] == "local memory fallback"
    assert body["database"]["ok"] is True


def test_the_fallback_cache_keeps_values_and_counters_while_redis_is_down(redis_cache_down):
    """add, get, incr and delete behave as a cache should, served from memory."""
    assert cache.add("k", 1) is True
    assert cache.add("k", 5) is False
    assert cache.incr("k") == 2
    assert cache.get("k") == 2
    cache.delete("k")
    assert cache.get("k") is None


def test_the_redis_cache_keeps_one_client_per_connection_pool():
    """Django's RedisCache makes a redis.Redis (and its table of response callbacks) for every operation: a third of
    a cached page's CPU. Ours makes one per pool and shares it between requests and threads."""
    from atrocity_watch.cache import FallbackRedisCache

    backend = FallbackRedisCache(UNREACHABLE_REDIS, {})
    reader = backend._cache.get_client("a")
    assert backend._cache.get_client("b") is reader
    assert backend._cache.get_client("c", write=True) is reader  # one server: reads and writes share its pool
    assert reader.connection_pool is backend._cache._get_connection_pool(write=True)
