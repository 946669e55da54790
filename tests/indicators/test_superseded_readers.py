"""A re-import under a newer mapping supersedes the older import: no page or count shows the older import's rows.

Alphaland's 1.1: the older mapping rated 2021 at 3 and also recorded 2019 and 2022 (cells the newer mapping leaves
out); the newer rates 2021 at 1 (`tests.factories.remapped_import`).
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from indicators.models import Assessment, CountryScore, DatasetImport, Methodology
from indicators.scoring.evidence import first_months
from indicators.scoring.selectors import country_latest_evidence_by_source, data_sources_summary
from indicators.selectors import assessment_entries_since, country_scores_latest
from tests.factories import REMAP_NEWER_ROWS, AssessmentFactory, remapped_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def remapped(country_a):
    return remapped_import(country=country_a)


def test_the_older_import_is_superseded_and_its_rows_no_longer_read(remapped):
    older, newer = remapped
    assert list(DatasetImport.objects.superseded()) == [older]
    assert set(Assessment.objects.not_superseded().values_list("dataset_import", flat=True)) == {newer.pk}
    flags = dict(Assessment.objects.with_superseded().values_list("dataset_import", "superseded").distinct())
    assert flags == {older.pk: True, newer.pk: False}


def test_an_analysts_own_assessment_is_never_superseded(remapped, country_a, alice):
    own = AssessmentFactory(country=country_a, author=alice)
    assert own in Assessment.objects.not_superseded()


def test_the_country_pages_indicators_show_only_the_newer_mappings_value(client, victor, remapped):
    client.force_login(victor)
    response = client.get(reverse("indicators:country_indicators", args=["QAA"]))
    first = response.context["groups"][0].indicators[0]
    assert first.indicator.code == "1.1"
    assert (first.latest["observed_on"], first.latest["severity"], first.history_total) == (dt.date(2021, 12, 31), 1, 1)
    assert "Mapping 2000.1" not in response.content.decode()


def test_the_country_pages_evidence_per_source_counts_only_the_newer_import(remapped, country_a):
    (ucdp,) = country_latest_evidence_by_source(country=country_a)
    assert (ucdp.source, ucdp.latest_observed_on, ucdp.assessments) == ("ucdp_country_year", dt.date(2021, 12, 31), 1)


def test_the_overviews_last_assessed_date_ignores_the_older_import(remapped, country_a, scored_methodology):
    (score,) = country_scores_latest(methodology=scored_methodology, with_last_assessed=True)
    assert score.last_assessed == dt.date(2021, 12, 31)


def test_an_analysts_new_entry_is_compared_with_the_newer_import_only(remapped, country_a, alice):
    since = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    AssessmentFactory(country=country_a, author=alice, observed_on=dt.date(2021, 6, 30))
    _, others = assessment_entries_since(country=country_a, author=alice, since=since)
    assert [(row["observed_on"], row["severity"]) for row in others] == list(REMAP_NEWER_ROWS)


def test_the_sources_page_counts_only_the_newer_import(client, victor, remapped):
    client.force_login(victor)
    response = client.get(reverse("indicators:data_sources"))
    (ucdp,) = response.context["sources"]
    assert (ucdp.first_year, ucdp.latest_year, ucdp.assessments, ucdp.countries) == (2021, 2021, 1, 1)
    assert ucdp.mapping_version == remapped[1].mapping_version
    assert data_sources_summary() == response.context["sources"]


def test_recompute_since_starts_each_country_at_its_first_month_that_counts(remapped, country_a):
    """`recompute_scores --since` scores each country from its first counted month, as a full run does: the older
    import's 2019 cell (left out by the newer mapping) must not start it two years early."""
    assert first_months([country_a.pk]) == {country_a.pk: dt.date(2021, 12, 1)}
    call_command("recompute_scores", "--country", "QAA", stdout=StringIO())
    full = list(CountryScore.objects.filter(country=country_a).order_by("month").values_list("month", "overall"))
    call_command("recompute_scores", "--country", "QAA", "--since", "2024-01", stdout=StringIO())
    partial = list(CountryScore.objects.filter(country=country_a).order_by("month").values_list("month", "overall"))
    assert full[0][0] == dt.date(2021, 12, 1) and partial == full


@pytest.fixture
def scored_methodology(country_a):
    methodology = Methodology.objects.get(is_active=True)
    call_command("recompute_scores", "--country", country_a.iso3, stdout=StringIO())
    return methodology
