"""The report's data-source table and the country brief's evidence count only the newer of two imports of the same
file: the re-import under a newer mapping superseded the older one, whose rows no longer count."""

import datetime as dt

import pytest

from reports.periods import period_parse
from reports.selectors import country_brief, report_content
from tests.factories import remapped_import

pytestmark = pytest.mark.django_db


def _ucdp_row(content):
    (row,) = [row for row in content["sources"]["rows"] if row["name"].startswith("UCDP")]
    return row


def test_the_reports_source_table_counts_only_the_newer_import(country_a):
    remapped_import(country=country_a)
    row = _ucdp_row(report_content(period=period_parse("2026-Q3")))
    assert (row["latest_observation"], row["assessments"]) == (dt.date(2021, 12, 31), 1)


def test_the_reports_own_source_table_counts_only_the_newer_import_too(country_a, monkeypatch):
    """Without the sources summary of the indicators app, the report reads the assessments itself, alike."""
    monkeypatch.setattr("reports.optional.source_freshness", lambda as_of: None)
    remapped_import(country=country_a)
    row = _ucdp_row(report_content(period=period_parse("2026-Q3")))
    assert (row["latest_observation"], row["assessments"]) == (dt.date(2021, 12, 31), 1)


def test_the_country_briefs_latest_evidence_is_the_newer_imports(country_a, fiona):
    remapped_import(country=country_a)
    (evidence,) = country_brief(country=country_a, viewer=fiona)["evidence"]
    assert (evidence["observed_on"], evidence["severity"], evidence["shown_rows"]) == (dt.date(2021, 12, 31), "Low", 1)
