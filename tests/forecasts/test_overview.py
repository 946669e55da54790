"""The overview's onset-forecast column sorts the ranking, and the map offers the forecast as a layer beside the
Framework score; indicators knows neither, both come through core.extensions."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CountryFactory
from tests.forecasts.factories import published_model
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("indicators:overview")


@pytest.fixture
def ranked(country_a, country_b):
    """Alphaland high (60) with a 2% forecast, Betaland low (19) with 20%, Gammaland very high (88) and no forecast."""
    run = score_run_create()
    scores_create(country=country_a, overall=[50, 60], run=run)
    scores_create(country=country_b, overall=[20, 19], run=run)
    gamma = CountryFactory(iso3="QCC", name="Gammaland", region="Americas", desk=country_b.desk)
    scores_create(country=gamma, overall=[90, 88], run=run)
    published_model({country_a: (0.02, 0.04), country_b: (0.20, 0.31)})
    return run


def _order(response) -> list[str]:
    return [score.country.iso3 for score in response.context["scores"]]


def test_the_forecast_heading_sorts_the_ranking_highest_first_then_back_countries_without_a_forecast_last(
    client, victor, ranked
):
    """sort=-forecast_1y puts Betaland (20%) first; sort=forecast_1y reverses it; Gammaland stays last in both."""
    client.force_login(victor)
    unsorted = client.get(OVERVIEW, {"desk": ""})
    assert _order(unsorted) == ["QCC", "QAA", "QBB"]
    heading = '<a href="?desk=&amp;sort=-forecast_1y" data-sort="forecast_1y">Onset forecast'
    assert heading in unsorted.content.decode()

    descending = client.get(OVERVIEW, {"desk": "", "sort": "-forecast_1y"})
    assert _order(descending) == ["QBB", "QAA", "QCC"]
    body = descending.content.decode()
    assert 'aria-sort="descending"><a href="?desk=&amp;sort=forecast_1y" data-sort="forecast_1y">' in body
    assert "Not applied" not in body
    assert _order(client.get(OVERVIEW, {"desk": "", "sort": "forecast_1y"})) == ["QAA", "QBB", "QCC"]


def test_the_csv_export_follows_the_forecast_sort(client, victor, ranked):
    """The export reads the same filters, so it lists the countries in the forecast's order with the figure."""
    client.force_login(victor)
    response = client.get(reverse("indicators:overview_export"), {"sort": "-forecast_1y"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["iso3"], row["forecast_1y"]) for row in rows] == [("QBB", "20.0"), ("QAA", "2.0"), ("QCC", "")]


def test_sorting_by_the_forecast_costs_no_extra_query(client, victor, ranked):
    """The probability is a subquery of the ranking's own query: the page reads as many queries sorted or not (the
    page's own pin is in tests/indicators/test_views_overview.py)."""
    client.force_login(victor)
    client.get(OVERVIEW)  # warm the session
    counts = []
    for sort in ("", "-forecast_1y", "forecast_1y"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(OVERVIEW, {"region": "Africa", "crime_group": "genocide", "sort": sort})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.parametrize("persona", ["alice", "bob", "fiona", "victor", "ada"])
def test_the_map_offers_the_forecast_as_a_layer_beside_the_framework_score(client, request, ranked, persona):
    """A radio switch names both layers; the forecast's figure is a JSON script of the countries' percentages."""
    client.force_login(request.getfixturevalue(persona))
    response = client.get(OVERVIEW, {"desk": ""})
    body = response.content.decode()
    assert "<legend>Map shows</legend>" in body
    assert 'value="map-figure" data-figure-switch="overview-map"' in body
    assert 'value="map-figure-forecast_1y" data-figure-switch="overview-map"' in body
    start = body.index('<script id="map-figure-forecast_1y" type="application/json">')
    figure = json.loads(body[body.index(">", start) + 1 : body.index("</script>", start)])
    [trace] = figure["data"]
    assert dict(zip(trace["locations"], trace["z"], strict=True)) == {"QAA": 2.0, "QBB": 20.0}
    assert trace["zmax"] == 20.0 and trace["hovertemplate"].startswith("<b>%{text}</b><br>One-year onset forecast")
    assert "<script>" not in body  # no inline script: the static charts.js switches the layers


def test_without_a_forecast_model_the_map_has_no_layer_switch(client, victor, country_a):
    """No published model, no values: the map shows the Framework score alone."""
    run = score_run_create()
    scores_create(country=country_a, overall=[50, 60], run=run)
    client.force_login(victor)
    body = client.get(OVERVIEW, {"desk": ""}).content.decode()
    assert 'data-figure="map-figure"' in body
    assert "Map shows" not in body and "map-figure-forecast_1y" not in body
