"""Parts of the report that other apps provide (data confidence, forecasts, actor networks), read through
reports.optional. Each test skips, saying why, where its app or field is not part of this installation."""

import datetime as dt

import pytest
from django.apps import apps

from reports import optional
from reports.periods import period_parse
from reports.selectors import country_brief, risk_picture
from tests.alerts.factories import CountryScoreFactory, active_methodology

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not optional.has_confidence(), reason="scores carry no data confidence in this installation")
def test_a_score_below_the_minimum_of_evidence_is_shown_as_insufficient_data_not_banded(country_a, country_b, fiona):
    """The report's bands and map put it under insufficient data, counts confidence levels, and the brief agrees."""
    CountryScoreFactory(
        country=country_a,
        month=dt.date(2026, 9, 1),
        overall=80.0,
        data_confidence=12.0,
        data_confidence_level="insufficient",
        latest_evidence_on=dt.date(2021, 5, 1),
    )
    CountryScoreFactory(
        country=country_b,
        month=dt.date(2026, 9, 1),
        overall=60.0,
        data_confidence=81.0,
        data_confidence_level="high",
        latest_evidence_on=dt.date(2026, 8, 1),
    )
    risk = risk_picture(period=period_parse("2026-Q3"), methodology=active_methodology())
    groups = {group["band"]: group for group in risk["by_band"]}
    assert [row["iso3"] for row in groups["insufficient"]["countries"]] == ["QAA"]
    assert [row["confidence"] for row in groups["high"]["countries"]] == ["High"]
    assert risk["has_confidence"] and risk["map_bands"]["QAA"] == "insufficient"
    brief = country_brief(country=country_a, viewer=fiona)
    assert brief["score"]["band"] == "insufficient" and brief["confidence"]["label"] == "Insufficient data"
    assert brief["confidence"]["latest_evidence_on"] == dt.date(2021, 5, 1)


@pytest.mark.skipif(not apps.is_installed("networks"), reason="the networks app is not installed")
def test_the_brief_summarises_the_countrys_actor_network_with_its_most_central_actors(country_a, alice, fiona):
    """Actor and relationship counts, and the analysis's most central actors by name, in plain words."""
    from networks.services import analysis_run_request, ftm_import_run
    from tests.networks.conftest import upload
    from tests.networks.ftm_samples import ftm_file, small_network

    ftm_import_run(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
    assert country_brief(country=country_a, viewer=fiona)["network"]["key_actors"] == []
    analysis_run_request(country=country_a, user=alice, inline_limit=10_000)
    network = country_brief(country=country_a, viewer=fiona)["network"]
    assert network["actors"] >= 5 and network["relationships"] >= 4
    assert network["summary"].startswith(f"{network['actors']} actors and {network['relationships']} relationships")
    names = [actor["name"] for actor in network["key_actors"]]
    assert names and set(names) <= {"Gen. Test", "Col. Test", "1st Test Brigade", "Test Militia", "Test Trading Ltd"}


def test_a_country_without_a_network_says_so(country_b, fiona):
    """No actors recorded: the brief has no network part, and its template says none is recorded."""
    assert country_brief(country=country_b, viewer=fiona)["network"] is None


@pytest.mark.skipif(not apps.is_installed("forecasts"), reason="the forecasts app is not installed")
def test_forecasts_from_the_newest_published_model_appear_in_the_report_and_the_brief(country_a, country_b, fiona):
    """The report lists the highest one-year probabilities first; the brief shows the country's own forecast."""
    from tests.forecasts.factories import published_model

    published_model({country_a: (0.12, 0.21), country_b: (0.03, 0.05)})
    risk = risk_picture(period=period_parse("2026-Q3"), methodology=active_methodology())
    assert [(f["iso3"], f["probability_1y"], f["probability_2y"]) for f in risk["forecasts"]] == [
        ("QAA", 0.12, 0.21),
        ("QBB", 0.03, 0.05),
    ]
    assert risk["forecast_note"] is None
    forecast = country_brief(country=country_a, viewer=fiona)["forecast"]
    assert (forecast["probability_2y"], forecast["year"]) == (0.21, 2026)
    assert forecast["model"] == "model v1, forecasts for 2026"
