"""The data version every page and API answer reads: on PostgreSQL its query is prepared once per connection and
still sees every change at once; the query counts stay one per read on every database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.data_version import data_version
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Prepared statements are PostgreSQL's; the CI's second run uses it."
)


@pytest.fixture
def kept_connections(monkeypatch):
    """Connections kept between requests (DATABASE_CONN_MAX_AGE), as in production: only then is it prepared."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)


def prepared_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%indicators_scorerun%%'")
        return cursor.fetchone()[0]


def test_a_new_assessment_changes_the_version_read_in_one_query(country_a):
    before = data_version()
    with CaptureQueriesContext(connection) as queries:
        assert data_version() == before
    assert len(queries) == 1
    AssessmentFactory(country=country_a)
    assert data_version().token != before.token


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_version_query_is_prepared_once_per_connection(country_a, kept_connections):
    data_version()
    assert prepared_statements() == 1
    for _ in range(3):
        before = data_version()
        AssessmentFactory(country=country_a)
        assert data_version().token != before.token  # the kept plan reads the rows as they are now
    assert prepared_statements() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_query_again(country_a, kept_connections):
    version = data_version()
    connection.close()
    assert data_version() == version
    assert prepared_statements() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_the_version_query_survives_its_statement_being_deallocated(country_a, kept_connections):
    """As a connection pooler's reset (DISCARD ALL) or a DEALLOCATE leaves it: answered all the same, and the
    statement is prepared again on the next read."""
    version = data_version()
    for reset in ("DEALLOCATE ALL", "DISCARD ALL"):
        with connection.cursor() as cursor:
            cursor.execute(reset)
        assert prepared_statements() == 0
        assert data_version() == version
        assert data_version() == version
        assert prepared_statements() == 1


@ON_POSTGRESQL
def test_inside_a_transaction_the_query_runs_as_it_is(country_a, kept_connections):
    """A failed statement would abort the transaction around it, so none is prepared there."""
    already = prepared_statements()  # by an earlier test's reads outside a transaction, on this same connection
    version = data_version()
    AssessmentFactory(country=country_a)
    assert data_version().token != version.token
    assert prepared_statements() == already


def test_turned_off_the_query_is_never_prepared(settings, country_a, kept_connections):
    settings.DATABASE_PREPARED_VERSION_QUERY = False
    already = prepared_statements() if connection.vendor == "postgresql" else 0
    before = data_version()
    AssessmentFactory(country=country_a)
    assert data_version().token != before.token
    if connection.vendor == "postgresql":
        assert prepared_statements() == already


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_connection_made_for_one_request_is_never_prepared(country_a):
    """With DATABASE_CONN_MAX_AGE=0 (each request's connection is new) preparing would only add a round trip."""
    already = prepared_statements()
    assert data_version() == data_version()
    assert prepared_statements() == already


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_statement_this_process_forgot_it_prepared_is_used_as_it_is(country_a, kept_connections):
    """PREPARE answers "already exists" (the server kept it): it is used, not prepared again on every read."""
    from indicators import data_version as module

    version = data_version()
    module._PREPARED.clear()
    assert data_version() == version
    assert module._PREPARED.get(connection.connection)
    assert prepared_statements() == 1


@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
def test_a_failed_read_of_the_prepared_statement_keeps_it_prepared(country_a, kept_connections):
    """A statement timeout (any failure but a missing statement) falls back to the plain query and leaves the
    statement prepared: the next read executes it without preparing it again."""
    from django.db import OperationalError

    from indicators import data_version as module

    version = data_version()
    names = set(module._PREPARED[connection.connection])
    failed = []

    def time_out_once(execute, sql, params, many, context):
        if sql.startswith("EXECUTE aw_data_version") and not failed:
            failed.append(sql)
            raise OperationalError("canceling statement due to statement timeout")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(time_out_once):
        assert data_version() == version  # answered by the plain query
    assert failed and module._PREPARED[connection.connection] == names
    assert data_version() == version
    assert prepared_statements() == 1
