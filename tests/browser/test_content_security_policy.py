"""Every page works in Chromium under the strict Content-Security-Policy: charts draw with script-src 'self' alone
(plotly needs no 'unsafe-eval' for the charts used here), and the browser reports no CSP violation (issue 13,
defects 4 and 11)."""

import pytest
from playwright.sync_api import expect

from tests.factories import AssessmentFactory, indicator
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs; CSP does not apply to scripts the browser's driver injects.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""
PAGES_BY_PERSONA = {
    "alice": [
        "/",
        "/countries/QAA/?compare=QBB",
        "/countries/QAA/assessments/new/",
        "/countries/QAA/escalate/",
        "/methodology/",
        "/alerts/",
        "/escalations/",
        "/actions/",
        "/imports/",
        "/account/tokens/",
        "/api/docs/",
        "/reports/",
        "/countries/QAA/brief/",
    ],
    "ada": ["/admin/", "/admin/indicators/country/", "/admin/indicators/country/add/", "/reports/"],
}


@pytest.fixture
def world(country_a, country_b, alice, ada):
    run = score_run_create()
    scores_create(country=country_a, overall=[30 + index * 1.5 for index in range(24)], run=run)
    scores_create(country=country_b, overall=[22 - (index % 5) for index in range(24)], run=run)
    AssessmentFactory(country=country_a, author=alice, indicator=indicator("1.1"), severity=3)
    return run


def violations_on(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.mark.parametrize("persona", sorted(PAGES_BY_PERSONA))
def test_no_page_breaks_the_content_security_policy(
    page, signed_in, live_server, world, persona, console_errors, offsite_requests
):
    """Each page loads with no securitypolicyviolation event, no console error and no request off the machine."""
    page.add_init_script(RECORD_VIOLATIONS)
    signed_in(persona)
    found = {path: violations_on(page, live_server.url + path) for path in PAGES_BY_PERSONA[persona]}
    assert {path: seen for path, seen in found.items() if seen} == {}
    assert console_errors == []
    assert offsite_requests == []


def test_charts_draw_without_unsafe_eval(page, signed_in, live_server, world):
    """The policy the browser enforces has no 'unsafe-eval' and no inline script, and the map and both country
    charts still draw."""
    page.add_init_script(RECORD_VIOLATIONS)
    response = signed_in("alice")
    policy = page.evaluate("fetch('/').then(r => r.headers.get('content-security-policy'))")
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-eval'" not in script_src and "'unsafe-inline'" not in script_src
    expect(response.locator(".chart-map.chart-drawn .main-svg").first).to_be_visible()
    page.goto(f"{live_server.url}/countries/QAA/?compare=QBB")
    expect(page.locator("[data-figure=trend-figure].chart-drawn")).to_be_visible()
    expect(page.locator("[data-figure=compare-figure].chart-drawn")).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []


def test_an_injected_inline_script_is_refused_by_the_browser(page, signed_in, live_server, world, country_a):
    """Even if markup got past escaping, the policy stops an inline handler from running."""
    page.add_init_script(RECORD_VIOLATIONS)
    signed_in("alice")
    page.evaluate(
        "() => { const img = document.createElement('div');"
        " img.innerHTML = '<img src=x onerror=\"window.__pwned = true\">'; document.body.append(img); }"
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__pwned === true") is False
    assert any("script-src" in seen for seen in page.evaluate("window.__cspViolations"))
