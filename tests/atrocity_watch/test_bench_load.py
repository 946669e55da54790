"""The load benchmark's own parts: the users it signs in and how it reads wrk's figures (no server, no wrk)."""

from django.test import Client

from atrocity_watch.management.commands.bench_load import Command, wrk_figures
from core.roles import Role, user_roles


def test_bench_users_are_distinct_and_each_session_and_token_signs_its_user_in(db):
    """Every benchmark user gets its own session cookie and API token, and both open the pages and the API; like a
    browser after its first page, each also holds a CSRF cookie of its own."""
    credentials = Command().credentials(4)

    assert len(set(credentials.cookies)) == 4
    assert len(set(credentials.tokens)) == 4
    csrf_secrets = set()
    for cookie, token in zip(credentials.cookies, credentials.tokens, strict=True):
        client = Client()
        for pair in cookie.split("; "):
            name, value = pair.split("=", 1)
            client.cookies[name] = value
        csrf_secrets.add(client.cookies["csrftoken"].value)
        assert client.get("/methodology/").status_code == 200
        assert Client().get("/api/v1/methodologies/", HTTP_AUTHORIZATION=token).status_code == 200
    assert len(csrf_secrets) == 4 and all(len(secret) == 32 for secret in csrf_secrets)


def test_bench_users_rotate_through_the_roles_and_a_rerun_revokes_their_old_tokens(db):
    """Viewers, analysts and focal points all take part, and running again leaves one live token per user."""
    first = Command().credentials(3)
    Command().credentials(3)

    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__startswith="bench_load_").order_by("username")
    assert [set(user_roles(user)) for user in users] == [{Role.VIEWER}, {Role.ANALYST}, {Role.FOCAL_POINT}]
    assert all(user.api_tokens.filter(revoked_at__isnull=True).count() == 1 for user in users)
    assert Client().get("/api/v1/methodologies/", HTTP_AUTHORIZATION=first.tokens[0]).status_code == 401


def test_wrk_figures_are_read_from_the_result_line_and_count_refused_answers_as_errors():
    """Requests per second come from the count and duration; socket errors and non-200 answers add up."""
    output = (
        "Running 60s test @ http://127.0.0.1:8105/\n"
        "RESULT requests=1200 seconds=60.000 p50_ms=12.50 p95_ms=40.00 p99_ms=80.25 socket_errors=1 non200=2\n"
    )

    assert wrk_figures(output) == {
        "requests": 1200,
        "requests_per_s": 20.0,
        "p50_ms": 12.5,
        "p95_ms": 40.0,
        "p99_ms": 80.25,
        "errors": 3,
    }
    assert wrk_figures("wrk: connection refused\n") is None


def test_the_load_requests_accept_gzip_as_a_browser_does():
    """The server's compression is part of what a browser costs it, so the benchmark's requests accept gzip too."""
    from atrocity_watch.management.commands.bench_load import WRK_SCRIPT

    request_line = next(line for line in WRK_SCRIPT.splitlines() if "wrk.format" in line)
    assert '["Accept-Encoding"] = "gzip"' in request_line
