"""Requests the whole stack refuses, or answers otherwise, are never given a kept score answer before it
(atrocity_watch.api.kept): every case here is answered as it is with the kept answers off."""

import pytest
from django.core.cache import cache

from tests.api.test_kept_answers import LATEST, used_token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def user_values_cached(settings):
    settings.USER_VALUES_CACHED = True


def kept_and_secret(token_client, user):
    """A client whose token has a kept answer of LATEST waiting, and the token's secret."""
    client = used_token_client(token_client, user)
    assert client.get(LATEST).status_code == 200 and client.get(LATEST).status_code == 200
    return client, client._credentials["HTTP_AUTHORIZATION"].split()[1]


@pytest.mark.parametrize("separator", ["\xa0", "\x85", "\x1c", "\x1f"], ids=["nbsp", "nel", "fs", "us"])
def test_a_token_after_a_separator_that_is_no_space_in_http_is_refused_as_by_the_stack(
    token_client, victor, scored, settings, separator
):
    """DRF splits the header on ASCII whitespace only: 'Bearer<NBSP>secret' is no token, so the request is
    anonymous and refused, kept answer or not."""
    client, secret = kept_and_secret(token_client, victor)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer{separator}{secret}")

    settings.USER_VALUES_CACHED = False
    assert client.get(LATEST).status_code == 401  # the whole stack's answer
    settings.USER_VALUES_CACHED = True
    assert client.get(LATEST).status_code == 401


@pytest.mark.parametrize(
    "precondition",
    [{"HTTP_IF_MATCH": '"not-this-version"'}, {"HTTP_IF_UNMODIFIED_SINCE": "Mon, 01 Jan 2001 00:00:00 GMT"}],
    ids=["if-match", "if-unmodified-since"],
)
def test_a_failed_precondition_gets_412_as_from_the_stack(token_client, victor, scored, settings, precondition):
    client, _ = kept_and_secret(token_client, victor)

    settings.USER_VALUES_CACHED = False
    assert client.get(LATEST, **precondition).status_code == 412  # the whole stack's answer
    settings.USER_VALUES_CACHED = True
    assert client.get(LATEST, **precondition).status_code == 412


UNREACHABLE_REDIS = "redis://127.0.0.1:1/2"


def test_redis_failing_mid_request_never_answers_from_the_fallbacks_memory(token_client, victor, scored, settings):
    """Redis answered when the request began and fails at the throttle's read: the rest is read from this process's
    fallback memory, which can hold an identity generation and a token the shared cache has long replaced (kept there
    when Redis failed in the middle of an earlier lookup; a revocation made by another process never reaches it).
    While Redis is unreachable the stack reads the token from the database, so a kept answer must not be sent."""
    from atrocity_watch.identity import IDENTITY
    from atrocity_watch.models import ApiToken
    from atrocity_watch.services import api_token_revoke
    from core.user_cache import generation_key

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}  # as the fallback
    client, _ = kept_and_secret(token_client, victor)
    memory = dict(cache._cache)  # the local cache's entries (generation, token, answer), as pickled values
    expiry = dict(cache._expire_info)
    api_token_revoke(token=ApiToken.objects.get(user=victor), user=victor)
    assert cache.get(generation_key(IDENTITY)) is not None

    settings.CACHES = {"default": {"BACKEND": "atrocity_watch.cache.FallbackRedisCache", "LOCATION": UNREACHABLE_REDIS}}
    fallback = cache._fallback
    fallback._cache.update(memory)  # what this process's memory kept from before the revocation
    fallback._expire_info.update(expiry)
    assert cache.redis_available  # as at the start of a request after the retry pause

    response = client.get(LATEST)

    assert response.status_code == 401


@pytest.mark.parametrize("kept_answers", [False, True], ids=["whole stack", "kept answers on"])
def test_requests_refused_before_the_throttle_leave_the_tokens_allowance_alone(
    token_client, nobody, scored, settings, kept_answers
):
    """The stack refuses a token without a role (403) or a path it does not know (404) before its throttle counts
    the request; a user given a role within the minute has their whole allowance."""
    from django.contrib.auth.models import Group

    settings.USER_VALUES_CACHED = kept_answers
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/min"}}
    client = token_client(nobody)
    assert [client.get(LATEST).status_code for _ in range(2)] == [403, 403]
    assert client.get("/api/v1/no-such-thing/").status_code == 404

    nobody.groups.add(Group.objects.get(name="viewer"))

    assert [client.get(LATEST).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get(LATEST).status_code == 429
