"""The actor network in a real browser: an analyst imports an FtM file, opens the country network, filters it by
date, opens an actor and names it in an escalation and a sanctions action; a viewer reads but cannot edit."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from alerts.models import Escalation, ResponseAction, Tool
from networks.models import EscalationActor, SanctionTarget
from tests.alerts.factories import EscalationFactory
from tests.browser.conftest import sign_in
from tests.networks.ftm_samples import ftm_file, small_network

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 900})
        # The graph refits itself to its new box shortly after a resize; shoot it once it has.
        if page.locator("#network-graph[data-ready='true']").count():
            width_now = page.eval_on_selector("#network-graph", "box => box.clientWidth")
            page.wait_for_selector(f"#network-graph[data-fitted-width='{width_now}']", state="attached")
        page.screenshot(path=str(SCREENSHOTS / f"network_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_analyst_imports_explores_and_links_an_actor_and_a_viewer_only_reads(
    page, live_server, alice, fiona, victor, country_a, console_errors
):
    escalation = EscalationFactory(country=country_a, created_by=alice, state=Escalation.State.SUBMITTED)
    declared = EscalationFactory(
        country=country_a,
        created_by=alice,
        state=Escalation.State.IMMINENT_RISK_DECLARED,
        summary="Imminent risk declared for Alphaland.",
    )
    ResponseAction.objects.create(
        escalation=declared,
        country=country_a,
        tool=Tool.TARGETED_SANCTIONS,
        lead_department="hmt_ofsi",
        owner="Sanctions unit",
        due_on=timezone.localdate() + dt.timedelta(days=30),
        created_by=fiona,
    )

    # The analyst imports an FtM file for her desk's country.
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/network/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "network.ftm.json", "mimeType": "application/json", "buffer": ftm_file(*small_network())}],
    )
    page.select_option("#id_default_country", "QAA")
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=Created 5 actors and 7 relationships")
    shot(page, "1_import")

    # She opens the country network; the graph draws and the ranked tables list the actors.
    page.get_by_role("link", name="Open the Alphaland network").click()
    page.wait_for_selector("#network-graph[data-ready='true']")
    assert page.inner_text("#graph-status") == "Showing 5 of 5 actors and 6 of 6 ties."
    assert "Gen. Test" in page.inner_text("#central-heading + p + table")
    shot(page, "2_country_network")

    # Filtering by date: on the earliest date in the data, the later ties disappear.
    page.check("#date-filter-on")
    page.eval_on_selector("#date-slider", "el => { el.value = '0'; el.dispatchEvent(new Event('input')); }")
    status = page.inner_text("#graph-status")
    assert "valid on" in status and "of 6 ties" in status and not status.startswith("Showing 5 of 5 actors and 6")
    page.uncheck("#date-filter-on")

    # Filtering by relationship type: without payments one tie fewer.
    page.uncheck("input[name='rel'][value='payment']")
    assert page.inner_text("#graph-status") == "Showing 5 of 5 actors and 5 of 6 ties."

    # The side panel shows an actor's sources and history; its link opens the profile.
    page.locator(".nw-show[data-actor]").first.click()
    page.wait_for_selector("#actor-panel-body h3 a")
    assert "Desk reporting" in page.inner_text("#actor-panel-body")
    shot(page, "3_side_panel")
    page.get_by_role("link", name="Gen. Test", exact=True).first.click()
    page.wait_for_selector("h1:has-text('Gen. Test')")

    # She names the general in her escalation and as a target of the sanctions action.
    page.select_option("#id_escalation-choice", str(escalation.pk))
    page.fill("#id_escalation-note", "Commands the brigade involved")
    page.get_by_role("button", name="Link to escalation").click()
    page.wait_for_selector(f"text=is named in escalation #{escalation.pk}")
    page.get_by_role("button", name="Name as sanctions target").click()
    page.wait_for_selector("text=is named as a target of the sanctions action")
    assert "Targeted sanctions, Alphaland" in page.inner_text("#actions-heading + ul")
    shot(page, "4_actor_profile")
    page.goto(f"{live_server.url}/escalations/{declared.pk}/")
    assert "Gen. Test" in page.inner_text("#escalation-actors-title + *, section:has(#escalation-actors-title)")
    shot(page, "5_escalation_panel")
    page.goto(f"{live_server.url}/actions/")
    page.get_by_role("link", name="Gen. Test").click()  # the sanctions action's row names its target
    page.wait_for_selector("h1:has-text('Gen. Test')")
    page.goto(f"{live_server.url}/countries/QAA/")
    assert "5 actors and 7 relationships concern Alphaland" in page.inner_text("section:has(#network-panel-title)")
    assert "Actor network imported from network.ftm.json" in page.inner_text("body")
    shot(page, "6_country_panel")
    assert EscalationActor.objects.filter(escalation=escalation, actor__ftm_id="general").exists()
    assert SanctionTarget.objects.filter(actor__ftm_id="general").exists()

    # The viewer reads the same pages but finds nothing to edit or link.
    sign_in(page, live_server, "victor")
    page.goto(f"{live_server.url}/countries/QAA/network/")
    page.wait_for_selector("#network-graph[data-ready='true']")
    assert page.get_by_role("link", name="Add an actor").count() == 0
    page.get_by_role("link", name="Gen. Test", exact=True).first.click()
    page.wait_for_selector("h1:has-text('Gen. Test')")
    assert page.get_by_role("link", name="Edit (new version)").count() == 0
    assert page.get_by_role("button", name="Link to escalation").count() == 0
    assert f"#{escalation.pk} Alphaland" in page.inner_text("#escalations-heading + ul")
    shot(page, "7_viewer_profile")
    assert console_errors == []
    assert page.goto(page.url + "edit/").status == 403
