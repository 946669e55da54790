"""The rules that read assessments ignore an import that a re-import under a newer mapping superseded: its rows no
longer count, so they neither raise a serious-indicator alert nor keep a country's coverage looking fresh."""

import datetime as dt

import pytest

from alerts import services
from tests.alerts.factories import CountryScoreFactory
from tests.factories import remapped_import

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def test_a_serious_value_only_the_superseded_import_recorded_raises_no_alert(country_a):
    """The older mapping read 12.1 as serious for October; the newer one reads it as low (for September only)."""
    remapped_import(country=country_a, code="12.1", older=[(dt.date(2026, 10, 1), 3)], newer=[(dt.date(2026, 9, 1), 1)])
    found = services.alerts_evaluate(country_ids=[country_a.pk], kinds=["serious_specific_indicator"], today=TODAY)
    assert found == []


def test_the_newer_imports_serious_value_still_raises_the_alert(country_a):
    remapped_import(country=country_a, code="12.1", older=[(dt.date(2026, 10, 1), 1)], newer=[(dt.date(2026, 9, 1), 3)])
    [alert] = services.alerts_evaluate(country_ids=[country_a.pk], kinds=["serious_specific_indicator"], today=TODAY)
    assert alert.message == "Specific-crime indicator 12.1 assessed serious."


def test_a_superseded_imports_recent_rows_do_not_keep_coverage_fresh(country_a):
    """A high-risk country whose only recent rows are the superseded import's is stale: the newer import's latest
    value is from January 2025."""
    CountryScoreFactory(country=country_a, overall=62.0)
    remapped_import(country=country_a, older=[(dt.date(2026, 10, 1), 2)], newer=[(dt.date(2025, 1, 1), 2)])
    [alert] = services.alerts_evaluate(country_ids=[country_a.pk], kinds=["stale_coverage"], today=TODAY)
    assert "no new assessment since 01 January 2025" in alert.message
