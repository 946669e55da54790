"""The onset forecast in a real browser: every role sees it on the country page and in the overview's column; the
map switches to the forecast layer and the column sorts; the methodology page draws the backtest table and the
calibration chart. A small published model from the forecast tests' factory stands in for a trained one.
Screenshots at 1280 and 820 px land in test-artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from tests.factories import CountryFactory
from tests.forecasts.factories import published_model
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 820, "height": 1100}


@pytest.fixture
def forecast_world(country_a, country_b, alice, bob, fiona, victor, ada):
    """Scores for Alphaland, Betaland, Sudan and Myanmar; forecasts for 2026: Sudan 18%, Myanmar 9%, Alphaland
    4.2%, Betaland 0.5%; Norway is scored but has no forecast."""
    run = score_run_create()
    scores_create(country=country_a, overall=[40 + index for index in range(12)], run=run)
    scores_create(country=country_b, overall=[22 - (index % 3) for index in range(12)], run=run)
    countries = {}
    for iso3, name, region, level in (
        ("SDN", "Sudan", "Africa", 82),
        ("MMR", "Myanmar", "Asia", 77),
        ("NOR", "Norway", "Europe", 6),
    ):
        countries[iso3] = CountryFactory(iso3=iso3, name=name, region=region, desk=country_b.desk)
        scores_create(country=countries[iso3], overall=[level] * 12, run=run)
    published_model(
        {
            countries["SDN"]: (0.18, 0.29),
            countries["MMR"]: (0.09, 0.16),
            country_a: (0.042, 0.075),
            country_b: (0.005, 0.01),
        },
        year=2026,
    )


@pytest.mark.parametrize(("persona", "rows"), [("alice", 1), ("bob", 1), ("fiona", 5), ("victor", 5), ("ada", 5)])
def test_every_role_sees_the_forecast_on_the_country_page_and_in_the_overview(
    signed_in, forecast_world, page, live_server, persona, rows, screenshot, console_errors, offsite_requests
):
    """The overview's Onset forecast column gives each row its one-year percentage (a dash without a forecast);
    Alphaland's page states both horizons, the rank and the drivers beside the Framework score."""
    signed_in(persona)
    page.set_viewport_size(WIDE)
    expect(page.locator("#ranking tbody tr")).to_have_count(rows)
    expect(page.locator("#ranking thead")).to_contain_text("Onset forecast")
    headings = page.locator("#ranking thead th").all_inner_texts()
    column = next(index for index, text in enumerate(headings) if text.startswith("Onset forecast"))

    def forecast_cell(name):
        return page.locator("#ranking tbody tr", has_text=name).locator(":scope > td, :scope > th").nth(column)

    expect(
        forecast_cell("Alphaland" if persona == "alice" else "Betaland" if persona == "bob" else "Sudan")
    ).to_have_text("4.2" if persona == "alice" else "0.5" if persona == "bob" else "18.0")
    if persona in ("fiona", "victor", "ada"):
        expect(forecast_cell("Norway")).to_have_text("–")
    page.goto(f"{live_server.url}/countries/QAA/")
    panel = page.locator("#forecast")
    expect(panel.locator(".forecast-1y")).to_contain_text("4.2%")
    expect(panel.locator(".forecast-2y")).to_contain_text("7.5%")
    expect(panel.locator(".forecast-rank")).to_contain_text("3rd highest of 4 countries")
    expect(panel).to_contain_text("In 2026 or 2027")
    expect(panel.locator(".drivers li").first).to_contain_text("Population, log2")
    if persona == "victor":
        screenshot("forecast-country-wide")
        page.set_viewport_size(NARROW)
        page.reload()  # the charts take the narrow width when drawn
        expect(panel.locator(".forecast-1y")).to_contain_text("4.2%")
        screenshot("forecast-country-narrow")
    assert console_errors == [] and offsite_requests == []


def test_the_overview_map_switches_to_the_forecast_and_the_column_sorts(
    signed_in, forecast_world, page, live_server, screenshot, console_errors, offsite_requests
):
    """Choosing the forecast layer redraws the map in its colours and retitles it; the heading sorts by it."""
    signed_in("victor")
    for name, size in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/?desk=")
        expect(page.locator("#overview-map.chart-drawn .main-svg").first).to_be_visible()
        page.get_by_label("One-year onset forecast").check()
        expect(page.locator("#map-title")).to_have_text("One-year onset forecast by country")
        expect(page.locator("#overview-map")).to_have_attribute("data-figure", "map-figure-forecast_1y")
        expect(page.locator("#overview-map .colorbar")).to_contain_text("One-year onset forecast")
        expect(page.locator("#map-note")).to_contain_text("no figure")
        screenshot(f"forecast-overview-map-{name}")
        page.get_by_label("Overall score").check()
        expect(page.locator("#map-title")).to_have_text("Overall score by country")
    page.set_viewport_size(WIDE)
    page.locator("a[data-sort='forecast_1y']").click()
    rows = page.locator("#ranking tbody tr")
    expect(rows.nth(0)).to_contain_text("Sudan")
    expect(rows.nth(1)).to_contain_text("Myanmar")
    expect(rows.nth(4)).to_contain_text("Norway")
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Onset forecast")
    screenshot("forecast-overview-sorted-wide")
    assert console_errors == [] and offsite_requests == []


def test_the_methodology_page_shows_the_backtest_table_and_draws_the_calibration_chart(
    signed_in, forecast_world, page, live_server, screenshot, console_errors, offsite_requests
):
    """The backtest table compares ours, the Framework score and EWP; the calibration chart is drawn."""
    signed_in("fiona")
    for name, size in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/methodology/")
        table = page.locator(".backtest-table")
        expect(table).to_be_visible()
        expect(table).to_contain_text("16 of 23")
        expect(page.locator(".calibration-chart.chart-drawn .main-svg").first).to_be_visible()
        page.locator("#forecast-method").scroll_into_view_if_needed()
        screenshot(f"forecast-methodology-{name}")
    assert console_errors == [] and offsite_requests == []


def test_a_layer_chosen_before_the_chart_script_ran_is_the_one_drawn(
    signed_in, forecast_world, page, live_server, console_errors
):
    """charts.js is deferred behind plotly: on a slow connection someone picks a layer before it runs; the map then
    draws that layer, not the default."""
    signed_in("victor")
    held = []
    page.route("**/js/charts.js", lambda route: held.append(route))
    with page.expect_request("**/js/charts.js"):
        page.goto(f"{live_server.url}/?desk=", wait_until="commit")
    page.get_by_label("One-year onset forecast").check()
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#overview-map[data-figure='map-figure-forecast_1y'].chart-drawn")).to_be_visible()
    expect(page.locator("#overview-map .colorbar")).to_contain_text("One-year onset forecast")
    expect(page.locator("#map-title")).to_have_text("One-year onset forecast by country")
    assert console_errors == []


def test_a_layer_chosen_while_the_map_shapes_load_is_not_overdrawn_by_the_default(
    signed_in, forecast_world, page, live_server, console_errors
):
    """The default figure waits for the country shapes; a layer chosen meanwhile is drawn, and the default figure's
    drawing, no longer wanted, does not land on top of it when the shapes arrive."""
    signed_in("victor")
    held = []
    page.route("**/vendor/topojson/**", lambda route: held.append(route))
    with page.expect_request("**/vendor/topojson/**"):
        page.goto(f"{live_server.url}/?desk=")
    page.get_by_label("One-year onset forecast").check()
    page.get_by_label("Overall score").check()
    page.get_by_label("One-year onset forecast").check()
    for route in reversed(held):  # the last chosen layer's shapes (if it asked again) come back first
        route.continue_()
    expect(page.locator("#overview-map.chart-drawn")).to_be_visible()
    page.wait_for_load_state("networkidle")  # every shapes response is in, so any drawing still due has run
    expect(page.locator("#overview-map .colorbar")).to_contain_text("One-year onset forecast")
    assert console_errors == []
