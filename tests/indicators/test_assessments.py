"""Assessments are recorded through one service and can never be changed or deleted."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AppendOnlyError
from indicators.models import Assessment
from indicators.services import assessment_record
from tests.factories import indicator

pytestmark = pytest.mark.django_db


def record(country, author, **overrides):
    values = {
        "country": country,
        "indicator": indicator("2.1"),
        "observed_on": dt.date(2026, 10, 1),
        "severity": 3,
        "confidence": "high",
        "source": "Embassy reporting",
        "evidence": "Mass arrests of opposition supporters.",
        "author": author,
    }
    values.update(overrides)
    return assessment_record(**values)


def test_analyst_of_the_desk_records_an_assessment(country_a, alice):
    assessment = record(country_a, alice)
    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.severity, stored.confidence, stored.author, stored.indicator.code) == (3, "high", alice, "2.1")
    assert stored.recorded_at is not None


def test_analyst_of_another_desk_cannot_record_an_assessment(country_a, bob):
    with pytest.raises(PermissionDenied, match="Only analysts of the desk that owns Alphaland"):
        record(country_a, bob)
    assert not Assessment.objects.exists()


def test_viewer_and_focal_point_cannot_record_assessments(country_a, victor, fiona):
    for user in (victor, fiona):
        with pytest.raises(PermissionDenied):
            record(country_a, user)
    assert not Assessment.objects.exists()


def test_administrator_may_record_a_correction(country_a, ada):
    assert record(country_a, ada).author == ada


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("severity", 4, "Severity must be 0, 1, 2 or 3"),
        ("severity", "3", "Severity must be 0, 1, 2 or 3"),
        ("confidence", "certain", "Confidence must be low, medium or high"),
        ("observed_on", dt.date(2999, 1, 1), "is in the future"),
        ("observed_on", dt.date(1850, 1, 1), "before 1900"),
        ("source", "  ", "Name the source"),
    ],
)
def test_invalid_assessments_are_refused_with_a_message_naming_the_field(country_a, alice, field, value, message):
    with pytest.raises(ValidationError) as caught:
        record(country_a, alice, **{field: value})
    assert message in " ".join(caught.value.message_dict[field])
    assert not Assessment.objects.exists()


def test_assessment_on_a_retired_indicator_is_refused(country_a, alice):
    retired = indicator("3.1")
    retired.is_retired = True
    retired.save()
    with pytest.raises(ValidationError, match="retired"):
        record(country_a, alice, indicator=retired)


def test_saving_an_existing_assessment_again_is_refused(country_a, alice):
    assessment = record(country_a, alice)
    assessment.severity = 0
    with pytest.raises(AppendOnlyError, match="append-only"):
        assessment.save()
    assert Assessment.objects.get(pk=assessment.pk).severity == 3


def test_deleting_an_assessment_is_refused(country_a, alice):
    assessment = record(country_a, alice)
    with pytest.raises(AppendOnlyError):
        assessment.delete()
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_bulk_update_and_delete_of_assessments_are_refused(country_a, alice):
    record(country_a, alice)
    with pytest.raises(AppendOnlyError):
        Assessment.objects.filter(country=country_a).update(severity=0)
    with pytest.raises(AppendOnlyError):
        Assessment.objects.all().delete()
    assert Assessment.objects.get().severity == 3


def test_a_correction_is_a_new_assessment_and_history_keeps_both(country_a, alice):
    first = record(country_a, alice, severity=3)
    correction = record(country_a, alice, severity=1, evidence="Earlier report was exaggerated.")
    assert first.pk != correction.pk
    assert list(Assessment.objects.order_by("recorded_at", "pk").values_list("severity", flat=True)) == [3, 1]


def test_admin_offers_no_way_to_change_or_delete_an_assessment(client, country_a, alice, ada):
    assessment = record(country_a, alice)
    client.force_login(ada)
    change_page = client.get(f"/admin/indicators/assessment/{assessment.pk}/change/")
    assert change_page.status_code == 200
    assert b'name="_save"' not in change_page.content
    response = client.post(f"/admin/indicators/assessment/{assessment.pk}/change/", {"severity": 0})
    assert response.status_code == 403
    response = client.post(f"/admin/indicators/assessment/{assessment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Assessment.objects.get(pk=assessment.pk).severity == 3


def test_admin_add_goes_through_the_service_and_shows_validation_errors(client, country_a, ada):
    client.force_login(ada)
    form = {
        "country": country_a.pk,
        "indicator": indicator("2.1").pk,
        "observed_on": "2999-01-01",
        "severity": 2,
        "confidence": "high",
        "source": "Admin correction",
        "evidence": "",
    }
    response = client.post("/admin/indicators/assessment/add/", form)
    assert response.status_code == 200
    assert b"is in the future" in response.content
    assert not Assessment.objects.exists()
    form["observed_on"] = "2026-01-05"
    response = client.post("/admin/indicators/assessment/add/", form)
    assert response.status_code == 302
    assert Assessment.objects.get().author == ada


def test_an_assessment_and_its_audit_entry_are_saved_even_when_the_broker_is_down(
    country_a, alice, monkeypatch, django_capture_on_commit_callbacks
):
    """A broker outage delays the recompute; it must not lose the assessment or answer with an error."""
    from kombu.exceptions import OperationalError

    from atrocity_watch.celery import app as celery_app
    from core.models import AuditEvent

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to the broker. Connection refused.")

    celery_app.conf.task_always_eager = False  # the autouse celery_eager fixture restores it
    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assessment = record(country_a, alice)
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    assert AuditEvent.objects.filter(country=country_a, kind="assessment_recorded").count() == 1
