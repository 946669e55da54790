"""Printing in a real browser: a country page prints without navigation, in band colours, with its trend chart inside
the page; the Brief button opens the print-ready brief. The printed page and the brief are saved under
test-artifacts/screenshots/ for a person to look at."""

import pytest
from playwright.sync_api import expect

from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_PRINTABLE_PX = 680  # what charts.js redraws to before printing


@pytest.fixture
def scored(country_a, alice, fiona):
    scores_create(country=country_a, overall=[40 + index * 1.5 for index in range(24)], run=score_run_create())


def test_a_printed_country_page_has_no_navigation_keeps_band_colours_and_fits_its_chart(
    signed_in, scored, screenshot, console_errors, offsite_requests
):
    """Under print media the header navigation and buttons are gone, the band badge keeps its colour, and the
    trend chart is redrawn no wider than the printable width."""
    page = signed_in("alice", next_path="/countries/QAA/")
    page.set_viewport_size({"width": 1280, "height": 900})
    chart = page.locator("[data-figure='trend-figure'].chart-drawn")
    expect(chart.locator(".main-svg").first).to_be_visible()
    screen_colour = page.locator(".score-summary .band").evaluate("e => getComputedStyle(e).backgroundColor")

    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator(".topbar nav")).to_be_hidden()
    expect(page.locator(".page-head .actions")).to_be_hidden()
    assert page.locator(".score-summary .band").evaluate("e => getComputedStyle(e).backgroundColor") == screen_colour
    page.wait_for_function(
        f"document.querySelector(\"[data-figure='trend-figure'] .main-svg\").getAttribute('width') <= {A4_PRINTABLE_PX}"
    )
    screenshot("country-printed")
    assert console_errors == [] and offsite_requests == []


def test_the_brief_button_opens_the_print_ready_brief(signed_in, scored, screenshot, console_errors, offsite_requests):
    """From the country page, Brief opens the standalone brief with its marking and a link to the PDF."""
    page = signed_in("fiona", next_path="/countries/QAA/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("a:has-text('Brief')")
    expect(page.locator("h1")).to_contain_text("Alphaland")
    expect(page.locator(".marking-top")).to_have_text("OFFICIAL-SENSITIVE")
    expect(page.locator(".toolbar a:has-text('Open the PDF')")).to_be_visible()
    expect(page.locator("svg.trend polyline")).to_have_count(1)
    screenshot("country-brief")
    assert console_errors == [] and offsite_requests == []
