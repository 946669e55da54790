"""The real EWP files end to end: import outcomes and structural predictors, then a short backtest beside EWP.

Skips with the reason when ATROCITY_WATCH_DATA_DIR (../shared/data) lacks the EWP files. A three-year window keeps
it under a minute; the full 1994-2010 figures come from `manage.py forecast_backtest` (see docs/forecast.md).
"""

from __future__ import annotations

import csv
import hashlib
import json
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command

from forecasts import services
from forecasts.models import Outcome, StructuralRecord
from indicators.models import DatasetImport

EWP = Path(settings.ATROCITY_WATCH_DATA_DIR) / "ewp"
FILES = ("basedata_1934_2010.csv", "predictors_1960_2010.csv", "ewp_out_of_sample_forecasts_1994_2010.csv")
MISSING = [name for name in FILES if not (EWP / name).is_file()]

pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=f"EWP data not available under {EWP} (missing: {', '.join(MISSING)})"),
    pytest.mark.django_db,
]


def _import(name: str, source: str, run):
    raw = (EWP / name).read_bytes()
    dataset_import = DatasetImport.objects.create(
        source=source, file_name=name, checksum=hashlib.sha256(raw).hexdigest(), skip_invalid=True
    )
    return run(raw=raw, dataset_import=dataset_import)


def test_the_real_base_data_and_predictors_import_and_backtest_beside_ewp(tmp_path):
    with mock.patch.object(services, "forecast_retrain_enqueue"):
        outcomes = _import("basedata_1934_2010.csv", "ewp_basedata", services.outcomes_import)
    structural = _import("predictors_1960_2010.csv", "ewp_structural", services.structural_import)
    assert outcomes.created > 8_500 and outcomes.skipped == 0
    assert structural.created > 6_900
    # Known facts: Rwanda 1994 and Sudan's Darfur 2003 are onsets; Norway never had one.
    assert Outcome.objects.get(country__iso3="RWA", year=1994).onset
    assert Outcome.objects.get(country__iso3="SDN", year=2003).onset
    assert not Outcome.objects.filter(country__iso3="NOR", onset=True).exists()
    assert Outcome.objects.filter(year__gte=1994, onset=True).values("country", "year").distinct().count() == 23
    assert "population_log2" in StructuralRecord.objects.filter(country__iso3="SDN", year=2010).get().values

    out, path = StringIO(), tmp_path / "backtest.csv"
    call_command(
        "forecast_backtest", "--first-year", "2009", "--last-year", "2010", "--json", "--csv", path, stdout=out
    )
    report = json.loads(out.getvalue())
    one = report["figures"]["1y"]
    assert one["ours"]["onsets"] == 4
    assert one["same_rows_as_ewp"]["ewp"]["rows"] > 300
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "iso3",
        "gw_code",
        "year",
        "probability_1y",
        "probability_2y",
        "rank_1y",
        "trained_through",
        "model_version",
    ]
    sudan = next(row for row in rows if row["iso3"] == "SDN" and row["year"] == "2010")
    assert sudan["gw_code"] == "625" and sudan["trained_through"] == "2009"
    assert 0 < float(sudan["probability_1y"]) <= float(sudan["probability_2y"]) < 1


UCDP = Path(settings.ATROCITY_WATCH_DATA_DIR) / "ucdp" / "organizedviolencecy_v25_1.csv"


@pytest.mark.skipif(not UCDP.is_file(), reason=f"UCDP data not available at {UCDP}")
def test_the_real_ucdp_file_gives_each_country_year_its_one_sided_deaths_beside_the_ewp_predictors():
    raw = UCDP.read_bytes()
    dataset_import = DatasetImport.objects.create(
        source="ucdp_one_sided", file_name=UCDP.name, checksum=hashlib.sha256(raw).hexdigest(), skip_invalid=True
    )
    report = services.structural_import(raw=raw, dataset_import=dataset_import, source="ucdp_one_sided")
    assert report.created > 6_500 and report.summary["years"] == [1989, 2024]
    _import("predictors_1960_2010.csv", "ewp_structural", services.structural_import)
    frame = services.selectors.structural_frame().set_index(["iso3", "year"])
    # Rwanda 1994: UCDP's best estimate of civilians killed in one-sided violence is in the hundreds of thousands.
    assert frame.loc[("RWA", 1994), "one_sided_deaths_log1p"] > 12
    assert frame.loc[("NOR", 2005), "one_sided_deaths_log1p"] == 0
    assert frame.loc[("RWA", 1994), "population_log2"] > 0  # both sources on one row
    assert frame.loc[("RWA", 1985), "one_sided_deaths_log1p"] != frame.loc[("RWA", 1985), "one_sided_deaths_log1p"]
