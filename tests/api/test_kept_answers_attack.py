"""Requests the whole stack refuses, or answers otherwise, are never given a kept score answer before it
(atrocity_watch.api.kept): every case here is answered as it is with the kept answers off."""

import pytest

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
