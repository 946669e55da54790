"""Per-user values kept in the shared cache (the user, roles, desks, API token, unread notifications) and the country
page's cards kept for every reader: each change shows on the next request, and nothing reaches another user."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alerts.models import AlertRule
from alerts.rules import AlertCandidate
from alerts.services.alerts import alert_raise
from alerts.services.escalations import escalation_create
from alerts.services.notifications import notifications_mark_all_read
from alerts.services.workflow import escalation_claim, escalation_decide
from atrocity_watch.services import api_token_create, api_token_revoke
from atrocity_watch.sessions import SESSION_CACHE_SECONDS, _Capped
from core.roles import Role
from core.selectors import country_timeline, country_timeline_recent
from indicators.models import UserViewState
from indicators.selectors import view_state_filters
from indicators.services import view_state_filters_keep, view_state_page_seen
from networks.services.records import actor_record
from tests.indicators.score_rows import scored_run_create

pytestmark = pytest.mark.django_db

ROLES = ["victor", "alice", "fiona", "ada"]  # viewer, analyst, focal point, administrator
BADGE = 'class="nav-badge"'


@pytest.fixture(autouse=True)
def user_values_cached(settings):
    """As in production with Redis: the test cache is one process's memory, which every request here shares."""
    settings.USER_VALUES_CACHED = True


@pytest.fixture
def scored(country_a, country_b):
    return scored_run_create({country_a: [40, 45, 50], country_b: [20, 21, 22]})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def country_page(client, country) -> str:
    response = client.get(reverse("indicators:country_detail", args=[country.iso3]))
    assert response.status_code == 200
    return response.content.decode()


def entry_page(country) -> str:
    return reverse("indicators:assessment_create", args=[country.iso3])


def test_a_role_taken_away_is_refused_on_the_next_request(scored, country_a, alice):
    client = signed_in(alice)
    assert client.get(entry_page(country_a)).status_code == 200
    alice.groups.remove(Group.objects.get(name=Role.ANALYST.value))
    assert client.get(entry_page(country_a)).status_code == 403


def test_a_role_given_is_granted_on_the_next_request(scored, country_a, victor):
    client = signed_in(victor)
    assert "R2P Focal Point" not in country_page(client, country_a)
    Group.objects.get(name=Role.FOCAL_POINT.value).user_set.add(victor)  # from the group's side this time
    assert "· R2P Focal Point, Viewer" in country_page(client, country_a)


def test_leaving_a_desk_takes_its_countries_away_on_the_next_request(scored, country_a, alice, desk_a):
    client = signed_in(alice)
    assert client.get(entry_page(country_a)).status_code == 200
    desk_a.analysts.remove(alice)
    assert client.get(entry_page(country_a)).status_code == 403


def test_a_deactivated_account_is_signed_out_on_the_next_request(scored, country_a, alice):
    client = signed_in(alice)
    country_page(client, country_a)
    alice.is_active = False
    alice.save()
    assert client.get(reverse("indicators:country_detail", args=[country_a.iso3])).status_code == 302


def test_a_changed_password_ends_the_other_sessions_on_the_next_request(scored, country_a, alice):
    client = signed_in(alice)
    country_page(client, country_a)
    alice.set_password("a new and long passphrase")
    alice.save()
    assert client.get(reverse("indicators:country_detail", args=[country_a.iso3])).status_code == 302


def test_each_session_gets_its_own_user_from_the_cache(scored, country_a, alice, victor):
    pages = {user.username: country_page(signed_in(user), country_a) for user in (alice, victor, alice, victor)}
    assert "· Viewer<" in pages[victor.username] and "· Viewer<" not in pages[alice.username]
    assert "· Analyst<" in pages[alice.username] and "· Analyst<" not in pages[victor.username]


def test_a_revoked_token_is_refused_on_the_next_request(scored, alice):
    created = api_token_create(user=alice, name="script")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    assert client.get("/api/v1/scores/").status_code == 200
    api_token_revoke(token=created.token, user=alice)
    assert client.get("/api/v1/scores/").status_code == 401


def test_a_token_answers_for_its_own_user_and_desks(scored, alice, bob):
    tokens = {user.username: api_token_create(user=user, name="script").secret for user in (alice, bob)}
    for _ in range(2):  # the second round comes from the cache
        for username, own in (("alice", "QAA"), ("bob", "QBB")):
            client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[username]}")
            rows = client.get("/api/v1/scores/", {"desk": "mine"}).json()["results"]
            assert [row["country"]["iso3"] for row in rows] == [own]


def test_a_token_whose_owner_lost_their_role_is_refused_on_the_next_request(scored, victor):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=victor, name='script').secret}")
    assert client.get("/api/v1/scores/").status_code == 200
    victor.groups.clear()
    assert client.get("/api/v1/scores/").status_code == 403


def test_the_badge_counts_a_new_notification_and_its_reading_on_the_next_request(scored, country_a, alice, fiona):
    client = signed_in(fiona)
    assert BADGE not in country_page(client, country_a)
    escalation_create(country=country_a, user=alice, summary="Militia build-up", risk_assessment="x", submit=True)
    assert BADGE in country_page(client, country_a)
    notifications_mark_all_read(user=fiona)
    assert BADGE not in country_page(client, country_a)


def test_one_users_badge_never_shows_in_another_users_header(scored, country_a, alice, fiona, victor):
    escalation_create(country=country_a, user=alice, summary="Militia build-up", risk_assessment="x", submit=True)
    for _ in range(2):
        assert BADGE in country_page(signed_in(fiona), country_a)
        assert BADGE not in country_page(signed_in(victor), country_a)


@pytest.mark.parametrize("persona", ROLES)
def test_a_network_change_shows_on_the_country_page_on_the_next_request(request, persona, scored, country_a, alice):
    client = signed_in(request.getfixturevalue(persona))
    assert "Northern Militia" not in country_page(client, country_a)
    actor_record(
        user=alice,
        kind="organization",
        name="Northern Militia",
        country_codes=["QAA"],
        sources=["UN"],
        confidence="high",
    )
    assert "Northern Militia" in country_page(client, country_a)


@pytest.mark.parametrize("persona", ROLES)
def test_a_declaration_of_imminent_risk_shows_on_the_next_request(request, persona, scored, country_a, alice, fiona):
    client = signed_in(request.getfixturevalue(persona))
    assert "Imminent risk declared" not in country_page(client, country_a)
    case = escalation_create(country=country_a, user=alice, summary="Build-up", risk_assessment="x", submit=True)
    assert "(claimed for review)" not in country_page(client, country_a)
    escalation_claim(escalation_id=case.pk, user=fiona)
    assert "(claimed for review)" in country_page(client, country_a)  # the timeline kept for everyone
    case.refresh_from_db()
    due = timezone.localdate() + dt.timedelta(days=14)
    escalation_decide(
        escalation=case,
        user=fiona,
        decision="declare_imminent_risk",
        rationale="Imminent.",
        actions=[
            {"tool": "targeted_sanctions", "lead_department": "hmt_ofsi", "owner": "Sanctions unit", "due_on": due}
        ],
    )
    assert "Imminent risk declared" in country_page(client, country_a)


def test_a_draft_in_the_timeline_kept_for_everyone_shows_only_to_who_may_read_it(
    scored, country_a, alice, bob, victor, fiona
):
    draft = escalation_create(country=country_a, user=alice, summary="Build-up", risk_assessment="x")
    link = reverse("alerts:escalation_detail", args=[draft.pk])
    for _ in range(2):
        assert link in country_page(signed_in(alice), country_a)
        for reader in (bob, victor, fiona):
            assert link not in country_page(signed_in(reader), country_a)


@pytest.mark.parametrize("persona", ["victor", "alice", "bob", "fiona", "ada"])
def test_the_timeline_kept_for_everyone_shows_each_viewer_what_their_query_shows(
    request, persona, scored, country_a, alice, fiona
):
    for number in range(6):  # drafts, and cases submitted and claimed, each leaving events behind
        case = escalation_create(
            country=country_a, user=alice, summary=f"Case {number}", risk_assessment="x", submit=bool(number % 2)
        )
        if number % 4 == 1:
            escalation_claim(escalation_id=case.pk, user=fiona)
    viewer = request.getfixturevalue(persona)
    recent = country_timeline_recent(country=country_a)
    for limit in (3, 30):
        kept = country_timeline(country=country_a, viewer=viewer, limit=limit, recent=recent)
        queried = country_timeline(country=country_a, viewer=viewer, limit=limit)
        assert [event.pk for event in kept] == [event.pk for event in queried]


def test_sessions_stay_in_the_cache_minutes_not_weeks():
    kept = {}

    class Recorder:
        def set(self, key, value, timeout=None):
            kept[key] = timeout

    _Capped(Recorder()).set("session", {}, 14 * 24 * 3600)
    assert kept == {"session": SESSION_CACHE_SECONDS}


def test_a_visit_noted_through_the_cache_is_the_one_in_the_database(alice):
    start = timezone.now() - dt.timedelta(hours=2)
    assert view_state_page_seen(user=alice, page="overview", query="region=Africa", now=start) is None
    later = start + dt.timedelta(hours=1)
    assert view_state_page_seen(user=alice, page="overview", query="region=Asia", now=later) == start
    assert view_state_filters(user=alice) == {"overview": "region=Asia"}
    stored = UserViewState.objects.get(user=alice)
    assert (stored.filters, stored.last_seen_at, stored.previous_visit_at) == (
        {"overview": "region=Asia"},
        later,
        start,
    )


def test_one_users_remembered_filters_never_open_another_users_overview(scored, alice, bob):
    view_state_filters_keep(user=alice, page="overview", query="region=Africa")
    view_state_filters(user=alice)
    assert view_state_filters(user=bob) == {}
    assert signed_in(bob).get(reverse("indicators:overview"))["Location"].endswith("?desk=mine")


def test_since_your_last_visit_shows_each_user_their_own_scope_and_the_newest_alerts(scored, country_a, alice, bob):
    long_ago = timezone.now() - dt.timedelta(days=2)
    for user in (alice, bob):
        view_state_page_seen(user=user, page="overview", query="desk=mine", now=long_ago)
    overview = reverse("indicators:overview") + "?desk=mine"
    for user in (alice, bob):
        assert "Band reached in Alphaland" not in signed_in(user).get(overview).content.decode()
    rule = AlertRule.objects.filter(is_active=True).first()
    alert_raise(
        candidate=AlertCandidate(
            rule_id=rule.pk,
            rule_kind=rule.kind,
            country_id=country_a.pk,
            message="Band reached in Alphaland",
            fingerprint="x",
        )
    )
    for _ in range(2):
        assert "Band reached in Alphaland" in signed_in(alice).get(overview).content.decode()
        assert "Band reached in Alphaland" not in signed_in(bob).get(overview).content.decode()
