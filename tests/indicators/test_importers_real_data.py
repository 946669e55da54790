"""Imports every real dataset in ATROCITY_WATCH_DATA_DIR once and checks counts and known facts (about a minute).

Skips with a reason when the data folder is absent, e.g. on a fresh clone without ../shared/data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from indicators.crosswalk import CountryCrosswalk
from indicators.importers import REAL_DATA_FILES
from indicators.importers.services import dataset_import_run
from indicators.models import Assessment, Country, DatasetImport

DATA_DIR = Path(settings.ATROCITY_WATCH_DATA_DIR)
MISSING = [relative for _source, relative in REAL_DATA_FILES if not (DATA_DIR / relative).is_file()]

pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"real data not available under {DATA_DIR} (missing: {', '.join(MISSING) or '-'})"
)

# Rows the crosswalk cannot place, reported and skipped (never guessed): UCDP locates the Aden emergency (1964-66) at
# South Yemen's 680 before that state existed; Polity5 codes East Germany (265) from 1946, GW only from 1949.
EXPECTED_UNRESOLVED = {"ucdp_conflict": {"680": 3}, "polity5": {"265": 3}}
MINIMUM_CREATED = {
    "ucdp_country_year": 27_000,
    "ucdp_conflict": 2_500,
    "vdem": 43_000,
    "pts": 8_000,
    "polity5": 9_000,
    "wgi": 4_800,
    "ewp_predictors": 13_500,
    "ewp_forecasts": 330,
}
KNOWN_FACTS = [
    # (iso3, indicator, year, severity, source): well-documented country-years
    ("RWA", "2.1", 1994, 3, "ucdp_country_year"),  # genocide against the Tutsi: government one-sided killings
    ("SWE", "1.1", 2020, 0, "ucdp_country_year"),
    ("SYR", "1.1", 2014, 3, "ucdp_country_year"),
    ("RWA", "1.1", 1994, 3, "ucdp_conflict"),
    # Nicaragua: the Sandinista revolution won in 1979 and the list names no conflict of Nicaragua's in 1980.
    ("NIC", "1.1", 1979, 3, "ucdp_conflict"),
    ("NIC", "1.1", 1980, 0, "ucdp_conflict"),
    # Congo-Brazzaville: the 1993 Ninja conflict is not listed in 1994: no onset; whether there was fighting is the
    # country-year file's to say from 1989.
    ("COG", "1.1", 1993, 2, "ucdp_conflict"),
    ("COG", "8.1", 1994, 0, "ucdp_conflict"),
    ("COG", "8.1", 1998, 0, "ucdp_conflict"),  # the 1997 conflict continues: no new onset
    ("PRK", "2.1", 2023, 3, "vdem"),
    ("NOR", "2.1", 2023, 0, "vdem"),
    ("MMR", "8.4", 2021, 3, "vdem"),  # the February 2021 coup
    ("SYR", "2.1", 2023, 3, "pts"),
    ("CHL", "1.4", 1973, 3, "polity5"),  # Pinochet's coup: adverse regime transition
    ("ERI", "1.6", 2023, 3, "wgi"),
    ("RWA", "2.2", 1994, 3, "ewp_predictors"),
    ("MMR", "2.2", 2024, 3, "ewp_forecasts"),
]


@pytest.fixture
def tracked_countries(db):
    """Every country of the crosswalk exists (the data migration loads them; add any a test database lacks)."""
    existing = set(Country.objects.values_list("iso3", flat=True))
    Country.objects.bulk_create(
        Country(
            iso3=record.iso3,
            name=record.name,
            region=record.region,
            subregion=record.subregion,
            gw_code=record.gw_code,
            cow_code=record.cow_code,
            wb_code=record.wb_code or "",
            un_status=record.un_status,
        )
        for record in CountryCrosswalk.default().countries()
        if record.iso3 not in existing
    )


def test_every_real_dataset_imports_with_known_facts(tracked_countries):
    """Every real dataset imports, with the expected counts, the documented unresolved codes and known facts."""
    imports = {
        source: dataset_import_run(source=source, path_or_file=DATA_DIR / relative, skip_invalid=True)
        for source, relative in REAL_DATA_FILES
        if source in MINIMUM_CREATED  # the assessment sources; the forecast's own are tested in tests/forecasts
    }
    for source, dataset_import in imports.items():
        assert dataset_import.status == DatasetImport.Status.SUCCEEDED, (source, dataset_import.error_summary)
        assert dataset_import.rows_created >= MINIMUM_CREATED[source], source
        assert dataset_import.summary["unresolved_codes"] == EXPECTED_UNRESOLVED.get(source, {}), source
        assert dataset_import.rows_skipped == sum(EXPECTED_UNRESOLVED.get(source, {}).values())
        assert Assessment.objects.filter(dataset_import=dataset_import).count() == dataset_import.rows_created
    for iso3, code, year, severity, source in KNOWN_FACTS:
        assessment = Assessment.objects.get(
            dataset_import=imports[source], country__iso3=iso3, indicator__code=code, observed_on=dt.date(year, 12, 31)
        )
        assert assessment.severity == severity, (iso3, code, year, source)
    # East and West Germany are never both counted for one year, and a re-import creates nothing new.
    assert (
        Assessment.objects.filter(
            dataset_import=imports["ucdp_country_year"], country__iso3="DEU", indicator__code="1.1"
        )
        .filter(observed_on=dt.date(1989, 12, 31))
        .count()
        == 1
    )
    # From 1989 the conflict list records no "no conflict": it would contradict the country-year file (IRQ 1997).
    conflict_zeros = Assessment.objects.filter(
        dataset_import=imports["ucdp_conflict"], indicator__code="1.1", severity=0
    )
    assert conflict_zeros.exists() and not conflict_zeros.filter(observed_on__year__gte=1989).exists()
    before = Assessment.objects.count()
    again = dataset_import_run(source="vdem", path_or_file=DATA_DIR / "vdem/vdemlite_v14_1970_2023.csv")
    assert again.pk == imports["vdem"].pk and Assessment.objects.count() == before
