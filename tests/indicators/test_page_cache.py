"""Cached pages and score answers: every change a reader must see shows on the next request, for every role, and
one user's visit never puts their private content (drafts, notifications, tokens, desks) in another user's page."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from alerts.models import AlertRule
from alerts.rules import AlertCandidate
from alerts.services.alerts import alert_dismiss, alert_raise
from alerts.services.escalations import escalation_create
from tests.factories import AssessmentFactory, indicator
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("indicators:overview")
ROLES = ["victor", "alice", "fiona", "ada"]  # viewer, analyst, focal point, administrator
# The overview's added columns end each ranking row: forecast, open alerts, open escalations.
OPEN_ALERTS, OPEN_ESCALATIONS = -2, -1


@pytest.fixture(autouse=True, params=["per-user values read each time", "per-user values cached"])
def user_values_cached(request, settings):
    """Every test runs as on the embedded default and as in production with Redis, where the user, roles, desks,
    tokens and unread counts are kept per user too (core.user_cache)."""
    settings.USER_VALUES_CACHED = request.param == "per-user values cached"


def country_page(country) -> str:
    return reverse("indicators:country_detail", args=[country.iso3])


def ranking_cells(body: str, name: str) -> list[str]:
    """The text of each cell of the ranking row that names the country."""
    row = next(row for row in re.findall(r"<tr>.*?</tr>", body, re.S) if f">{name}</a>" in row)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scored(country_a, country_b, alice):
    run = score_run_create()
    scores_create(country=country_a, overall=[40, 42, 45, 50, 55, 60], run=run)
    scores_create(country=country_b, overall=[24, 23, 22, 21, 20, 19], run=run)
    AssessmentFactory(country=country_a, author=alice, indicator=indicator("1.1"))
    return run


def overview(client) -> str:
    return client.get(OVERVIEW, {"desk": ""}).content.decode()


@pytest.mark.parametrize("persona", ROLES)
def test_a_new_assessment_shows_on_the_next_request(request, persona, scored, country_a, alice):
    client = signed_in(request.getfixturevalue(persona))
    section = reverse("indicators:country_indicators", args=[country_a.iso3])
    assert "Fresh evidence of hate speech" not in client.get(section, {"fragment": "1"}).content.decode()
    overview(client)
    AssessmentFactory(
        country=country_a, author=alice, indicator=indicator("2.1"), evidence="Fresh evidence of hate speech"
    )
    assert "Fresh evidence of hate speech" in client.get(section, {"fragment": "1"}).content.decode()
    newest = country_a.assessments.order_by("-observed_on").first().observed_on.isoformat()
    assert newest in ranking_cells(overview(client), "Alphaland")


@pytest.mark.parametrize("persona", ROLES)
def test_a_score_run_shows_on_the_next_request(request, persona, scored, country_a):
    client = signed_in(request.getfixturevalue(persona))
    history = f"/api/v1/countries/{country_a.iso3}/scores/"
    assert "77.7" not in ranking_cells(overview(client), "Alphaland")
    assert '<span class="big-score">77.7</span>' not in client.get(country_page(country_a)).content.decode()
    assert client.get("/api/v1/scores/").json()["results"]
    assert client.get(history).json()["months"][-1]["overall"] != 77.7
    scores_create(country=country_a, overall=[77.7], last_month=dt.date(2026, 2, 1))
    assert "77.7" in ranking_cells(overview(client), "Alphaland")
    assert '<span class="big-score">77.7</span>' in client.get(country_page(country_a)).content.decode()
    latest = {row["country"]["iso3"]: row["overall"] for row in client.get("/api/v1/scores/").json()["results"]}
    assert latest["QAA"] == 77.7
    assert client.get(history).json()["months"][-1]["overall"] == 77.7


@pytest.mark.parametrize("persona", ROLES)
def test_an_alert_raised_and_dismissed_shows_on_the_next_request(request, persona, scored, country_a, fiona):
    client = signed_in(request.getfixturevalue(persona))
    assert ranking_cells(overview(client), "Alphaland")[OPEN_ALERTS] == "0"
    rule = AlertRule.objects.filter(is_active=True).first()
    alert = alert_raise(
        candidate=AlertCandidate(
            rule_id=rule.pk, rule_kind=rule.kind, country_id=country_a.pk, message="Band reached", fingerprint="x"
        )
    )
    assert ranking_cells(overview(client), "Alphaland")[OPEN_ALERTS] == "1"
    assert "Band reached" in client.get(country_page(country_a)).content.decode()
    alert_dismiss(alert=alert, user=fiona, reason="Not borne out by the evidence.")
    assert ranking_cells(overview(client), "Alphaland")[OPEN_ALERTS] == "0"


@pytest.mark.parametrize("persona", ROLES)
def test_a_submitted_escalation_shows_on_the_next_request(request, persona, scored, country_a, alice):
    client = signed_in(request.getfixturevalue(persona))
    assert ranking_cells(overview(client), "Alphaland")[OPEN_ESCALATIONS] == "0"
    escalation_create(
        country=country_a, user=alice, summary="Militia build-up", risk_assessment="Serious.", submit=True
    )
    assert ranking_cells(overview(client), "Alphaland")[OPEN_ESCALATIONS] == "1"


def test_an_analysts_draft_never_reaches_another_users_cached_page(scored, country_a, alice, victor, fiona):
    draft = escalation_create(country=country_a, user=alice, summary="Militia build-up", risk_assessment="x")
    draft_link = reverse("alerts:escalation_detail", args=[draft.pk])
    assert draft_link in signed_in(alice).get(country_page(country_a)).content.decode()  # in her timeline
    for reader in (victor, fiona):
        page = signed_in(reader).get(country_page(country_a)).content.decode()
        assert draft_link not in page and "Escalation drafted" not in page
    assert ranking_cells(overview(signed_in(victor)), "Alphaland")[OPEN_ESCALATIONS] == "0"


def test_one_users_notifications_stay_in_their_own_header(scored, country_a, alice, fiona, victor):
    escalation_create(country=country_a, user=alice, summary="Militia build-up", risk_assessment="x", submit=True)
    for url in (OVERVIEW + "?desk=", country_page(country_a)):
        assert 'class="nav-badge"' in signed_in(fiona).get(url).content.decode()  # the submission reached her
        assert 'class="nav-badge"' not in signed_in(victor).get(url).content.decode()


@pytest.mark.parametrize("url", [OVERVIEW + "?desk=", "/countries/QAA/"])
def test_each_user_signs_out_with_their_own_token_from_a_cached_page(url, scored, alice, victor):
    signed_in(alice).get(url)  # the page's pieces are cached by alice's visit
    client = Client(enforce_csrf_checks=True)
    client.force_login(victor)
    body = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_my_desks_shows_each_analyst_their_own_countries(scored, alice, bob):
    for user, own, other in ((alice, "Alphaland", "Betaland"), (bob, "Betaland", "Alphaland")):
        client = signed_in(user)
        body = client.get(OVERVIEW, {"desk": "mine"}).content.decode()
        assert f">{own}</a>" in body and f">{other}</a>" not in body
        names = [row["country"]["name"] for row in client.get("/api/v1/scores/", {"desk": "mine"}).json()["results"]]
        assert names == [own]


def test_an_administrators_rename_shows_on_the_next_request(client, scored, country_a, ada):
    client.force_login(ada)
    assert ">Alphaland</a>" in overview(client)
    admin_url = reverse("admin:indicators_country_change", args=[country_a.pk])
    form = client.get(admin_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"name": "Alphaland Republic", "desk": country_a.desk_id})
    assert client.post(admin_url, data).status_code == 302
    assert ">Alphaland Republic</a>" in overview(client)
    assert "Alphaland Republic" in client.get(country_page(country_a)).content.decode()


def queries_of_repeats(client, url, query) -> list[int]:
    """How many queries each of three identical requests asked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query).status_code == 200
        counts.append(len(queries))
    return counts


@pytest.mark.parametrize(
    ("url", "query", "proper"),
    [
        (OVERVIEW, {"region": "Nowhere"}, {"region": "Africa"}),
        (OVERVIEW, {"region": "Africa", "utm": "x"}, {"region": "Africa"}),
        ("/countries/QAA/", {"compare": "XXX"}, {"compare": "QBB"}),
    ],
)
def test_a_made_up_query_is_built_each_time_and_never_fills_the_cache(client, victor, scored, url, query, proper):
    client.force_login(victor)
    made_up = queries_of_repeats(client, url, query)
    assert made_up[1] == made_up[2]  # built again
    asked_properly = queries_of_repeats(client, url, proper)
    assert asked_properly[2] < made_up[2]  # from the cache
