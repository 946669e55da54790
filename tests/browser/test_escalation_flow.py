"""The whole escalation path in a real browser: analyst escalates, Focal Point claims and declares, tracker and
analyst see the outcome."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.alerts.factories import CountryScoreFactory
from tests.browser.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"escalation_{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_escalation_goes_from_the_country_page_to_actions_on_the_tracker(page, live_server, alice, fiona, country_a):
    CountryScoreFactory(country=country_a, month=dt.date(2026, 10, 1), overall=68.4)
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()

    # The analyst escalates from the country page.
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/countries/QAA/")
    page.get_by_role("link", name="Escalate").click()
    page.wait_for_url(f"{live_server.url}/countries/QAA/escalate/")
    page.fill("#id_summary", "Militias are attacking villages of a minority group; officials use dehumanising speech.")
    page.fill("#id_risk_assessment", "Factor 10 indicators 10.1 and 10.3 assessed serious; attacks doubled in October.")
    page.fill("#id_evidence_links", "https://example.org/field-report\nhttps://example.org/ngo-statement")
    page.get_by_label("Targeted sanctions").check()
    page.get_by_label("Diplomatic engagement").check()
    page.get_by_label("Urgent: response within 24 hours").check()
    shot(page, "1_analyst_form")
    page.get_by_role("button", name="Submit to the Focal Point").click()
    page.wait_for_selector("text=Escalation submitted")
    assert page.locator(".aw-state").first.inner_text() == "Submitted"
    assert "68.4" in page.inner_text("aside")
    escalation_url = page.url
    shot(page, "2_submitted")

    # The Focal Point claims it in the queue and declares imminent risk with two actions.
    sign_in(page, live_server, "fiona")
    page.goto(f"{live_server.url}/escalations/")
    assert page.locator("table.aw-queue tbody tr").first.inner_text().count("Alphaland") == 1
    shot(page, "3_queue")
    page.locator("table.aw-queue").get_by_role("button", name="Claim").click()
    page.wait_for_selector("text=You have claimed this case")
    page.get_by_label("Declare imminent risk").check()
    page.fill("#id_rationale", "Credible evidence of imminent mass killings of the minority group.")
    page.select_option("#id_actions-0-tool", "targeted_sanctions")
    page.select_option("#id_actions-0-lead_department", "hmt_ofsi")
    page.fill("#id_actions-0-owner", "OFSI designations team")
    page.fill("#id_actions-0-due_on", due)
    page.get_by_role("button", name="Add another action").click()
    page.select_option("#id_actions-1-tool", "asylum_resettlement")
    page.select_option("#id_actions-1-lead_department", "home_office")
    page.fill("#id_actions-1-owner", "Resettlement unit")
    page.fill("#id_actions-1-due_on", due)
    shot(page, "4_decision_form")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_selector("text=Decision recorded")
    assert page.locator(".aw-state").first.inner_text() == "Imminent risk declared"

    # The declaration stands out: a banner on the country page, a mark on the overview row, an outline on the map.
    page.goto(f"{live_server.url}/countries/QAA/")
    banner = page.locator(".imminent-banner")
    expect(banner).to_contain_text("Imminent risk declared for Alphaland")
    expect(banner).to_contain_text("Credible evidence of imminent mass killings of the minority group.")
    expect(banner).to_contain_text("OFSI designations team")
    shot(page, "4b_country_banner")
    page.goto(f"{live_server.url}/?reset=1")
    expect(page.locator("#ranking tbody tr", has_text="Alphaland").locator(".flag-imminent")).to_be_visible()
    expect(page.locator(".chart-map.chart-drawn")).to_be_visible()
    outlined = page.evaluate("document.querySelector('.chart-map').data[1].locations")
    assert outlined == ["QAA"]
    expect(page.locator(".map-flags")).to_contain_text("Alphaland")
    shot(page, "4c_overview_marker")
    page.goto(escalation_url)

    # The actions appear on the whole-of-government tracker, by department.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions tracker").click()
    page.wait_for_url(f"{live_server.url}/actions/")  # the click returns once the page commits, not once it is read
    tracker = page.inner_text("main")
    assert "HM Treasury / OFSI" in tracker and "Home Office" in tracker
    assert "OFSI designations team" in tracker and "Resettlement unit" in tracker
    shot(page, "5_tracker")

    # The Focal Point moves the sanctions action on from the tracker, with a note.
    sanctions = page.locator("section.aw-department", has_text="HM Treasury / OFSI")
    sanctions.get_by_text("Update status").click()
    sanctions.get_by_label("New status of Targeted sanctions for Alphaland").select_option("in_progress")
    sanctions.get_by_label("Note").fill("Designation proposals sent to ministers.")
    sanctions.get_by_role("button", name="Update").click()
    page.wait_for_selector("text=Targeted sanctions for Alphaland is now in progress.")
    sanctions = page.locator("section.aw-department", has_text="HM Treasury / OFSI")
    assert "In progress" in sanctions.inner_text()
    assert "Designation proposals sent to ministers." in sanctions.inner_text()
    shot(page, "5b_tracker_status_updated")

    # The analyst sees the decision and its rationale.
    sign_in(page, live_server, "alice")
    page.goto(escalation_url)
    assert "Designation proposals sent to ministers." in page.inner_text("#actions-heading + table")
    assert "Planned → In progress" in page.inner_text(".aw-timeline")
    decision = page.inner_text(".aw-decision")
    assert "Decision: Imminent risk declared" in decision
    assert "Credible evidence of imminent mass killings of the minority group." in decision
    assert "Claimed for review" in page.inner_text(".aw-timeline") or "claimed for review" in page.inner_text(
        ".aw-timeline"
    )
    shot(page, "6_analyst_sees_decision")
