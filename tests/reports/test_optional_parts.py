"""Parts of the report that other apps provide (data confidence, forecasts, actor networks), read through
reports.optional. Each test skips, saying why, where its app or field is not part of this installation."""

import datetime as dt

import pytest

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
