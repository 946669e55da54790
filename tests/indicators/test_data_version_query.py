"""The data version every page and API answer reads: on PostgreSQL its query is prepared once per connection and
still sees every change at once; the query counts stay one per read on every database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.data_version import data_version
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def prepared_version_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'aw_data_version_%%'")
        return [row[0] for row in cursor.fetchall()]


def test_a_new_assessment_changes_the_version_read_in_one_query(country_a):
    before = data_version()
    with CaptureQueriesContext(connection) as queries:
        assert data_version() == before
    assert len(queries) == 1
    AssessmentFactory(country=country_a)
    assert data_version().token != before.token


def test_on_postgresql_the_version_query_is_prepared_once_per_connection(country_a):
    if connection.vendor != "postgresql":
        pytest.skip("Prepared statements are PostgreSQL's; the CI's second run uses it.")
    data_version()
    prepared = prepared_version_statements()
    assert len(prepared) == 1
    for _ in range(3):
        before = data_version()
        AssessmentFactory(country=country_a)
        assert data_version().token != before.token  # the kept plan reads the rows as they are now
    assert prepared_version_statements() == prepared


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_query_again(country_a):
    if connection.vendor != "postgresql":
        pytest.skip("Prepared statements are PostgreSQL's; the CI's second run uses it.")
    version = data_version()
    connection.close()
    assert data_version() == version
    assert len(prepared_version_statements()) == 1
