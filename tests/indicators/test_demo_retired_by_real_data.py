"""Demonstration data never mixes with real data: the first real import retires the demo's assessments and network.

A user runs the app on seed_demo's invented data first, then imports a real dataset: from that commit on no score,
coverage, history, page, API row or network graph may be made partly of invented data.
"""

from __future__ import annotations

import datetime as dt
import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from alerts.models import Alert
from core.models import AuditEvent
from indicators.importers.services import dataset_import_run
from indicators.models import Assessment, Country, CountryScore, DatasetImport
from indicators.selectors import real_data_present
from tests.factories import AssessmentFactory, UserFactory

pytestmark = pytest.mark.django_db

UCDP_HEADER = (
    "country_id_cy,country_cy,year_cy,sb_total_deaths_best_cy,ns_total_deaths_best_cy,"
    "os_any_govt_killings_best_cy,os_total_deaths_best_cy"
)
REAL_EVIDENCE_ON = dt.date(2021, 12, 31)


@pytest.fixture
def demo(settings, tmp_path, django_capture_on_commit_callbacks):
    """seed_demo run with no real data folder: invented assessments for the demo countries, scored."""
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path / "absent"
    settings.DEBUG = True  # seed_demo runs only in development
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert CountryScore.objects.filter(country__iso3="MMR").exists()


def ucdp_file(tmp_path, *rows: str):
    path = tmp_path / "ucdp.csv"
    path.write_text("\n".join((UCDP_HEADER, *rows)) + "\n")
    return path


def import_real(tmp_path, django_capture_on_commit_callbacks, *rows: str) -> DatasetImport:
    path = ucdp_file(tmp_path, *(rows or ("775,Myanmar,2021,2500,0,1200,1300",)))
    with django_capture_on_commit_callbacks(execute=True):
        return dataset_import_run(source="ucdp_country_year", path_or_file=path)


def test_after_a_real_import_only_real_assessments_count(demo, tmp_path, django_capture_on_commit_callbacks):
    """Myanmar's counted assessments are the imported ones alone; the invented ones stay recorded, no longer count."""
    recorded = Assessment.objects.count()
    real = import_real(tmp_path, django_capture_on_commit_callbacks)
    counted = Assessment.objects.not_superseded().filter(country__iso3="MMR")
    assert set(counted.values_list("dataset_import", flat=True)) == {real.pk}
    assert Assessment.objects.count() == recorded + real.rows_created  # append-only: nothing deleted


def test_after_a_real_import_scores_are_made_of_real_data_alone(demo, tmp_path, django_capture_on_commit_callbacks):
    """Myanmar's scores rest on the 2021 import alone; a demo country the import does not cover has no score left."""
    import_real(tmp_path, django_capture_on_commit_callbacks)
    myanmar = CountryScore.objects.filter(country__iso3="MMR")
    assert myanmar.exists()
    assert {score.latest_evidence_on for score in myanmar} <= {REAL_EVIDENCE_ON, None}
    assert not CountryScore.objects.filter(country__iso3="SDN").exists()


def test_the_scores_api_and_country_page_show_no_demo_value(demo, client, tmp_path, django_capture_on_commit_callbacks):
    """The scores API lists no demo-only country and the country page lists no invented assessment."""
    import_real(tmp_path, django_capture_on_commit_callbacks)
    viewer = Assessment.objects.filter(author__username="analyst").first().author
    client.force_login(viewer)
    rows = client.get("/api/v1/scores/").json()["results"]
    assert {row["country"]["iso3"] for row in rows} == {"MMR"}
    listed = client.get("/api/v1/assessments/", {"country": "MMR"}).json()["results"]
    assert listed and all(row["dataset_import"] for row in listed)
    page = client.get(reverse("indicators:country_indicators", args=["MMR"])).content.decode()
    assert "Embassy reporting" not in page and "Desk open-source review" not in page


def test_the_retirement_is_recorded_in_the_audit_trail(demo, tmp_path, django_capture_on_commit_callbacks):
    """Each demo country's trail says its demonstration assessments were retired, naming the real import."""
    real = import_real(tmp_path, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.filter(kind=AuditEvent.Kind.DEMONSTRATION_RETIRED)
    assert events.filter(country__iso3="SDN").exists()
    assert all(event.details["dataset_import_id"] == real.pk for event in events)


def test_alerts_raised_on_demo_scores_are_resolved(demo, tmp_path, django_capture_on_commit_callbacks):
    """Sudan's band alert rested on invented scores only: the real import resolves it, and nothing re-raises it."""
    assert Alert.objects.filter(country__iso3="SDN", status="open", rule_kind="band_reached").exists()
    real = import_real(tmp_path, django_capture_on_commit_callbacks)
    assert not Alert.objects.filter(country__iso3="SDN", status__in=Alert.OPEN_STATUSES).exists()
    resolved = AuditEvent.objects.filter(kind=AuditEvent.Kind.ALERT_RESOLVED, country__iso3="SDN")
    assert all(event.details == {"dataset_import_id": real.pk} for event in resolved) and resolved.exists()


def test_a_failed_real_import_retires_nothing(demo, tmp_path, django_capture_on_commit_callbacks):
    """An import refused for a bad row writes nothing and the demo stays whole: all or nothing."""
    scores = CountryScore.objects.filter(country__iso3="SDN").count()
    failed = import_real(tmp_path, django_capture_on_commit_callbacks, "775,Myanmar,2021,many,0,0,0")
    assert failed.status == DatasetImport.Status.FAILED
    assert not real_data_present()
    counted = Assessment.objects.not_superseded()
    assert counted.filter(country__iso3="MMR", author__username__startswith="analyst").exists()
    assert CountryScore.objects.filter(country__iso3="SDN").count() == scores
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DEMONSTRATION_RETIRED).exists()


def test_seed_demo_after_real_data_adds_nothing(demo, tmp_path, django_capture_on_commit_callbacks):
    """Run again once real data is in, seed_demo records no assessment and nothing invented counts again."""
    import_real(tmp_path, django_capture_on_commit_callbacks)
    recorded = Assessment.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=StringIO())
    assert Assessment.objects.count() == recorded
    assert not Assessment.objects.not_superseded().filter(author__username__startswith="analyst").exists()
    assert not CountryScore.objects.filter(country__iso3="SDN").exists()


def test_the_migration_marks_demo_data_seeded_before_this_change(tmp_path, django_capture_on_commit_callbacks):
    """Rows only the old seed_demo wrote are gathered under a demonstration import, so real data retires them; an
    analyst's own assessment under the same account stays counted."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = importlib.import_module("indicators.migrations.0012_demonstration_imports")
    # The models as the latest migrations leave them, which the test database has (fields added by later
    # migrations, such as the import's re-queue count, would be missing from the models of 0012 alone).
    state = MigrationExecutor(connection).loader.project_state()
    analyst = UserFactory(username="analyst", role="analyst")
    sudan = Country.objects.get(iso3="SDN")
    invented = AssessmentFactory(
        country=sudan, author=analyst, source="OHCHR update", evidence="Human rights monitoring mission findings"
    )
    own = AssessmentFactory(country=sudan, author=analyst, source="OHCHR update", evidence="Met the UN team.")
    network = DatasetImport.objects.create(source="ftm", file_name="fictional-demo-network.ftm.json")
    migration.mark_demonstration_data(state.apps, None)
    invented.refresh_from_db()
    assert invented.dataset_import.demonstration and invented.dataset_import.source == "demo"
    assert Assessment.objects.get(pk=own.pk).dataset_import is None
    network.refresh_from_db()
    assert network.demonstration
    import_real(tmp_path, django_capture_on_commit_callbacks)
    assert set(Assessment.objects.not_superseded().filter(country=sudan)) == {own}
