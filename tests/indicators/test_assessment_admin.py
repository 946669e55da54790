"""The admin's assessment list marks the rows of a superseded import, so an administrator does not take them for rows
that count, and filters on it."""

import pytest
from django.urls import reverse

from indicators.models import Assessment
from tests.factories import AssessmentFactory, remapped_import

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:indicators_assessment_changelist")


@pytest.fixture
def remapped(country_a, alice):
    """Three rows of an older import the re-import superseded, one of the re-import, one of Alice's own."""
    older, newer = remapped_import(country=country_a)
    own = AssessmentFactory(country=country_a, author=alice)
    return older, newer, own


def listed(client, **query) -> list[Assessment]:
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_assessment_list_marks_each_superseded_row(client, ada, remapped):
    older, newer, own = remapped
    client.force_login(ada)
    response = client.get(CHANGELIST)
    page = response.content.decode()
    assert "column-superseded" in page and "By superseded" in page  # the column's heading, the filter
    marks = {row.pk: row.superseded for row in response.context["cl"].result_list}
    assert marks == {
        **dict.fromkeys(older.assessments.values_list("pk", flat=True), True),
        **dict.fromkeys(newer.assessments.values_list("pk", flat=True), False),
        own.pk: False,
    }
    assert page.count('<td class="field-superseded">superseded: counts nowhere</td>') == 3
    assert page.count('<td class="field-superseded">current</td>') == 2


def test_the_assessment_list_filters_superseded_rows_in_or_out(client, ada, remapped):
    older, newer, own = remapped
    client.force_login(ada)
    assert {row.dataset_import_id for row in listed(client, superseded="yes")} == {older.pk}
    counted = listed(client, superseded="no")
    assert {row.pk for row in counted} == {own.pk, *newer.assessments.values_list("pk", flat=True)}
    assert {row.pk for row in counted} == set(Assessment.objects.not_superseded().values_list("pk", flat=True))
    assert len(listed(client)) == 5


def test_an_assessments_own_page_says_whether_it_is_superseded(client, ada, remapped):
    older, _, _ = remapped
    client.force_login(ada)
    row = older.assessments.first()
    page = client.get(reverse("admin:indicators_assessment_change", args=[row.pk])).content.decode()
    assert "Superseded" in page and "superseded: counts nowhere" in page
    assert client.get(reverse("admin:indicators_assessment_add")).status_code == 200
