"""The dashboards in a real browser: every role signs in; overview filters, sort and export; country page charts,
history and compare; batch assessment entry; methodology. No console errors and no request leaves 127.0.0.1.
Each page's screenshot lands in test-artifacts/screenshots/ for a person to look at (1280 px and 800 px wide)."""

import csv
import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.factories import AssessmentFactory, CountryFactory, indicator
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
TABLET = {"width": 800, "height": 1100}


@pytest.fixture
def world(country_a, country_b, alice, bob, fiona, victor, ada, nobody):
    """Two years of scores for Alphaland (rising), Betaland (calm) and a few real-looking countries for the map."""
    run = score_run_create()
    scores_create(country=country_a, overall=[30 + index * 1.5 for index in range(24)], run=run)
    scores_create(country=country_b, overall=[22 - (index % 5) for index in range(24)], run=run)
    for iso3, name, region, level in (
        ("SDN", "Sudan", "Africa", 82),
        ("MMR", "Myanmar", "Asia", 77),
        ("NOR", "Norway", "Europe", 6),
        ("BRA", "Brazil", "Americas", 31),
    ):
        country = CountryFactory(iso3=iso3, name=name, region=region, desk=country_b.desk)
        scores_create(country=country, overall=[level - 3 + (index % 4) for index in range(24)], run=run)
    AssessmentFactory(
        country=country_a, author=alice, indicator=indicator("1.1"), severity=1, observed_on=dt.date(2025, 6, 1)
    )
    AssessmentFactory(
        country=country_a,
        author=alice,
        indicator=indicator("1.1"),
        severity=3,
        observed_on=dt.date(2026, 1, 10),
        source="OHCHR update",
        evidence="Mass arrests of opposition supporters in the capital.",
    )
    return run


def assert_clean(console_errors, offsite_requests):
    assert console_errors == []
    assert offsite_requests == []


@pytest.mark.parametrize(("persona", "rows"), [("alice", 1), ("bob", 1), ("fiona", 6), ("victor", 6), ("ada", 6)])
def test_every_role_signs_in_and_sees_the_map_and_ranking(
    signed_in, world, persona, rows, console_errors, offsite_requests
):
    """Analysts open on their own desks' countries; the other roles see every country."""
    page = signed_in(persona)
    expect(page.locator("h1")).to_have_text("Atrocity risk overview")
    expect(page.locator(".chart-map.chart-drawn .main-svg").first).to_be_visible()
    expect(page.locator("#ranking tbody tr")).to_have_count(rows)
    expect(page.locator("#ranking tbody tr").first).to_contain_text(
        {"alice": "Alphaland", "bob": "Betaland"}.get(persona, "Sudan")
    )
    assert_clean(console_errors, offsite_requests)


def test_a_user_without_a_role_is_refused(signed_in, world, page, offsite_requests):
    response = page.goto(signed_in("nobody").url)
    assert response.status == 403
    assert offsite_requests == []


def test_overview_filters_sort_and_export(signed_in, world, screenshot, console_errors, offsite_requests, tmp_path):
    page = signed_in("victor")
    page.set_viewport_size(WIDE)
    screenshot("overview")
    page.select_option("#id_region", "Asia")
    page.click("text=Apply")
    expect(page.locator("#ranking tbody tr")).to_have_count(2)
    page.click("th.sortable a[data-sort='country']")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("Betaland")
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Country")
    shown = page.locator("#ranking tbody th[scope=row] span").all_inner_texts()
    with page.expect_download() as download_info:
        page.click("#export-csv")
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    with path.open() as handle:
        exported = [row["iso3"] for row in csv.DictReader(handle)]
    assert exported == shown == ["QBB", "MMR"]
    page.set_viewport_size(TABLET)
    page.goto(page.url)
    expect(page.locator(".chart-map.chart-drawn .main-svg").first).to_be_visible()
    screenshot("overview-tablet")
    assert_clean(console_errors, offsite_requests)


def test_country_page_draws_charts_expands_history_and_compares(
    signed_in, world, screenshot, console_errors, offsite_requests
):
    page = signed_in("alice", next_path="/countries/QAA/")
    page.set_viewport_size(WIDE)
    expect(page.locator("h1")).to_contain_text("Alphaland")
    expect(page.locator(".chart.chart-drawn .main-svg").first).to_be_visible()
    expect(page.locator(".score-summary .band")).to_have_text("High")
    screenshot("country")
    factor = page.locator("details.factor-group").first
    factor.locator("> summary").click()
    history = factor.locator("details.history").first
    history.locator("summary").click()
    expect(history.locator(".history-table tbody tr")).to_have_count(2)
    expect(history).to_contain_text("Mass arrests")
    # The pick-lists are type-ahead: a few letters, or an alias, then Enter.
    page.locator("#compare-1-search").press_sequentially("beta")
    expect(page.locator("#compare-1-options [role=option]").first).to_contain_text("Betaland")
    page.keyboard.press("Enter")
    page.locator("#compare-2-search").press_sequentially("sdn")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#compare-1") == "QBB"
    assert page.input_value("#compare-2") == "SDN"
    page.click("button:has-text('Compare')")
    compare = page.locator("[data-figure='compare-figure']")
    expect(compare.locator(".main-svg").first).to_be_visible()
    expect(compare).to_contain_text("Betaland")
    expect(compare).to_contain_text("Sudan")
    screenshot("country-compare")
    page.set_viewport_size(TABLET)
    page.reload()
    expect(page.locator(".chart.chart-drawn .main-svg").first).to_be_visible()
    screenshot("country-tablet")
    expect(page.get_by_role("link", name="Escalate")).to_be_visible()
    assert_clean(console_errors, offsite_requests)


def test_alice_records_a_batch_and_sees_when_scores_are_ready(
    signed_in, world, screenshot, console_errors, offsite_requests
):
    page = signed_in("alice", next_path="/countries/QAA/")
    page.click("text=Record assessments")
    expect(page.locator("h1")).to_have_text("Record assessments for Alphaland")
    page.click("#add-row")
    expect(page.locator("fieldset.batch-row")).to_have_count(4)
    page.select_option("#id_rows-0-indicator", str(indicator("1.2").pk))
    page.select_option("#id_rows-0-severity", "2")
    page.fill("#id_rows-0-source", "Embassy reporting")
    page.fill("#id_rows-0-evidence", "Curfew extended to two more provinces.")
    page.select_option("#id_rows-3-indicator", str(indicator("9.1").pk))
    page.select_option("#id_rows-3-severity", "3")
    page.click("button[type=submit]:has-text('Record assessments')")
    expect(page.locator(".has-error #id_rows-3-source")).to_be_visible()
    expect(page.locator("text=Nothing was recorded")).to_be_visible()
    page.set_viewport_size(WIDE)
    screenshot("assessment-entry-errors")
    page.fill("#id_rows-3-source", "UN Special Adviser statement")
    page.click("button[type=submit]:has-text('Record assessments')")
    # The saved page replaces itself with its "changes" view as soon as the scores are in, often before an assertion
    # on its flash message could run: the confirmation that stays is the one in the changes view.
    feedback = page.locator("#what-changed")
    expect(feedback).to_contain_text("New scores are ready", timeout=20_000)
    expect(feedback).to_contain_text("2 assessments recorded for Alphaland.")
    expect(feedback.locator("tbody tr").first).to_contain_text("1.2")
    expect(feedback).to_contain_text("First assessment of this indicator")
    expect(feedback.locator(".score-moves")).to_contain_text("Overall")
    assert "changes=" in page.url
    screenshot("assessment-recorded")
    assert [e for e in console_errors if "400" not in e] == []
    assert offsite_requests == []


@pytest.mark.parametrize("persona", ["bob", "victor"])
def test_batch_entry_is_refused_for_other_desks_and_viewers(signed_in, world, persona, offsite_requests):
    page = signed_in(persona, next_path="/countries/QAA/")
    expect(page.locator("h1")).to_contain_text("Alphaland")
    expect(page.get_by_role("link", name="Record assessments")).to_have_count(0)
    expect(page.get_by_role("link", name="Escalate")).to_have_count(0)
    response = page.goto(page.url.replace("/countries/QAA/", "/countries/QAA/assessments/new/"))
    assert response.status == 403
    assert offsite_requests == []


def test_methodology_page_explains_the_method(signed_in, world, screenshot, console_errors, offsite_requests):
    page = signed_in("fiona", next_path="/methodology/")
    page.set_viewport_size(WIDE)
    expect(page.locator("h1")).to_have_text("How the scores are made")
    expect(page.get_by_role("rowheader", name="Weight halves every")).to_be_visible()
    page.locator("details.mapping-source summary").first.click()
    expect(page.locator("details.mapping-source table").first).to_be_visible()
    screenshot("methodology")
    page.reload()
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(".brand")).to_be_focused()
    assert_clean(console_errors, offsite_requests)


def test_long_unbroken_text_in_a_case_wraps_instead_of_widening_the_pages(
    signed_in, live_server, world, fiona, alice, country_a
):
    """Analysts paste long URLs; the case page and the queue must stay as wide as the window."""
    from tests.alerts.factories import EscalationFactory

    long_url = "https://example.org/" + "a" * 400
    escalation = EscalationFactory(
        country=country_a,
        created_by=alice,
        state="submitted",
        summary="x" * 300,
        risk_assessment="y" * 300,
        evidence_links=[long_url],
    )
    page = signed_in("fiona", next_path=f"/escalations/{escalation.pk}/")
    page.set_viewport_size(WIDE)
    for path in (f"/escalations/{escalation.pk}/", "/escalations/"):
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDE["width"], f"{path} is {width} px wide"


def test_a_token_is_created_shown_once_and_revoked_after_a_second_step(
    signed_in, live_server, screenshot, console_errors, offsite_requests, alice
):
    page = signed_in("alice", next_path="/account/tokens/")
    page.set_viewport_size(WIDE)
    page.fill("#id_name", "Monthly score export")
    page.click("text=Create token")
    secret = page.input_value("#new-token")
    assert len(secret) > 20
    screenshot("tokens")
    page.click("summary:has-text('Revoke')")
    page.click("text=Revoke “Monthly score export” now")
    expect(page.locator("table.tokens tbody tr").first).to_contain_text("revoked")
    assert page.locator("#new-token").count() == 0  # the secret is never shown again
    assert_clean(console_errors, offsite_requests)
