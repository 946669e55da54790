"""A database that accepts connections but never answers gives a fast 503 page or API error, never a hung worker
(issue 13, defect 9). The test database stands in for the stuck one by being swapped for a TCP listener that accepts
and then stays silent, as a wedged PostgreSQL does."""

import socket
import threading
import time

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client

from atrocity_watch.database import statement_timeout_apply


@pytest.fixture
def silent_listener():
    """A local TCP server that accepts every connection and never sends a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


@pytest.fixture
def stuck_database(db, settings, silent_listener):
    """The default connection now points at the silent listener, with the timeouts the settings give PostgreSQL."""
    original = connections["default"]
    stuck = DatabaseWrapper(
        {
            **original.settings_dict,
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "atrocity_watch",
            "USER": "atrocity_watch",
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(silent_listener),
            "OPTIONS": {"connect_timeout": settings.DATABASE_CONNECT_TIMEOUT},
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None,
        },
        alias="default",
    )
    connections["default"] = stuck
    yield stuck
    stuck.close()
    connections["default"] = original


def timed_get(client, path):
    started = time.perf_counter()
    response = client.get(path)
    print(f"{path} answered {response.status_code} in {time.perf_counter() - started:.1f} s")
    return response


def test_a_page_answers_503_when_the_database_never_answers(stuck_database):
    """The overview (whose session lookup is the first query) answers the standalone 503 page with Retry-After."""
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32
    response = timed_get(client, "/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_the_api_answers_a_json_503_when_the_database_never_answers(stuck_database):
    """An API call with a token gets the API's error body with code database_unavailable."""
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer some-token")
    response = timed_get(client, "/api/v1/countries/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "database_unavailable"


def test_healthz_answers_503_when_the_database_never_answers(stuck_database):
    """The health check reports the database as down instead of hanging."""
    response = timed_get(Client(raise_request_exception=False), "/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


def test_web_processes_get_the_statement_timeout_from_settings(settings):
    """statement_timeout_apply writes the role's limit into the PostgreSQL connection options, replacing any
    earlier one."""
    wrapper = DatabaseWrapper({**connections["default"].settings_dict, "ENGINE": "django.db.backends.postgresql"})
    connections["timeouts"] = wrapper
    try:
        settings.DATABASE_STATEMENT_TIMEOUTS = {"web": 4, "worker": 1800}
        statement_timeout_apply(role="worker", alias="timeouts")
        statement_timeout_apply(role="web", alias="timeouts")
        assert wrapper.settings_dict["OPTIONS"]["options"] == "-c statement_timeout=4000"
    finally:
        del connections["timeouts"]


@pytest.mark.skipif(
    connections["default"].vendor != "postgresql", reason="statement_timeout is PostgreSQL's; the CI run uses it"
)
@pytest.mark.django_db(transaction=True)
def test_a_statement_longer_than_the_web_limit_answers_503(settings, monkeypatch):
    """A query that runs past the web statement timeout is cancelled by PostgreSQL and the page answers 503."""
    settings.DATABASE_STATEMENT_TIMEOUTS = {"web": 1, "worker": 1800}
    statement_timeout_apply(role="web")

    def slow(*args, **kwargs):
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_sleep(30)")

    monkeypatch.setattr("indicators.views.dashboard.methodology_active", slow)
    from tests.factories import UserFactory

    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="viewer-timeout", role="viewer"))
    try:
        response = timed_get(client, "/")
    finally:
        connections["default"].settings_dict["OPTIONS"].pop("options", None)
        connections["default"].close()
    assert response.status_code == 503


def test_any_other_error_answers_the_standalone_500_page(rf):
    """An error that is not the database's gets the plain 500 page, drawn without the database like the 503."""
    from atrocity_watch.database import server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(rf.get("/countries/QAA/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "<title>Server error · Atrocity Watch</title>" in page and "Something went wrong" in page
    assert 'href="/static/css/app.css"' in page
