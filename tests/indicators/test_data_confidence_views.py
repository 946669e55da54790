"""Data confidence and freshness where users meet them: overview, country page, API, CSV export, alert rules, the
data-sources page, the demonstration banner and seed_demo (never invented evidence beside real data)."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from alerts import rules as rule_engine
from indicators.models import Assessment, CountryScore, DatasetImport, ScoreRun
from indicators.scoring.services import scores_recompute
from indicators.selectors import REAL_DATA_CACHE_KEY
from indicators.templatetags.dashboard import change
from tests.factories import CountryFactory, indicator

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("indicators:overview")
EXPORT = reverse("indicators:overview_export")


def _import(source="vdem"):
    now = timezone.now()
    return DatasetImport.objects.create(
        source=source,
        file_name=f"{source}.csv",
        checksum=source,
        mapping_version="2026.2",
        status=DatasetImport.Status.SUCCEEDED,
        started_at=now,
        finished_at=now,
    )


@pytest.fixture
def two_countries(desk_a, alice):
    """Thinland: one V-Dem indicator from 2023 (insufficient). Fullland: 30 fresh analyst assessments (banded)."""
    vdem = _import()
    thin = CountryFactory(iso3="QTH", name="Thinland", desk=desk_a)
    full = CountryFactory(iso3="QFL", name="Fullland", desk=desk_a)
    Assessment.objects.create(
        country=thin, indicator=indicator("9.1"), observed_on=dt.date(2023, 12, 31), severity=3,
        confidence="medium", source="V-Dem", dataset_import=vdem,
    )  # fmt: skip
    recent = timezone.localdate() - dt.timedelta(days=5)
    for code in [f"{factor}.{number}" for factor in range(1, 11) for number in (1, 2, 3)]:
        Assessment.objects.create(
            country=full, indicator=indicator(code), observed_on=recent, severity=1, confidence="high",
            source="Desk", author=alice,
        )  # fmt: skip
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    cache.delete(REAL_DATA_CACHE_KEY)
    return thin, full


def test_every_score_row_carries_its_confidence_and_latest_evidence(two_countries):
    """The stored latest score of each country names its data confidence, level and newest evidence date."""
    thin, full = two_countries
    thin_score = CountryScore.objects.filter(country=thin).order_by("-month").first()
    full_score = CountryScore.objects.filter(country=full).order_by("-month").first()
    assert thin_score.insufficient_data and thin_score.band == "" and thin_score.overall is not None
    assert thin_score.latest_evidence_on == dt.date(2023, 12, 31)
    assert full_score.data_confidence_level == "high" and full_score.band == "moderate"
    assert not thin_score.new_data_3m and full_score.new_data_3m


def test_the_api_gives_data_confidence_and_latest_evidence_on_every_score_row(client, victor, two_countries):
    """/api/v1/scores/ rows have data_confidence, its level and latest_evidence_on; insufficient ones come last."""
    client.force_login(victor)
    rows = client.get("/api/v1/scores/").json()["results"]
    assert [row["country"]["iso3"] for row in rows] == ["QFL", "QTH"]
    thin = rows[1]
    assert thin["data_confidence_level"] == "insufficient" and thin["band"] == ""
    assert 0 <= thin["data_confidence"] < 10
    assert thin["latest_evidence_on"] == "2023-12-31"
    history = client.get("/api/v1/countries/QTH/scores/").json()["months"]
    assert all("data_confidence" in month and "latest_evidence_on" in month for month in history)


def test_the_csv_export_has_the_confidence_columns(client, victor, two_countries):
    """The overview's CSV carries data_confidence, its level and latest_evidence_on for each country."""
    client.force_login(victor)
    response = client.get(EXPORT)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    thin = next(row for row in rows if row["iso3"] == "QTH")
    assert thin["data_confidence_level"] == "insufficient"
    assert thin["latest_evidence_on"] == "2023-12-31"
    assert float(thin["data_confidence"]) < 10
    assert thin["band"] == ""


def test_the_overview_ranks_insufficient_data_apart_and_says_no_new_data(client, victor, two_countries):
    """Thinland comes after Fullland without a rank, labelled insufficient data, its changes "no new data"."""
    client.force_login(victor)
    body = client.get(OVERVIEW).content.decode()
    assert body.index("Fullland") < body.index("Thinland")
    thin_row = body[body.index("Thinland") - 200 : body.index("Thinland") + 1500]
    assert "Insufficient data" in thin_row and "no new data" in thin_row
    banded = client.get(OVERVIEW, {"band": "high"}).content.decode()
    assert "Thinland" not in banded.split('id="ranking"')[1]


def test_band_rules_never_fire_on_a_score_with_insufficient_data():
    """A very high overall score without a band (insufficient data) raises no band alert; a banded one does."""
    rule = rule_engine.Rule(id=1, kind=rule_engine.BAND_REACHED, parameters={"bands": ["high", "very_high"]})
    month = dt.date(2026, 11, 1)
    rows = [
        rule_engine.ScoreRow(country_id=1, month=month, overall=88.0, band=""),
        rule_engine.ScoreRow(country_id=2, month=month, overall=88.0, band="very_high"),
    ]
    assert [candidate.country_id for candidate in rule_engine.evaluate_band_reached(rule, rows)] == [2]


def test_a_change_without_new_evidence_reads_no_new_data():
    """The change cell says "no new data" instead of a 0.0 that looks like a measured standstill."""
    assert "no new data" in change(0.0, "3 months", False)
    assert "0.0" in change(0.0, "3 months", True)


def test_the_country_page_shows_confidence_and_latest_evidence_per_source(client, victor, two_countries):
    """Thinland's page: insufficient data, its confidence, and V-Dem's latest evidence date."""
    client.force_login(victor)
    body = client.get(reverse("indicators:country_detail", args=["QTH"])).content.decode()
    assert "Insufficient data" in body and 'id="data-confidence"' in body
    assert 'id="evidence-by-source"' in body and "31 Dec 2023" in body and "V-Dem" in body


def test_the_data_sources_page_lists_each_source_with_latest_year_and_import(client, victor, two_countries):
    """One row per source with its coverage, latest year, mapping version and countries covered."""
    client.force_login(victor)
    body = client.get(reverse("indicators:data_sources")).content.decode()
    assert 'data-source="vdem"' in body and 'data-source="analyst"' in body
    assert "2023–2023" in body and "2026.2" in body


def test_every_page_shows_the_demonstration_banner_until_real_data_is_imported(client, victor):
    """Without a real dataset the banner is on the overview and the methodology page; an import removes it."""
    client.force_login(victor)
    for url in (OVERVIEW, reverse("indicators:methodology"), reverse("indicators:data_sources")):
        assert 'id="demo-banner"' in client.get(url).content.decode()
    _import("ucdp_country_year")
    cache.delete(REAL_DATA_CACHE_KEY)
    assert 'id="demo-banner"' not in client.get(OVERVIEW).content.decode()


def test_seed_demo_records_no_invented_assessment_when_real_data_is_present(settings, tmp_path):
    """With a real dataset imported, seed_demo creates the accounts and no demonstration assessment."""
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path / "absent"
    settings.DEBUG = True
    _import("pts")
    call_command("seed_demo", stdout=io.StringIO())
    assert not Assessment.objects.filter(author__isnull=False).exists()


def test_the_overview_says_why_the_map_is_grey_when_no_country_can_be_banded(client, victor, two_countries):
    """A note names the newest evidence and the way out once no selected country can be banded; not before."""
    thin, full = two_countries
    client.force_login(victor)
    one_banded = client.get(OVERVIEW, {"crime_group": "overall"})
    assert one_banded.status_code == 200
    assert 'id="stale-picture"' not in one_banded.content.decode()
    newest = CountryScore.objects.filter(country=full).order_by("-month").first().latest_evidence_on
    CountryScore.objects.filter(country=full).update(data_confidence_level="insufficient", band="")
    cache.clear()  # the rows changed behind the data version's back, as no service would change them
    none_banded = client.get(OVERVIEW, {"crime_group": "overall"})
    assert none_banded.status_code == 200
    page = none_banded.content.decode()
    assert 'id="stale-picture"' in page
    note = f"All 2 scores rest on evidence too thin or too old for a band: the newest is from {newest:%-d %b %Y}."
    assert note in page
