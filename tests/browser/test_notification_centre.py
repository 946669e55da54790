"""The notification centre in a real browser: an analyst submits a case, the Focal Point sees the header's count,
opens the list with the keyboard, follows the link to the case, and the count drops; screenshots at both widths."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alerts.models import Alert, AlertRule
from indicators.models import UserViewState
from tests.alerts.factories import CountryScoreFactory
from tests.browser.conftest import sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def shot(page, name, width):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    # The map redraws for the new width on the resize event (later still on a busy machine); the page must settle
    # within the viewport.
    page.wait_for_function("width => document.documentElement.scrollWidth <= width", arg=width)
    page.screenshot(path=str(SCREENSHOTS / f"notifications_{name}_{width}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_focal_point_sees_the_count_opens_the_list_follows_the_link_and_the_count_drops(
    page, live_server, console_errors, offsite_requests, alice, fiona, country_a
):
    CountryScoreFactory(country=country_a, month=dt.date(2026, 10, 1), overall=68.4)
    rule = AlertRule.objects.get(kind="band_reached", is_active=True)
    Alert.objects.create(
        rule=rule, rule_kind=rule.kind, country=country_a, message="Alphaland reached high", fingerprint=1
    )
    UserViewState.objects.create(user=fiona, last_seen_at=timezone.now() - dt.timedelta(days=2))

    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/countries/QAA/escalate/")
    page.fill("#id_summary", "Militias are attacking villages of a minority group.")
    page.fill("#id_risk_assessment", "Factor 10 indicators assessed serious; attacks doubled in October.")
    page.get_by_label("Urgent: response within 24 hours").check()
    page.get_by_role("button", name="Submit to the Focal Point").click()
    page.wait_for_selector("text=Escalation submitted")
    case_url = page.url

    sign_in(page, live_server, "fiona")
    page.goto(f"{live_server.url}/?desk=")
    link = page.locator('a[data-header-item="notifications"]')
    expect(link).to_contain_text("Notifications 1")
    expect(link.locator(".visually-hidden")).to_have_text(" (1 unread)")
    since = page.locator("section.since-visit")
    expect(since).to_contain_text("Alphaland reached high")
    expect(page.locator(".chart-map.chart-drawn")).to_be_visible()  # the map is part of what must fit
    for width in (1280, 820):
        shot(page, "overview", width)

    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/notifications/")
    item = page.locator("li.notification.unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Alphaland")
    for width in (1280, 820):
        shot(page, "list", width)

    item.get_by_role("link", name="Alphaland").first.click()
    page.wait_for_url(case_url)
    expect(page.locator('a[data-header-item="notifications"]')).to_have_text("Notifications")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark all read")).to_have_count(0)
    assert console_errors == [] and offsite_requests == []
