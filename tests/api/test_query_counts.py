"""Query counts of the list endpoints are pinned, and do not grow with the number of rows (no N+1)."""

import datetime as dt

import pytest

from alerts.models import Alert, AlertRule
from alerts.services import escalation_create
from indicators.models import Country, Methodology, ScoreRun
from tests.api.conftest import score_months
from tests.factories import AssessmentFactory, CountryFactory

# token lookup + the token owner's groups (roles), then the endpoint's own queries.
AUTH = 2
LIST_QUERIES = {
    "/api/v1/countries/": AUTH + 2,  # count, page with desks joined
    "/api/v1/risk-factors/": AUTH + 3,  # count, page, prefetched indicators
    "/api/v1/indicators/": AUTH + 2,
    "/api/v1/methodologies/": AUTH + 2,
    "/api/v1/score-runs/": AUTH + 2,
    # data version (the cache key), active methodology, regions for the filter, count, page
    "/api/v1/scores/": AUTH + 5,
    "/api/v1/scores/?sort=-last_assessed": AUTH + 5,  # the last-assessed dates come in the page's own query
    "/api/v1/assessments/": AUTH + 3,  # data version (the ETag), count, page
    "/api/v1/alerts/": AUTH + 2,
    "/api/v1/escalations/": AUTH + 3,  # analyst's desks, count, page
    # data version (the cache key), country, active methodology, months, factor scores; a cache hit asks only the first
    "/api/v1/countries/QAA/scores/": AUTH + 5,
}


@pytest.fixture
def many_rows(country_a, alice):
    """Enough rows in every list that an N+1 would show: scores, runs and assessments for several countries."""
    methodology = Methodology.objects.get(is_active=True)
    run = ScoreRun.objects.create(methodology=methodology, trigger="manual", status="succeeded")
    ScoreRun.objects.create(methodology=methodology, trigger="schedule", status="succeeded", requested_by=alice)
    months = [dt.date(2025, month, 1) for month in range(1, 13)]
    score_months(country_a, methodology, run, months)
    for _ in range(4):
        score_months(CountryFactory(), methodology, run, months[-2:])
    for day in range(1, 8):
        AssessmentFactory(country=country_a, author=alice, observed_on=dt.date(2025, 1, day))
    # One open alert per rule and country: a draft leaves its alert open, so each case answers another rule's alert.
    for number, rule in enumerate(AlertRule.objects.filter(is_active=True).order_by("kind")[:3]):
        alert = Alert.objects.create(
            rule=rule, rule_kind=rule.kind, country=country_a, message="Rise", fingerprint=f"rise-{number}"
        )
        escalation_create(country=country_a, user=alice, summary="Case", risk_assessment="Risk", alert=alert)


@pytest.mark.parametrize(("url", "expected"), LIST_QUERIES.items())
def test_list_endpoint_query_count_is_pinned(token_client, alice, many_rows, django_assert_num_queries, url, expected):
    api = token_client(alice)
    api.get("/api/v1/methodologies/1/")  # records the token's first use, which is written at most once a minute
    with django_assert_num_queries(expected):
        response = api.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(("cached", "auth"), [(False, AUTH), (True, 0)], ids=["token read", "token cached"])
def test_history_is_served_from_cache_until_the_next_score_run(
    token_client, alice, many_rows, django_assert_num_queries, settings, cached, auth
):
    settings.USER_VALUES_CACHED = cached  # with Redis the token, its user and roles come from the cache too
    api = token_client(alice)
    first = api.get("/api/v1/countries/QAA/scores/")
    with django_assert_num_queries(auth + 1):  # the data version: the kept answer names the country in its key
        again = api.get("/api/v1/countries/QAA/scores/")
    assert again.content == first.content
    methodology = Methodology.objects.get(is_active=True)
    run = ScoreRun.objects.create(methodology=methodology, trigger="manual", status="succeeded")
    score_months(Country.objects.get(iso3="QAA"), methodology, run, [dt.date(2026, 1, 1)])
    months = api.get("/api/v1/countries/QAA/scores/").json()["months"]
    assert months[-1]["month"] == "2026-01-01"


@pytest.mark.parametrize(("cached", "auth"), [(False, AUTH), (True, 0)], ids=["token read", "token cached"])
def test_latest_scores_are_served_from_cache_until_the_next_score_run(
    token_client, alice, many_rows, django_assert_num_queries, settings, cached, auth
):
    settings.USER_VALUES_CACHED = cached  # with Redis the token, its user and roles come from the cache too
    api = token_client(alice)
    first = api.get("/api/v1/scores/?region=Africa")
    with django_assert_num_queries(auth + 1):
        again = api.get("/api/v1/scores/?region=Africa")
    assert again.content == first.content
    assert again["Content-Type"] == "application/json"
    methodology = Methodology.objects.get(is_active=True)
    run = ScoreRun.objects.create(methodology=methodology, trigger="manual", status="succeeded")
    score_months(Country.objects.get(iso3="QAA"), methodology, run, [dt.date(2026, 1, 1)])
    rows = api.get("/api/v1/scores/?region=Africa").json()["results"]
    assert next(row for row in rows if row["country"]["iso3"] == "QAA")["month"] == "2026-01-01"
