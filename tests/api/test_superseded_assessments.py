"""The assessment list leaves out the rows of an import that a re-import under a newer mapping superseded, unless
asked with `include_superseded=true`; every row names its import and whether it is superseded."""

from __future__ import annotations

import pytest

from indicators.models import Assessment
from tests.factories import remapped_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def remapped(country_a):
    return remapped_import(country=country_a)


def test_the_api_lists_only_the_newer_rows_by_default_and_all_on_request(token_client, victor, remapped):
    older, newer = remapped
    client = token_client(victor)
    rows = client.get("/api/v1/assessments/", {"country": "QAA"}).json()["results"]
    assert [(row["observed_on"], row["severity"], row["dataset_import"], row["superseded"]) for row in rows] == [
        ("2021-12-31", 1, newer.pk, False)
    ]
    everything = client.get("/api/v1/assessments/", {"country": "QAA", "include_superseded": "true"}).json()
    assert everything["count"] == 4
    assert {(row["dataset_import"], row["superseded"]) for row in everything["results"]} == {
        (older.pk, True),
        (newer.pk, False),
    }
    assert client.get("/api/v1/assessments/", {"include_superseded": "maybe"}).status_code == 400


def test_the_api_still_serves_a_superseded_row_by_its_id_and_says_so(token_client, victor, remapped):
    older, _ = remapped
    row = Assessment.objects.filter(dataset_import=older).first()
    body = token_client(victor).get(f"/api/v1/assessments/{row.pk}/").json()
    assert (body["dataset_import"], body["superseded"]) == (older.pk, True)
