"""Browser fixtures: sign in a persona through the real login form, refuse any request that leaves 127.0.0.1,
collect console errors, and save screenshots for review.

Usage in a test: ``page = signed_in("alice")`` returns the Playwright page with alice signed in.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.signals import request_finished, request_started

PASSWORD = "correct horse battery staple"  # the factories' password for every persona
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(autouse=True)
def live_server_quiet_at_teardown(request):
    """A test often ends while its page still loads (a country page fetches its indicators section after load) or
    polls. The test database is flushed right after; a request the live server is still answering then holds a table
    ("database table is locked"), the flush fails, and the next test starts on the last one's rows. So at teardown
    the page goes to about:blank (no further requests), and the test ends once the server has answered them all."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    active = [0]
    changed = threading.Condition()

    def started(**kwargs):
        with changed:
            active[0] += 1

    def finished(**kwargs):
        with changed:
            active[0] -= 1
            changed.notify_all()

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    try:
        yield
        if not page.is_closed():
            page.goto("about:blank")
        with changed:
            assert changed.wait_for(lambda: active[0] <= 0, timeout=30), "the live server is still answering"
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


@pytest.fixture
def offsite_requests(page):
    """Every request the page tried to send off 127.0.0.1; such requests are aborted, and tests assert none."""
    attempted: list[str] = []

    def guard(route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            attempted.append(url)
            route.abort()

    page.route("**/*", guard)
    return attempted


@pytest.fixture
def console_errors(page):
    """Console errors and uncaught page errors seen while the test ran."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def fast_password_hashing(settings):
    """The personas' passwords hashed and checked with a fast hasher, for flows that sign several people in."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(page, live_server, username: str) -> None:
    """Sign a persona in through the login form in a fresh session, as when people take turns at one browser.

    Analysts land on their own desks' overview (/?desk=mine), everyone else on the bare overview."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.startswith(f"{live_server.url}/") and "/accounts/login/" not in url)


@pytest.fixture
def signed_in(page, live_server, offsite_requests, console_errors):
    """Sign a persona in through the login form and return the page (call it with the username)."""

    def sign_in(username: str, *, next_path: str = "/"):
        page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return sign_in


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png for a person to look at."""

    def save(name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
