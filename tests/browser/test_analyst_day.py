"""The analyst's and the Focal Point's day in Chromium (issue 15): every page fits at 1280 and 820 px for each role,
the header search finds "Burma", pick-lists type ahead, plotly's mode bar stays local, the map opens a country,
and a declaration of imminent risk shows on the country page, the overview and the map.

One test per role walks every page at both widths in one signed-in page, so the suite signs in once per role.
Screenshots land in test-artifacts/screenshots/daily-<role>-<page>-<width>.png for a person to look at.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.factories import AssessmentFactory, CountryFactory, indicator
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 820)
# Words of visible table headings that the browser broke across two lines ("Succeed/ed"): a word's range then has
# more than one box. A break after a hyphen ("3-/month") is an ordinary line break, so hyphens separate words here.
SPLIT_WORDS_IN_HEADINGS = """() => {
  const split = [];
  for (const th of document.querySelectorAll("th")) {
    if (!th.offsetParent) continue;
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
        if (lines.size > 1) split.push(match[0]);
      }
    }
  }
  return split;
}"""
LOCAL_MODEBAR = {"Zoom", "Zoom in", "Zoom out", "Reset axes", "Reset", "Download plot as a PNG"}


@pytest.fixture
def day(country_a, country_b, alice, bob, fiona, victor, ada):
    """Scores for the personas' countries and a few real ones, an indicator history, an open alert and a case."""
    from tests.alerts.factories import EscalationFactory

    run = score_run_create()
    scores_create(country=country_a, overall=[30 + index * 1.5 for index in range(24)], run=run)
    scores_create(country=country_b, overall=[22 - (index % 5) for index in range(24)], run=run)
    for iso3, name, level in (("SDN", "Sudan", 82), ("MMR", "Myanmar", 77), ("NOR", "Norway", 6)):
        country = CountryFactory(iso3=iso3, name=name)
        scores_create(country=country, overall=[level - 3 + (index % 4) for index in range(24)], run=run)
    for severity, observed in ((1, dt.date(2025, 6, 1)), (3, dt.date(2026, 1, 10))):
        AssessmentFactory(
            country=country_a,
            author=alice,
            indicator=indicator("1.1"),
            severity=severity,
            observed_on=observed,
            source="OHCHR update",
            evidence="Mass arrests of opposition supporters in the capital. " * 3,
        )
    escalation = EscalationFactory(country=country_a, created_by=alice, state="submitted")
    return {"run": run, "escalation": escalation}


def pages_for(persona: str, escalation_id: int) -> list[str]:
    everyone = ["/", "/countries/QAA/", "/countries/QAA/?compare=QBB", "/methodology/", "/alerts/", "/actions/"]
    everyone += ["/escalations/", f"/escalations/{escalation_id}/", "/impact-assessments/", "/account/tokens/"]
    everyone += ["/search/?q=congo"]
    if persona == "alice":
        everyone += ["/countries/QAA/assessments/new/", "/countries/QAA/escalate/", "/imports/", "/imports/new/"]
        everyone += ["/countries/QAA/trigger-events/new/"]
    if persona == "ada":
        everyone += ["/imports/", "/imports/new/", "/admin/"]
    return everyone


def _name(path: str) -> str:
    cleaned = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-")
    return cleaned or "overview"


@pytest.mark.parametrize("persona", ["alice", "fiona", "victor", "ada"])
def test_every_page_fits_the_window_at_1280_and_820_px_for_each_role(
    page, signed_in, live_server, day, persona, screenshot, console_errors, offsite_requests
):
    """No page is wider than the window, no column heading splits a word, no control or request leaves 127.0.0.1."""
    signed_in(persona)
    too_wide, split_headings, offsite_links = {}, {}, {}
    for path in pages_for(persona, day["escalation"].pk):
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            if path == "/countries/QAA/":
                page.locator("details.factor-group").first.locator("> summary").click()
                page.locator("details.history").first.locator("summary").click()
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[f"{path} at {width}"] = scroll_width
            split = page.evaluate(SPLIT_WORDS_IN_HEADINGS)
            if split:
                split_headings[f"{path} at {width}"] = split
            # The analysts' own evidence links (rel=external) are the only links meant to leave the machine.
            hosts = page.evaluate("[...document.querySelectorAll('a[href]:not([rel~=external])')].map(a => a.href)")
            away = [href for href in hosts if urlparse(href).hostname not in {"127.0.0.1", "localhost"}]
            if away:
                offsite_links[path] = away
            screenshot(f"daily-{persona}-{_name(path)}-{width}")
    assert too_wide == {}
    assert split_headings == {}
    assert offsite_links == {}
    assert offsite_requests == []
    assert console_errors == []


def test_the_header_search_finds_burma_by_keyboard_and_opens_myanmar(page, signed_in, day, offsite_requests):
    """Typing an alias lists the country; arrows and Enter open it; without a pick, Enter searches."""
    signed_in("victor")
    search = page.locator("#country-search-input")
    search.focus()
    search.press_sequentially("Burma")
    option = page.locator("#country-search-options [role=option]").first
    expect(option).to_contain_text("Myanmar")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Myanmar")
    page.locator("#country-search-input").fill("congo")
    expect(page.locator("#country-search-options [role=option]")).to_have_count(2)
    page.locator("#country-search-input").press("Escape")
    expect(page.locator("#country-search-options")).to_be_hidden()
    page.locator("#country-search-input").press("Enter")
    expect(page.locator(".search-results li")).to_have_count(2)
    assert offsite_requests == []


def test_what_was_typed_before_the_search_script_ran_is_still_matched(page, signed_in, live_server, day):
    """The picker script is deferred; a quick typist's input event can come before it runs, and is not lost."""
    signed_in("victor")
    held = []
    page.route("**/js/country_picker.js", lambda route: held.append(route))
    with page.expect_request("**/js/country_picker.js"):
        page.goto(live_server.url + "/countries/QAA/", wait_until="commit")
    page.locator("#country-search-input").fill("congo")
    expect(page.locator("#country-search-options [role=option]")).to_have_count(0)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#country-search-options [role=option]")).to_have_count(2)


def _open_with_the_clock_stopped(page, url: str) -> None:
    """Open the page with the browser's clock stopped, so that its timers fire only when the test runs the clock."""
    page.clock.install()
    page.goto(url)
    page.clock.pause_at(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))


def test_leaving_the_search_and_coming_back_at_once_keeps_the_new_list_open(page, signed_in, live_server, day):
    """The list closes 150 ms after the search box loses focus; someone who comes back and types within that time
    keeps the list they now see (the clock is stopped, so the old close timer is due only when the test says)."""
    signed_in("victor")
    _open_with_the_clock_stopped(page, live_server.url + "/account/tokens/")
    search = page.locator("#country-search-input")
    search.fill("congo")
    expect(page.locator("#country-search-options [role=option]")).to_have_count(2)
    search.blur()
    search.fill("burma")
    expect(page.locator("#country-search-options [role=option]").first).to_contain_text("Myanmar")
    page.clock.run_for(1000)
    expect(page.locator("#country-search-options")).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")


def test_a_pick_list_keeps_what_was_typed_after_leaving_and_coming_back_at_once(page, signed_in, live_server, day):
    """On leaving a pick-list its text goes back to the chosen country 160 ms later, but not over what the person
    typed after coming straight back."""
    signed_in("alice")
    _open_with_the_clock_stopped(page, live_server.url + "/escalations/")
    picker = page.locator("#escalate-country-search")
    picker.press_sequentially("alp")
    expect(page.locator("#escalate-country-options [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(picker).to_have_value("Alphaland")
    picker.blur()
    picker.fill("Bet")
    page.clock.run_for(1000)
    expect(picker).to_have_value("Bet")


def test_country_pick_lists_type_ahead_on_the_escalation_queue(page, signed_in, live_server, day, country_a):
    """The analyst's "escalate a country" list filters as they type and submits the chosen country."""
    signed_in("alice", next_path="/escalations/")
    picker = page.locator("#escalate-country-search")
    picker.press_sequentially("alp")
    expect(page.locator("#escalate-country-options [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    assert page.input_value("#escalate-country") == "QAA"
    page.click("text=Start an escalation")
    expect(page.locator("h1")).to_contain_text("Alphaland")


def test_the_alert_filters_country_picker_is_as_tall_as_its_neighbours(page, signed_in, live_server, day):
    """The type-ahead replacing the Country select keeps the filter row one line high (it once grew 11rem tall)."""
    signed_in("alice", next_path="/alerts/")
    expect(page.locator("#id_country-search")).to_be_visible()
    heights = page.locator("form.filters .field").evaluate_all(
        "fields => fields.filter(f => f.querySelector('select, input:not([type=checkbox])'))"
        ".map(f => Math.round(f.getBoundingClientRect().height))"
    )
    assert len(heights) >= 5
    assert max(heights) - min(heights) <= 8, heights


def test_the_mode_bar_offers_only_local_actions(page, signed_in, live_server, day):
    """Every chart's mode bar holds zoom, reset and PNG download only; none links to plotly's cloud."""
    signed_in("victor", next_path="/countries/QAA/?compare=QBB")
    expect(page.locator("[data-figure=compare-figure].chart-drawn")).to_be_visible()
    titles = set(page.locator(".modebar-btn").evaluate_all("buttons => buttons.map(b => b.dataset.title)"))
    page.goto(live_server.url + "/?reset=1")
    expect(page.locator(".chart-map.chart-drawn")).to_be_visible()
    titles |= set(page.locator(".modebar-btn").evaluate_all("buttons => buttons.map(b => b.dataset.title)"))
    assert titles and titles <= LOCAL_MODEBAR
    assert page.locator(".modebar a, a.modebar-btn[href]").count() == 0


def test_clicking_a_country_on_the_map_opens_its_page(page, signed_in, live_server, day):
    """The map's click handler takes the clicked country's code to its page."""
    signed_in("victor")
    expect(page.locator(".chart-map.chart-drawn")).to_be_visible()
    page.evaluate("document.querySelector('.chart-map').emit('plotly_click', {points: [{location: 'SDN'}]})")
    expect(page.locator("h1")).to_contain_text("Sudan")
