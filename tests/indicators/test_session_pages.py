"""Whole pages kept for one session (indicators.page_cache.session_page_response): asked again, a page is sent as it
was kept without being rendered, and anything it shows that changes (data, the user's roles, their unread
notifications, a message waiting for them) shows on the next request. Under made-up input (cookies, query spellings)
one session keeps one copy of a page, and a kept page never carries rights or a CSRF token that are no longer so."""

import datetime as dt
import gzip

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string

from alerts.services.escalations import escalation_create
from alerts.services.notifications import notifications_mark_all_read
from indicators.views import dashboard
from tests.indicators.score_rows import scored_run_create, scores_create

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("indicators:overview") + "?desk="
COUNTRY = "/countries/QAA/"


@pytest.fixture(autouse=True)
def user_values_cached(settings):
    """Pages are kept only where per-user values are (a cache every process shares, as Redis is in production)."""
    settings.USER_VALUES_CACHED = True


@pytest.fixture
def scored(country_a, country_b):
    return scored_run_create({country_a: [40, 42, 45, 50, 55, 60], country_b: [24, 23, 22, 21, 20, 19]})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def asked_until_kept(client: Client, url: str) -> HttpResponse:
    """The page asked until it comes from the cache: the first answer sets the CSRF cookie the page is keyed on, the
    second is kept, the third is sent as kept."""
    for _ in range(2):
        assert client.get(url).status_code == 200
    return client.get(url)


@pytest.mark.parametrize("url", [OVERVIEW, COUNTRY])
def test_a_page_asked_again_in_the_same_session_is_sent_as_kept(url, scored, alice):
    client = signed_in(alice)
    built = client.get(url)
    kept = asked_until_kept(client, url)
    assert built.templates and not kept.templates  # sent without rendering
    assert kept.status_code == 200 and "Alphaland" in kept.content.decode()
    assert "Sign out" in kept.content.decode() and 'name="csrfmiddlewaretoken"' in kept.content.decode()


@pytest.mark.parametrize("url", [OVERVIEW, COUNTRY])
def test_a_kept_page_is_sent_compressed_only_to_a_client_that_accepts_gzip(url, scored, alice):
    client = signed_in(alice)
    plain = asked_until_kept(client, url)
    compressed = client.get(url, headers={"accept-encoding": "gzip, deflate"})
    assert not compressed.templates and compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"] and "Cookie" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert not plain.has_header("Content-Encoding")


def test_another_session_of_the_same_user_gets_its_own_page_and_token(scored, alice):
    first, second = signed_in(alice), signed_in(alice)
    asked_until_kept(first, COUNTRY)
    page = second.get(COUNTRY)
    assert page.templates  # built for this session, not sent from the other's
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    asked_until_kept(client, COUNTRY)
    body = client.get(COUNTRY).content.decode()
    token = body.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_a_notification_for_the_user_shows_in_the_header_of_their_next_page(scored, country_a, alice, fiona):
    client = signed_in(fiona)
    for url in (OVERVIEW, COUNTRY):
        assert 'class="nav-badge"' not in asked_until_kept(client, url).content.decode()
    escalation_create(country=country_a, user=alice, summary="Militia build-up", risk_assessment="x", submit=True)
    for url in (OVERVIEW, COUNTRY):
        assert 'class="nav-badge"' in asked_until_kept(client, url).content.decode()
    # Reading them changes nothing but her unread count (no data version): the badge still goes on the next page.
    notifications_mark_all_read(user=fiona)
    for url in (OVERVIEW, COUNTRY):
        assert 'class="nav-badge"' not in client.get(url).content.decode()


def test_a_role_taken_away_shows_on_the_next_page(scored, alice):
    client = signed_in(alice)
    imports = reverse("indicators:imports:list")
    assert f'href="{imports}"' in asked_until_kept(client, COUNTRY).content.decode()
    alice.groups.set([Group.objects.get(name="viewer")])
    page = client.get(COUNTRY).content.decode()
    assert f'href="{imports}"' not in page and "Viewer" in page


def desks_set_in_the_admin(administrator, user, desks: dict) -> None:
    """Each desk's analysts as the administrator saves them on the desk's admin page (it logs an admin change)."""
    client = signed_in(administrator)
    for desk, analysts in desks.items():
        change = reverse("admin:indicators_desk_change", args=[desk.pk])
        saved = client.post(change, {"name": desk.name, "slug": desk.slug, "analysts": [u.pk for u in analysts]})
        assert saved.status_code == 302, saved.content.decode()


def desks_set_directly(administrator, user, desks: dict) -> None:
    """The same memberships set without the admin (a shell, a script): no admin log entry, so no new data version."""
    for desk, analysts in desks.items():
        desk.analysts.set(analysts)


@pytest.mark.parametrize("desks_set", [desks_set_in_the_admin, desks_set_directly], ids=["admin", "directly"])
def test_desks_changed_show_on_the_next_page(desks_set, scored, country_b, desk_a, desk_b, alice, ada):
    """Alice moves from Alphaland's desk to Betaland's: her kept "my desks" overview lists Betaland and not
    Alphaland, and Betaland's page offers her to record assessments, Alphaland's no longer."""
    client = signed_in(alice)
    mine = reverse("indicators:overview") + "?desk=mine"
    record = reverse("indicators:assessment_create", args=["QBB"])
    overview = asked_until_kept(client, mine)
    assert not overview.templates and "/countries/QAA/" in overview.content.decode()
    assert "/countries/QBB/" not in overview.content.decode()
    assert f'href="{record}"' not in asked_until_kept(client, "/countries/QBB/").content.decode()
    assert "Record assessments" in asked_until_kept(client, COUNTRY).content.decode()
    desks_set(ada, alice, {desk_b: [alice], desk_a: []})
    overview = client.get(mine).content.decode()
    assert "/countries/QBB/" in overview and "/countries/QAA/" not in overview
    assert f'href="{record}"' in client.get("/countries/QBB/").content.decode()
    assert "Record assessments" not in client.get(COUNTRY).content.decode()


def test_new_scores_show_on_the_next_page_of_a_session(scored, country_a, alice):
    client = signed_in(alice)
    assert '<span class="big-score">77.7</span>' not in asked_until_kept(client, COUNTRY).content.decode()
    scores_create(country=country_a, overall=[77.7], last_month=dt.date(2026, 2, 1))
    assert '<span class="big-score">77.7</span>' in client.get(COUNTRY).content.decode()


def test_a_message_waiting_for_the_user_is_shown_once_on_a_kept_page(scored, alice):
    client = signed_in(alice)
    asked_until_kept(client, COUNTRY)
    storage = CookieStorage(HttpRequest())
    storage.add(constants.SUCCESS, "Token “laptop” is revoked; it no longer works.")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    shown = client.get(COUNTRY)
    assert shown.templates and "is revoked; it no longer works." in shown.content.decode()
    after = client.get(COUNTRY).content.decode()
    assert "is revoked; it no longer works." not in after


def test_a_refused_filter_says_so_every_time_and_its_page_is_never_kept(scored, alice):
    client = signed_in(alice)
    for _ in range(3):
        page = client.get(reverse("indicators:overview"), {"region": "Nowhere"})
        assert page.templates and "Not applied, so the table ignores them" in page.content.decode()


def test_without_a_shared_cache_every_page_is_built(settings, scored, alice):
    settings.USER_VALUES_CACHED = False
    client = signed_in(alice)
    for _ in range(3):
        assert client.get(COUNTRY).templates


# --- made-up input ---------------------------------------------------------------------------------------------
def kept_pages() -> int:
    """How many whole pages the cache holds: local memory here, Redis in the CI's second run."""
    store = cache._cache
    if isinstance(store, dict):  # LocMemCache's own keys
        return sum(1 for key in store if ":session-page:" in key)
    return sum(1 for _ in store.get_client(write=False).scan_iter(match="*:session-page:*"))


def token_of(page) -> str:
    return page.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]


def test_made_up_csrf_cookies_do_not_each_keep_a_copy_of_the_page(scored, alice):
    """Any well-formed 32-character value is accepted as the CSRF cookie, and each one keys a page of its own."""
    client = signed_in(alice)
    for _ in range(25):
        client.cookies["csrftoken"] = get_random_string(32)
        assert client.get(COUNTRY).status_code == 200
    assert kept_pages() == 1  # one session, one URL


def test_made_up_overview_queries_do_not_each_keep_a_copy_of_the_page(scored, alice):
    """`rows` and `reset` take any value, and the filters any order or repetition: each spelling keys a page."""
    client = signed_in(alice)
    asked_until_kept(client, OVERVIEW)
    assert kept_pages() == 1
    for number in range(25):
        assert client.get(f"{OVERVIEW}&rows={number}").status_code == 200
        assert client.get(f"{OVERVIEW}&sort={',' * (number + 1)}").status_code == 200
        assert client.get(f"{OVERVIEW}&sort=-overall,{'country,' * number}").status_code == 200
    assert kept_pages() == 1


def test_empty_query_strings_do_not_each_keep_a_copy_of_the_country_page(scored, alice):
    """`?&`, `?&&`, ... leave request.GET empty (so the page is kept) but change get_full_path() (so the key)."""
    client = signed_in(alice)
    asked_until_kept(client, COUNTRY)
    assert kept_pages() == 1
    for number in range(1, 26):
        assert client.get(COUNTRY + "?" + "&" * number).status_code == 200
    assert kept_pages() == 1


def test_a_kept_page_carries_a_token_for_the_csrf_cookie_its_answer_sets(scored, alice):
    """A cookie Django refuses (wrong length) is replaced in every answer, but the page is kept under it with the
    token of the first replacement: the form of the kept page then fails the CSRF check."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for _ in range(2):
        client.cookies["csrftoken"] = "refused"
        page = client.get(COUNTRY)
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token_of(page)}).status_code == 302


def test_a_role_taken_away_while_her_page_is_built_does_not_stay_on_her_pages(scored, alice, monkeypatch):
    """request.user (roles, desks) is read before the page's key reads the identity generation: a change committed
    between the two is built from the old roles and kept under the new generation."""
    client = signed_in(alice)
    imports = reverse("indicators:imports:list")
    client.get(OVERVIEW)  # the CSRF cookie
    original = dashboard.view_state_page_seen

    def seen_while_her_role_is_changed(**kwargs):
        alice.groups.set([Group.objects.get(name="viewer")])  # another request's change, committed now
        return original(**kwargs)

    monkeypatch.setattr(dashboard, "view_state_page_seen", seen_while_her_role_is_changed)
    client.get(OVERVIEW)
    monkeypatch.setattr(dashboard, "view_state_page_seen", original)
    page = client.get(OVERVIEW).content.decode()
    assert f'href="{imports}"' not in page and "Viewer" in page


def test_head_requests_are_refused_before_a_kept_page_is_looked_up(scored, alice):
    client = signed_in(alice)
    asked_until_kept(client, COUNTRY)
    assert client.head(COUNTRY).status_code == 405  # require_GET: held
