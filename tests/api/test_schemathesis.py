"""Schemathesis against the live schema: every operation, 100 generated requests each (schema-valid and
schema-violating ones mixed) with a valid token and every check schemathesis has (`--checks all`), finds nothing.
Part of the normal suite (marker `schemathesis`)."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from atrocity_watch.services import api_token_create

EXAMPLES_PER_OPERATION = 100

# Schema-valid requests these operations refuse with their documented 400 for reasons JSON Schema cannot express;
# positive_data_acceptance takes that 400 as correct here (and only here). Every other check still applies.
DOCUMENTED_400 = {
    "POST /api/v1/assessments/": "the observation date lies between 1900 and today",
    "POST /api/v1/assessments/bulk/": "a CSV body's rows are validated like JSON ones; an empty list records nothing",
    "POST /api/v1/relationships/": "source and target name actors that exist; a tie (not a sanction) needs a target",
    "PATCH /api/v1/relationships/{id}/": "the same rules as recording one",
}
ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]


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
    config = SchemathesisConfig.from_dict(
        {
            "operations": [
                {"include-name": label, "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
                for label in DOCUMENTED_400
            ]
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=config, headers=headers)
    load_all_checks()
    checks = CHECKS.get_all()  # what `schemathesis run --checks all` runs
    assert len(checks) >= 14
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 45
    assert set(DOCUMENTED_400) <= {operation.label for operation in operations}

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=st.one_of(
                operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
            )
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        # A FailureGroup is a BaseExceptionGroup: collect every operation's finding, then fail once with all of them.
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{message}" for label, message in failures.items())
