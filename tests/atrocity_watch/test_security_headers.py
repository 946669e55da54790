"""Every response carries a strict Content-Security-Policy and a Permissions-Policy (issue 13, defect 11)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/api/v1/countries/"])
def test_pages_api_and_health_answers_carry_the_policies(client, victor, path):
    """Signed-in pages, the login page, /healthz and the API all send both headers."""
    client.force_login(victor)
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_page_template_carries_inline_script_or_event_handlers(settings):
    """The policy forbids inline script, so templates must hold none: only <script src> and JSON islands."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []
