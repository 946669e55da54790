"""Every read endpoint for every role: the five roles read, an account without a role gets 403, anonymous 401."""

import datetime as dt

import pytest

from indicators.models import Methodology
from tests.api.conftest import score_months
from tests.factories import AssessmentFactory, CountryFactory

READ_URLS = [
    "/api/v1/countries/",
    "/api/v1/countries/QAA/",
    "/api/v1/countries/QAA/scores/",
    "/api/v1/risk-factors/",
    "/api/v1/risk-factors/7/",
    "/api/v1/indicators/",
    "/api/v1/indicators/7.4/",
    "/api/v1/methodologies/",
    "/api/v1/methodologies/1/",
    "/api/v1/score-runs/",
    "/api/v1/scores/",
    "/api/v1/assessments/",
    "/api/v1/alerts/",
    "/api/v1/escalations/",
]
EXPECTED = {"alice": 200, "bob": 200, "fiona": 200, "victor": 200, "ada": 200, "nobody": 403, "anonymous": 401}


@pytest.mark.parametrize("url", READ_URLS)
def test_every_role_reads_and_others_are_refused(persona_clients, scored, url):
    for persona, status in EXPECTED.items():
        response = persona_clients[persona].get(url)
        assert response.status_code == status, (persona, url, response.content[:200])


def test_score_run_and_assessment_details_are_readable_by_every_role(persona_clients, scored, country_a, alice):
    assessment = AssessmentFactory(country=country_a, author=alice)
    for persona, status in EXPECTED.items():
        assert persona_clients[persona].get(f"/api/v1/score-runs/{scored.pk}/").status_code == status
        assert persona_clients[persona].get(f"/api/v1/assessments/{assessment.pk}/").status_code == status


def test_latest_scores_rank_countries_by_overall_score(persona_clients, scored):
    body = persona_clients["victor"].get("/api/v1/scores/").json()
    assert [row["country"]["iso3"] for row in body["results"]] == ["QAA", "QBB"]
    assert body["results"][0]["month"] == "2026-03-01"
    assert body["results"][0]["band"] == "high"


def test_latest_scores_sort_by_last_assessed_puts_never_assessed_countries_last(
    persona_clients, scored, country_a, country_b, alice, bob
):
    """The API sorts by each country's latest observation, as the overview's Last assessed column does."""
    AssessmentFactory(country=country_a, author=alice, observed_on=dt.date(2025, 6, 1))
    AssessmentFactory(country=country_b, author=bob, observed_on=dt.date(2026, 2, 1))
    never = CountryFactory(iso3="QNV", name="Neverland")
    score_months(never, scored.methodology, scored, [dt.date(2026, 3, 1)], base=90.0)
    api = persona_clients["victor"]
    newest_first = api.get("/api/v1/scores/?sort=-last_assessed").json()["results"]
    oldest_first = api.get("/api/v1/scores/?sort=last_assessed").json()["results"]
    assert [row["country"]["iso3"] for row in newest_first] == ["QBB", "QAA", "QNV"]
    assert [row["country"]["iso3"] for row in oldest_first] == ["QAA", "QBB", "QNV"]


def test_latest_scores_filter_by_region_and_band(persona_clients, scored):
    api = persona_clients["victor"]
    assert [r["country"]["iso3"] for r in api.get("/api/v1/scores/?region=Asia").json()["results"]] == ["QBB"]
    assert [r["country"]["iso3"] for r in api.get("/api/v1/scores/?band=high").json()["results"]] == ["QAA"]
    assert api.get("/api/v1/scores/?band=very_high").json()["count"] == 0


def test_latest_scores_band_follows_the_chosen_crime_group(persona_clients, scored):
    # QBB's war-crimes score is 29 (moderate) while its genocide score is 32; QAA's 54 is high.
    body = persona_clients["victor"].get("/api/v1/scores/?crime_group=war_crimes&band=moderate").json()
    assert [row["country"]["iso3"] for row in body["results"]] == ["QBB"]


def test_country_history_has_every_month_with_its_factor_breakdown(persona_clients, scored):
    body = persona_clients["alice"].get("/api/v1/countries/qaa/scores/").json()
    assert body["country"]["iso3"] == "QAA"
    assert body["methodology"] == Methodology.objects.get(is_active=True).version
    assert [month["month"] for month in body["months"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    factors = body["months"][0]["factors"]
    assert [factor["risk_factor"] for factor in factors] == list(range(1, 15))
    assert factors[6] == {"risk_factor": 7, "score": 7.0, "coverage": 0.5, "indicators_assessed": 2}


def test_country_history_is_bounded_by_a_date_range(persona_clients, scored):
    body = persona_clients["alice"].get("/api/v1/countries/QAA/scores/?since=2026-02-01&until=2026-02-28").json()
    assert [month["month"] for month in body["months"]] == ["2026-02-01"]


def test_country_history_of_an_unknown_methodology_is_404(persona_clients, scored):
    assert persona_clients["alice"].get("/api/v1/countries/QAA/scores/?methodology=99").status_code == 404


def test_countries_filter_by_region_and_desk(persona_clients, country_a, country_b):
    api = persona_clients["victor"]
    asia = [c["iso3"] for c in api.get("/api/v1/countries/?region=asia&page_size=500").json()["results"]]
    assert "QBB" in asia and "QAA" not in asia
    desk = api.get("/api/v1/countries/?desk=great-lakes").json()["results"]
    assert [c["iso3"] for c in desk] == ["QAA"]


def test_indicators_filter_by_crime_group(persona_clients, db):
    body = persona_clients["victor"].get("/api/v1/indicators/?crime_group=genocide&page_size=500").json()
    assert body["count"] > 0
    assert {row["risk_factor"] for row in body["results"]} == {9, 10}


def test_assessments_filter_by_country_date_range_and_severity(persona_clients, country_a, country_b, alice, bob):
    import datetime as dt

    AssessmentFactory(country=country_a, author=alice, observed_on=dt.date(2025, 1, 1), severity=1)
    AssessmentFactory(country=country_a, author=alice, observed_on=dt.date(2026, 1, 1), severity=3)
    AssessmentFactory(country=country_b, author=bob, observed_on=dt.date(2026, 1, 1), severity=3)
    api = persona_clients["victor"]
    rows = api.get("/api/v1/assessments/?country=qaa&observed_after=2025-06-01").json()["results"]
    assert [(row["country"], row["observed_on"]) for row in rows] == [("QAA", "2026-01-01")]
    assert api.get("/api/v1/assessments/?min_severity=3").json()["count"] == 2


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
def test_every_role_reads_a_score_explanation(persona_clients, scored, persona):
    body = persona_clients[persona].get("/api/v1/countries/QAA/explanation/").json()
    assert body["country"]["iso3"] == "QAA"
    assert [factor["number"] for factor in body["factors"]] == list(range(1, 15))


@pytest.mark.parametrize("month", ["0001-01-15", "9999-12-31", "1899-12-31"])
def test_explanation_of_an_extreme_month_is_not_a_server_error(persona_clients, scored, month):
    """A well-formed month outside the scored range is a score that does not exist: 404 (issue 13's schema run)."""
    response = persona_clients["victor"].get(f"/api/v1/countries/QAA/explanation/?month={month}")
    assert response.status_code == 404
    assert "no score" in response.json()["error"]["message"]


def test_latest_scores_history_and_overview_export_show_the_same_score_columns(persona_clients, scored, client, victor):
    score_fields = ["overall", "band", "common", "genocide", "crimes_against_humanity", "war_crimes", "coverage"]
    score_fields += ["change_3m", "change_12m"]
    latest = persona_clients["victor"].get("/api/v1/scores/").json()["results"][0]
    history = persona_clients["victor"].get("/api/v1/countries/QAA/scores/").json()["months"][0]
    client.force_login(victor)
    export_header = client.get("/export.csv").content.decode().splitlines()[0].split(",")
    assert [key for key in latest if key in score_fields] == score_fields
    assert [key for key in history if key in score_fields] == score_fields
    assert [column for column in export_header if column in score_fields] == score_fields
