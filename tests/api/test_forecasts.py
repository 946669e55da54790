"""The forecasts API: latest for all countries, one country's history, model versions; the scores' roles and tokens."""

from __future__ import annotations

import pytest

from tests.forecasts.factories import published_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def forecasts(country_a, country_b):
    published_model({country_a: (0.01, 0.02), country_b: (0.05, 0.08)}, version=1, year=2025)
    return published_model({country_a: (0.03, 0.05), country_b: (0.02, 0.04)}, version=2, year=2026)


@pytest.mark.parametrize("url", ["/api/v1/forecasts/", "/api/v1/forecasts/QAA/", "/api/v1/forecast-models/"])
def test_every_role_reads_forecasts_and_others_are_refused(persona_clients, forecasts, url):
    for name in ("alice", "bob", "fiona", "victor", "ada"):
        assert persona_clients[name].get(url).status_code == 200, name
    assert persona_clients["nobody"].get(url).status_code == 403
    assert persona_clients["anonymous"].get(url).status_code == 401


def test_latest_forecasts_come_from_the_newest_model_ranked_by_one_year_probability(persona_clients, forecasts):
    body = persona_clients["victor"].get("/api/v1/forecasts/").json()
    rows = body["results"]
    assert [row["country"]["iso3"] for row in rows] == ["QAA", "QBB"]
    assert rows[0]["model_version"] == 2 and rows[0]["year"] == 2026
    assert rows[0]["probability_1y"] == 0.03 and rows[0]["drivers"][0]["direction"] == "raises"


def test_latest_forecasts_filter_by_region_and_top_and_sort(persona_clients, forecasts):
    client = persona_clients["victor"]
    assert [r["country"]["iso3"] for r in client.get("/api/v1/forecasts/?region=Asia").json()["results"]] == ["QBB"]
    assert [r["country"]["iso3"] for r in client.get("/api/v1/forecasts/?top=1").json()["results"]] == ["QAA"]
    ordered = client.get("/api/v1/forecasts/?sort=probability_2y").json()["results"]
    assert [r["country"]["iso3"] for r in ordered] == ["QBB", "QAA"]


def test_one_countrys_history_lists_every_models_forecast_oldest_first(persona_clients, forecasts):
    body = persona_clients["fiona"].get("/api/v1/forecasts/qbb/").json()
    assert body["country"]["iso3"] == "QBB"
    assert [(f["year"], f["probability_1y"]) for f in body["forecasts"]] == [(2025, 0.05), (2026, 0.02)]


def test_latest_forecasts_export_as_csv(persona_clients, forecasts):
    response = persona_clients["ada"].get("/api/v1/forecasts/?format=csv")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].startswith("country.iso3,country.name")


def test_a_model_version_carries_its_backtest_and_features(persona_clients, forecasts):
    body = persona_clients["alice"].get("/api/v1/forecast-models/2/").json()
    assert body["backtest"]["figures"]["1y"]["ours"]["top_hits"] == 16
    assert body["features"][0]["name"] == "population_log2"
