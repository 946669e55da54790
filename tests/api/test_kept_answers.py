"""Kept score answers replayed before the rest of the stack (atrocity_watch.api.kept): a script's token gets the
answer the whole stack gave for the same address and data version, and every check the stack makes still holds:
a revoked or expired token, a deactivated account, a withdrawn role, the throttle, the failed-token lockout, a change
of the data, another format, and an answer that depends on the asker's desks."""

import datetime as dt
import functools
import gzip
import json

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from atrocity_watch.models import ApiToken
from atrocity_watch.services import api_token_create, api_token_revoke
from tests.api.test_conditional_get import CHANGES

pytestmark = pytest.mark.django_db

LATEST, HISTORY = "/api/v1/scores/", "/api/v1/countries/QAA/scores/"
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


@pytest.fixture(autouse=True)
def user_values_cached(settings):
    """Answers are replayed only where tokens are kept in a cache every process shares (Redis in production)."""
    settings.USER_VALUES_CACHED = True


@pytest.fixture
def stack_calls(monkeypatch):
    """Counts the requests that reached the score views (the rest were answered before the stack)."""
    from indicators.api import views

    calls = []
    for name, method in (("LatestScoreViewSet", "list"), ("CountryViewSet", "scores")):
        view = getattr(views, name)
        original = getattr(view, method)

        @functools.wraps(original)  # keeps @action's routing attributes, should the URLs be built after this
        def counted(self, request, *args, _original=original, **kwargs):
            calls.append(request.path)
            return _original(self, request, *args, **kwargs)

        monkeypatch.setattr(view, method, counted)
    return calls


def used_token_client(token_client, user):
    """A token client that accepts gzip, as scripts' HTTP libraries do, whose token has been used once (its first
    use is stamped by the whole stack)."""
    client = token_client(user)
    client.defaults.update(GZIP)
    assert client.get("/api/v1/countries/").status_code == 200
    return client


@pytest.mark.parametrize("url", [LATEST, HISTORY])
def test_another_token_gets_the_kept_answer_without_the_stack(token_client, alice, victor, scored, stack_calls, url):
    first = used_token_client(token_client, alice).get(url)
    viewer = used_token_client(token_client, victor)

    kept = viewer.get(url)

    assert stack_calls == [url]  # the viewer's answer never reached the view
    assert kept.status_code == 200 and kept.content == first.content
    replayed = {name: value for name, value in first.items() if name != "ETag"}
    assert {name: value for name, value in kept.items() if name != "ETag"} == replayed
    assert kept["Content-Security-Policy"] and kept["X-Content-Type-Options"] == "nosniff"
    # The ETag names its asker, as the stack makes it: the viewer's own validator earns the viewer a 304.
    assert kept["ETag"] != first["ETag"]
    assert viewer.get(url, HTTP_IF_NONE_MATCH=kept["ETag"]).status_code == 304


@pytest.mark.parametrize("url", [LATEST, HISTORY])
def test_a_client_that_does_not_accept_gzip_gets_the_same_answer_from_the_stack(
    token_client, alice, victor, scored, stack_calls, url
):
    compressed = used_token_client(token_client, alice).get(url)
    viewer = used_token_client(token_client, victor)

    plain = viewer.get(url, HTTP_ACCEPT_ENCODING="")

    assert stack_calls == [url, url]
    assert plain.status_code == 200 and "Content-Encoding" not in plain
    assert plain.content == gzip.decompress(compressed.content)


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("url", [LATEST, HISTORY])
def test_every_change_a_reader_must_see_shows_in_the_next_kept_answer(
    token_client, alice, victor, country_a, scored, change, url
):
    viewer = used_token_client(token_client, victor)
    viewer.get(url)
    before = viewer.get(url)

    CHANGES[change](country_a, alice)
    after = viewer.get(url)

    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    if change == "score run":
        assert after.content != before.content


def test_a_revoked_token_is_refused_at_once(token_client, victor, scored, stack_calls):
    viewer = used_token_client(token_client, victor)
    assert viewer.get(LATEST).status_code == 200 and viewer.get(LATEST).status_code == 200

    api_token_revoke(token=ApiToken.objects.get(user=victor), user=victor)

    assert viewer.get(LATEST).status_code == 401


def test_a_deactivated_account_and_a_withdrawn_role_are_refused_at_once(token_client, alice, victor, scored):
    viewer, analyst = used_token_client(token_client, victor), used_token_client(token_client, alice)
    for client in (viewer, analyst):
        client.get(LATEST)
        assert client.get(LATEST).status_code == 200

    victor.is_active = False
    victor.save()
    alice.groups.remove(Group.objects.get(name="analyst"))

    assert viewer.get(LATEST).status_code == 401
    assert analyst.get(LATEST).status_code == 403


def test_an_expired_token_is_refused(token_client, victor, scored, monkeypatch):
    viewer = token_client(None)
    secret = api_token_create(user=victor, name="short", expires_at=timezone.now() + dt.timedelta(seconds=20)).secret
    viewer.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    viewer.get(LATEST)
    assert viewer.get(LATEST).status_code == 200

    later = timezone.now() + dt.timedelta(seconds=30)  # expired, though its use was stamped within the minute
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert viewer.get(LATEST).status_code == 401


def test_a_kept_answer_still_stamps_the_tokens_use_once_a_minute(token_client, victor, scored, monkeypatch):
    viewer = used_token_client(token_client, victor)
    viewer.get(LATEST)
    stamped = ApiToken.objects.get(user=victor).last_used_at

    later = timezone.now() + dt.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert viewer.get(LATEST).status_code == 200

    assert ApiToken.objects.get(user=victor).last_used_at == later != stamped


def test_the_throttle_counts_each_kept_answer_once(token_client, victor, scored, settings, stack_calls):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "6/min"}}
    viewer = used_token_client(token_client, victor)  # request 1 of 6

    answers = [viewer.get(LATEST).status_code for _ in range(6)]

    assert answers == [200, 200, 200, 200, 200, 429]
    assert stack_calls == [LATEST]  # only the first answer was built; the refusal came from DRF with its message
    assert "Retry-After" in viewer.get(LATEST)


def test_the_failed_token_lockout_of_an_address_holds_for_a_kept_answer(token_client, victor, scored, settings):
    settings.API_TOKEN_FAILURES_PER_MINUTE = 3
    viewer = used_token_client(token_client, victor)
    viewer.get(LATEST)
    guesser = token_client(None)
    guesser.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert [guesser.get(LATEST).status_code for _ in range(3)] == [401, 401, 401]

    assert viewer.get(LATEST).status_code == 429


@pytest.mark.parametrize("accept", ["text/html", "text/csv"])
def test_another_format_of_the_same_address_is_never_the_kept_json(token_client, victor, scored, accept):
    viewer = used_token_client(token_client, victor)
    viewer.get(LATEST)
    viewer.get(LATEST)

    other = viewer.get(LATEST, HTTP_ACCEPT=accept)

    assert other.status_code == 200 and other["Content-Type"].startswith(accept)


def test_an_answer_for_the_askers_desks_is_never_replayed_to_another_desk(token_client, alice, bob, scored):
    analyst_a, analyst_b = used_token_client(token_client, alice), used_token_client(token_client, bob)
    mine = LATEST + "?desk=mine"

    def countries(client) -> list[str]:
        answer = json.loads(gzip.decompress(client.get(mine).content))
        return [row["country"]["iso3"] for row in answer["results"]]

    assert countries(analyst_a) == countries(analyst_a) == ["QAA"]
    assert countries(analyst_b) == ["QBB"]


def test_nothing_is_replayed_without_a_shared_cache_of_tokens(
    token_client, alice, victor, scored, settings, stack_calls
):
    settings.USER_VALUES_CACHED = False
    used_token_client(token_client, alice).get(LATEST)
    viewer = used_token_client(token_client, victor)

    viewer.get(LATEST)

    assert stack_calls == [LATEST, LATEST]
