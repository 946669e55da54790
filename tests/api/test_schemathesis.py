"""Schemathesis against the live schema: every operation, 100 generated requests each with a valid token, finds no
server error and no response that breaks the schema. Part of the normal suite (marker `schemathesis`)."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from atrocity_watch.services import api_token_create

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 100


@pytest.fixture
def fuzz_settings(settings):
    # Thousands of requests a minute from one token: lift the throttles so every example reaches the endpoint.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "1000000/min"}}
    settings.API_TOKEN_FAILURES_PER_MINUTE = 1_000_000
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the database connection after each request (as Django's test
    client avoids doing); on PostgreSQL that ends the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.schemathesis
@pytest.mark.django_db
def test_no_operation_answers_a_server_error_or_breaks_its_schema(
    fuzz_settings, keep_test_connection, scored, alice, fiona
):
    # identity: the WSGI transport hands schemathesis the raw body, and pages and errors are gzipped for clients that
    # accept it (GZipMiddleware), which it would then fail to read.
    headers = {
        "Authorization": f"Bearer {api_token_create(user=alice, name='schemathesis').secret}",
        "Accept-Encoding": "identity",
    }
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), headers=headers)
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's finding, then fail once with all of them
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{message}" for label, message in failures.items())
