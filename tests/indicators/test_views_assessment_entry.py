"""Batch assessment entry: an analyst of the country's desk records several indicators at once; everyone else is
refused; bad rows are named inline and nothing is recorded; the service is all-or-nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from indicators.models import Assessment
from indicators.services import AssessmentBatchInvalid, assessments_record_batch
from indicators.signals import assessment_recorded
from tests.factories import indicator

pytestmark = pytest.mark.django_db


def entry(iso3="QAA"):
    return reverse("indicators:assessment_create", args=[iso3])


def row_data(index, *, code="1.1", severity="2", source="Embassy reporting", observed_on="2026-01-05", evidence=""):
    return {
        f"rows-{index}-indicator": str(indicator(code).pk) if code else "",
        f"rows-{index}-observed_on": observed_on,
        f"rows-{index}-severity": severity,
        f"rows-{index}-confidence": "high",
        f"rows-{index}-source": source,
        f"rows-{index}-evidence": evidence,
    }


def formset_post(*rows, total=None):
    data = {
        "rows-TOTAL_FORMS": str(total or len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "40",
    }
    for row in rows:
        data.update(row)
    return data


def test_analyst_of_the_desk_sees_the_batch_form(client, alice, country_a):
    client.force_login(alice)
    response = client.get(entry())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Record assessments for Alphaland" in body
    assert "<legend>Row 3</legend>" in body and "<legend>Row 4</legend>" not in body
    assert '<template id="empty-row">' in body
    assert '<optgroup label="1. ' in body


@pytest.mark.parametrize("persona", ["bob", "fiona", "victor", "nobody"])
def test_everyone_else_is_refused(client, request, country_a, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(entry()).status_code == 403
    assert client.post(entry(), formset_post(row_data(0))).status_code == 403
    assert not Assessment.objects.exists()


def test_administrator_may_enter_corrections(client, ada, country_a):
    client.force_login(ada)
    assert client.get(entry()).status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in(client, country_a):
    assert client.get(entry()).status_code == 302


def test_analyst_records_several_indicators_in_one_submission(
    client, alice, country_a, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, assessment, **kwargs):
        received.append(assessment)

    assessment_recorded.connect(receiver)
    client.force_login(alice)
    blank = {f"rows-2-{name}": "" for name in ("indicator", "observed_on", "severity", "source", "evidence")}
    blank["rows-2-confidence"] = "medium"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            entry(),
            formset_post(
                row_data(0, code="1.1", severity="3", evidence="Arrests"), row_data(1, code="9.2", severity="1"), blank
            ),
        )
    assessment_recorded.disconnect(receiver)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("indicators:country_detail", args=["QAA"]) + "?recorded=")
    recorded = Assessment.objects.filter(country=country_a).order_by("indicator__code")
    assert [(a.indicator.code, a.severity, a.author.username) for a in recorded] == [
        ("1.1", 3, "alice"),
        ("9.2", 1, "alice"),
    ]
    assert recorded[0].evidence == "Arrests"
    assert len(received) == 2
    page = client.get(response["Location"])
    assert "2 assessments recorded for Alphaland" in page.content.decode()
    assert 'id="score-status"' in page.content.decode()


def test_a_bad_row_is_named_inline_and_nothing_is_recorded(client, alice, country_a):
    client.force_login(alice)
    response = client.post(
        entry(), formset_post(row_data(0), row_data(1, code="2.1", source="", observed_on="2999-01-01"))
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was recorded" in body
    assert "The observation date is in the future." in body
    assert "This field is required." in body
    assert not Assessment.objects.exists()


def test_an_empty_submission_asks_for_at_least_one_row(client, alice, country_a):
    client.force_login(alice)
    response = client.post(entry(), formset_post(total=0))
    assert response.status_code == 400
    assert "Fill in at least one row" in response.content.decode()


def test_the_same_indicator_and_date_twice_is_refused(client, alice, country_a):
    client.force_login(alice)
    response = client.post(entry(), formset_post(row_data(0), row_data(1)))
    assert response.status_code == 400
    assert "is already in row 1 of this batch" in response.content.decode()
    assert not Assessment.objects.exists()


def test_batch_service_is_all_or_nothing_with_per_row_errors(alice, country_a):
    good = {
        "indicator": indicator("1.1"),
        "observed_on": dt.date(2026, 1, 5),
        "severity": 2,
        "confidence": "high",
        "source": "Desk",
    }
    bad = {**good, "indicator": indicator("1.2"), "severity": 7, "source": " "}
    with pytest.raises(AssessmentBatchInvalid) as caught:
        assessments_record_batch(country=country_a, author=alice, rows=[good, bad])
    assert set(caught.value.row_errors) == {1}
    assert set(caught.value.row_errors[1]) == {"severity", "source"}
    assert "Row 2, severity" in caught.value.messages[0]
    assert not Assessment.objects.exists()
    created = assessments_record_batch(country=country_a, author=alice, rows=[good])
    assert [a.indicator.code for a in created] == ["1.1"]


def test_batch_service_refuses_other_desks_and_empty_batches(alice, bob, country_a):
    with pytest.raises(PermissionDenied):
        assessments_record_batch(country=country_a, author=bob, rows=[])
    with pytest.raises(ValidationError, match="empty"):
        assessments_record_batch(country=country_a, author=alice, rows=[])


def test_batch_service_names_missing_fields(alice, country_a):
    with pytest.raises(AssessmentBatchInvalid) as caught:
        assessments_record_batch(
            country=country_a, author=alice, rows=[{"indicator": indicator("1.1"), "observed_on": timezone.localdate()}]
        )
    assert set(caught.value.row_errors[0]) == {"severity", "confidence", "source"}


def test_entry_page_query_count_does_not_grow_with_rows(client, alice, country_a, django_assert_num_queries):
    client.force_login(alice)
    client.get(entry())
    with django_assert_num_queries(7):  # 6 of the page's own, 1 for the header's unread-notification count
        client.get(entry())
