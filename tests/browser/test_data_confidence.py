"""Data confidence and freshness in a real browser: a country known through one old indicator shows "insufficient
data" and is ranked apart; the data-sources page lists every source with its latest year; the country's trend chart
marks where each source's data ends. Screenshots at 1280 and 820 px land in test-artifacts/screenshots/."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from indicators.models import Assessment, DatasetImport, ScoreRun
from indicators.scoring.services import scores_recompute
from tests.factories import CountryFactory, indicator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 820, "height": 1100}


def _import(source: str, file_name: str) -> DatasetImport:
    now = timezone.now()
    return DatasetImport.objects.create(
        source=source,
        file_name=file_name,
        checksum=source * 2,
        mapping_version="2026.2",
        status=DatasetImport.Status.SUCCEEDED,
        started_at=now,
        finished_at=now,
    )


def _bahrain_like(country, ucdp, vdem) -> None:
    """Bahrain's real assessments 2021-2024: UCDP (1.1, 1.5, 2.1, 11.1: none) to 2024; V-Dem (2.1 moderate; 6.2,
    7.6, 9.1 serious), PTS (2.1 moderate) and WGI (1.6 serious) to 2023; EWP's 2024 values (9.1 serious, 2.2 none).
    About 6% coverage, two agreeing sources on 9.1, every indicator stale by December 2026: v2 banded it "high"."""
    pts = _import("pts", "PTS-2024.csv")
    wgi = _import("wgi", "wgi_voice_accountability.csv")
    ewp = _import("ewp_forecasts", "forecasts_2025_from_2024_data.csv")

    def add(code, year, severity, confidence, dataset_import):
        Assessment.objects.create(
            country=country, indicator=indicator(code), observed_on=dt.date(year, 12, 31), severity=severity,
            confidence=confidence, source=dataset_import.file_name, dataset_import=dataset_import,
        )  # fmt: skip

    for year in range(2021, 2025):
        for code in ("1.1", "1.5", "2.1", "11.1"):
            add(code, year, 0, "high", ucdp)
    for year in range(2021, 2024):
        for code, severity in (("2.1", 2), ("6.2", 3), ("7.6", 3), ("9.1", 3)):
            add(code, year, severity, "medium", vdem)
        add("2.1", year, 2, "medium", pts)
        add("1.6", year, 3, "low", wgi)
    add("9.1", 2024, 3, "medium", ewp)
    add("2.2", 2024, 0, "medium", ewp)


@pytest.fixture
def sources_world(desk_a, alice, victor):
    """Bahrainia: Bahrain's thin, stale dataset evidence (UCDP to 2024, V-Dem to 2023). Wellcovered: UCDP and
    V-Dem, and 30 recent analyst assessments."""
    ucdp = _import("ucdp_country_year", "organizedviolencecy_v25_1.csv")
    vdem = _import("vdem", "vdemlite_v14_1970_2023.csv")
    thin = CountryFactory(iso3="QBH", name="Bahrainia", desk=desk_a)
    covered = CountryFactory(iso3="QWC", name="Wellcovered", desk=desk_a)
    _bahrain_like(thin, ucdp, vdem)
    for year in (2022, 2023):
        Assessment.objects.create(
            country=covered, indicator=indicator("2.1"), observed_on=dt.date(year, 12, 31), severity=2,
            confidence="medium", source="V-Dem v14", dataset_import=vdem,
        )  # fmt: skip
    Assessment.objects.create(
        country=covered, indicator=indicator("1.1"), observed_on=dt.date(2024, 12, 31), severity=3,
        confidence="high", source="UCDP 25.1", dataset_import=ucdp,
    )  # fmt: skip
    recent = timezone.localdate() - dt.timedelta(days=20)
    codes = [f"{factor}.{number}" for factor in range(1, 11) for number in (1, 2, 3)]
    for code in codes:
        Assessment.objects.create(
            country=covered, indicator=indicator(code), observed_on=recent, severity=2, confidence="high",
            source="Desk review", author=alice,
        )  # fmt: skip
    scores_recompute(trigger=ScoreRun.Trigger.MANUAL)
    return thin, covered


def test_a_country_known_through_one_old_indicator_shows_insufficient_data_and_ranks_apart(
    signed_in, sources_world, page, live_server, screenshot, console_errors, offsite_requests
):
    """On the overview Bahrainia reads "Insufficient data", has no rank and comes after every banded country (its
    agreeing but two-year-old sources no longer band it)."""
    signed_in("victor")
    for name, size in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/")
        rows = page.locator("#ranking tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Wellcovered")
        expect(rows.nth(1)).to_contain_text("Bahrainia")
        expect(rows.nth(1)).to_contain_text("Insufficient data")
        expect(rows.nth(1).locator("td.rank")).to_have_text("–")
        expect(rows.nth(0).locator(".band-insufficient")).to_have_count(0)
        expect(page.locator("#demo-banner")).to_have_count(0)  # real datasets are imported
        screenshot(f"data-confidence-overview-{name}")
        page.goto(f"{live_server.url}/countries/QBH/")
        expect(page.locator(".score-summary")).to_contain_text("Insufficient data")
        expect(page.locator("#insufficient-note")).to_be_visible()
        expect(page.locator("#insufficient-note")).to_contain_text("newest from 31 Dec 2024")
        expect(page.locator("#evidence-by-source")).to_contain_text("31 Dec 2023")
        screenshot(f"data-confidence-country-insufficient-{name}")
    assert console_errors == [] and offsite_requests == []


def test_the_data_sources_page_lists_every_source_with_its_latest_year(
    signed_in, sources_world, page, screenshot, console_errors, offsite_requests
):
    """Every dataset imported (UCDP, V-Dem, PTS, WGI, EWP) and the analysts have a row with coverage, latest data
    year and import details."""
    signed_in("victor")
    page.click("nav >> text=Data sources")
    table = page.locator("#data-sources")
    expect(table.locator("tbody tr")).to_have_count(6)
    this_year = str(timezone.localdate().year)
    latest_years = {"ucdp_country_year": "2024", "vdem": "2023", "pts": "2023", "wgi": "2023", "ewp_forecasts": "2024"}
    for source, latest in (*latest_years.items(), ("analyst", this_year)):
        row = table.locator(f'tr[data-source="{source}"]')
        expect(row.locator(".latest-year")).to_have_text(latest)
    expect(table.locator('tr[data-source="vdem"]')).to_contain_text("2026.2")
    expect(table.locator('tr[data-source="vdem"]')).to_contain_text("vdemlite_v14_1970_2023.csv")
    for name, size in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(size)
        screenshot(f"data-sources-{name}")
    assert console_errors == [] and offsite_requests == []


def test_the_trend_chart_marks_where_each_sources_data_ends(
    signed_in, sources_world, page, screenshot, console_errors, offsite_requests
):
    """Wellcovered's chart draws a labelled line at the end of UCDP's (2024) and V-Dem's (2023) data."""
    signed_in("victor", next_path="/countries/QWC/")
    chart = page.locator(".chart[data-figure='trend-figure']")
    expect(chart.locator(".main-svg").first).to_be_visible()
    expect(chart.locator(".annotation-text", has_text="data end")).to_have_count(3)
    figure = json.loads(page.locator("#trend-figure").text_content())
    ends = sorted(shape["x0"] for shape in figure["layout"]["shapes"] if shape.get("name") == "source-end")
    assert ends[:2] == ["2023-12-31", "2024-12-31"]
    expect(page.locator("#evidence-by-source tbody tr")).to_have_count(3)
    for name, size in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(size)
        screenshot(f"data-confidence-trend-{name}")
    assert console_errors == [] and offsite_requests == []
