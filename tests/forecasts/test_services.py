"""Forecast imports and training against the database: all-or-nothing, skip-invalid, editions, and the leakage rule."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from django.core.exceptions import ValidationError

from forecasts import services
from forecasts.backtest import forecast_year
from forecasts.models import Forecast, ForecastModel, ForecastRun, Outcome, StructuralRecord
from forecasts.selectors import indicator_frame
from forecasts.services import ModelInputs, outcomes_import
from indicators.crosswalk import CountryCrosswalk
from indicators.models import Country, DatasetImport
from tests.factories import AssessmentFactory, indicator
from tests.forecasts.synthetic import ISO3, synthetic_world

HEADER = "year,country,ccode,mk_onset,mk_ongoing,mk_onset_count,mk_ongoing_code"


def _import(raw: bytes, *, skip_invalid: bool = False, source: str = "ewp_basedata") -> DatasetImport:
    return DatasetImport.objects.create(
        source=source, file_name="basedata.csv", checksum=hashlib.sha256(raw).hexdigest(), skip_invalid=skip_invalid
    )


def _file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def no_retrain():
    with mock.patch.object(services, "forecast_retrain_enqueue") as enqueue:
        yield enqueue


@pytest.mark.django_db(transaction=True)
def test_an_outcomes_import_writes_one_outcome_per_country_year_and_queues_a_retraining(no_retrain):
    raw = _file("2009,Sudan,625,0,1,0,sdn2003s1", "2010,Sudan,625,1,1,1,sdn2010ns1", "2010,Norway,385,0,0,0,")
    report = outcomes_import(raw=raw, dataset_import=_import(raw))
    assert report.created == 3
    assert "2009-2010 (1 onset)" in report.message
    sudan = Outcome.objects.get(country__iso3="SDN", year=2010)
    assert sudan.onset and sudan.ongoing and sudan.episodes == "sdn2010ns1"
    no_retrain.assert_called_once()


@pytest.mark.django_db
def test_a_malformed_outcomes_file_imports_nothing_and_names_the_row_and_column(no_retrain):
    raw = _file("2010,Sudan,625,1,1,1,", "2010,Norway,385,maybe,0,0,")
    with pytest.raises(ValidationError) as refused:
        outcomes_import(raw=raw, dataset_import=_import(raw))
    [error] = refused.value.error_list
    assert error.params == {"row": 3, "column": "mk_onset", "value": "maybe"}
    assert "row 3, mk_onset: not a number" in error.message
    assert not Outcome.objects.exists()


@pytest.mark.django_db
def test_skip_invalid_imports_the_valid_rows_and_lists_the_others(no_retrain):
    raw = _file("2010,Sudan,625,1,1,1,", "2010,Norway,385,maybe,0,0,")
    report = outcomes_import(raw=raw, dataset_import=_import(raw, skip_invalid=True))
    assert report.created == 1 and report.skipped == 1
    assert report.errors[0]["row"] == 3
    assert list(Outcome.objects.values_list("country__iso3", flat=True)) == ["SDN"]


@pytest.mark.django_db
def test_a_newer_edition_replaces_the_years_it_covers_and_keeps_who_said_what(no_retrain):
    old = _file("2009,Sudan,625,0,1,0,", "2010,Sudan,625,0,1,0,")
    first = _import(old)
    outcomes_import(raw=old, dataset_import=first)
    new = _file("2010,Sudan,625,1,1,1,", "2011,Sudan,625,0,1,0,")
    second = _import(new)
    report = outcomes_import(raw=new, dataset_import=second)
    assert report.summary["replaced"] == 1
    current = {row.year: row for row in Outcome.objects.filter(is_current=True)}
    assert current[2009].dataset_import == first  # 2009 is not in the new edition: the old word stands
    assert current[2010].dataset_import == second and current[2010].onset
    superseded = Outcome.objects.get(is_current=False)
    assert (superseded.year, superseded.onset, superseded.dataset_import) == (2010, False, first)


def _synthetic_database(countries: list[Country]) -> None:
    outcomes, structural, framework = synthetic_world(first_year=1985, last_year=2008)
    codes = dict(zip(ISO3, countries, strict=False))
    dataset_import = DatasetImport.objects.create(source="ewp_basedata", file_name="synthetic", checksum="x")
    Outcome.objects.bulk_create(
        Outcome(
            country=codes[row.iso3], year=row.year, onset=bool(row.onset), ongoing=False, dataset_import=dataset_import
        )
        for row in outcomes.itertuples()
        if row.iso3 in codes
    )
    StructuralRecord.objects.bulk_create(
        StructuralRecord(
            country=codes[row.iso3],
            year=row.year,
            source="ewp_structural",
            values={k: v for k, v in {"tension": row.tension, "noise": row.noise}.items() if v == v},
            dataset_import=dataset_import,
        )
        for row in structural.itertuples()
        if row.iso3 in codes
    )


@pytest.fixture
def synthetic_database(db):
    countries = list(Country.objects.order_by("iso3")[:40])
    _synthetic_database(countries)
    return countries


def test_forecasts_read_from_the_database_ignore_outcomes_of_the_forecast_year_and_later(synthetic_database):
    inputs = ModelInputs.read()
    panel = inputs.panel(last_forecast_year=2005)
    with_all = forecast_year(panel=panel, outcomes=inputs.outcomes, year=2003).table
    Outcome.objects.filter(year__gte=2003).delete()
    truncated = ModelInputs.read()
    assert truncated.outcomes["year"].max() == 2002
    without = forecast_year(panel=truncated.panel(last_forecast_year=2005), outcomes=truncated.outcomes, year=2003)
    pd.testing.assert_frame_equal(with_all, without.table)


def test_training_publishes_a_versioned_model_with_its_record_and_a_forecast_per_country(synthetic_database, settings):
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2007
    model = services.forecast_train()
    assert model.version == 1
    assert model.run.status == ForecastRun.Status.SUCCEEDED
    assert (model.data_year, model.forecast_year, model.trained_through) == (2008, 2009, 2008)
    assert model.backtest["first_year"] == 2007 and model.backtest["last_year"] == 2008
    assert {"1y", "2y"} <= set(model.backtest["figures"])
    assert model.horizons["1y"]["cv_log_loss"]
    assert "scikit-learn" in model.library_versions
    assert Forecast.objects.filter(model=model).count() == 40
    top = Forecast.objects.get(model=model, rank_1y=1)
    assert top.drivers and top.drivers[0]["direction"] in ("raises", "lowers")
    assert services.forecast_train().version == 2
    assert ForecastModel.objects.count() == 2


@pytest.mark.django_db
def test_training_without_outcomes_fails_with_the_reason_and_records_the_run():
    with pytest.raises(ValidationError, match="No outcomes yet"):
        services.forecast_train()
    run = ForecastRun.objects.get()
    assert run.status == ForecastRun.Status.FAILED and "No outcomes yet" in run.error


@pytest.mark.django_db
def test_dataset_assessments_become_indicator_features_per_source_and_year_and_analysts_ones_do_not():
    country = Country.objects.order_by("iso3").first()
    pts = DatasetImport.objects.create(source="pts", file_name="pts.csv", checksum="p")
    for day, severity in ((dt.date(2004, 12, 31), 1), (dt.date(2005, 12, 31), 3), (dt.date(2005, 6, 30), 2)):
        AssessmentFactory(
            country=country, indicator=indicator("2.1"), observed_on=day, severity=severity, dataset_import=pts
        )
    AssessmentFactory(country=country, indicator=indicator("7.6"), observed_on=dt.date(2005, 3, 1), severity=3)
    frame = indicator_frame()
    assert list(frame.columns) == ["iso3", "year", "indicator_2_1_pts"]
    assert frame.set_index("year")["indicator_2_1_pts"].to_dict() == {2004: 1, 2005: 3}


@pytest.mark.django_db
def test_an_import_re_mapped_under_a_newer_mapping_gives_no_features():
    """The same file imported again under a newer mapping says what it means now: a cell only the older mapping
    recorded is no feature value (here the older one rated 2004 at 3, which the newer leaves out)."""
    country = Country.objects.order_by("iso3").first()
    older = DatasetImport.objects.create(
        source="pts", file_name="pts.csv", checksum="p", mapping_version="2000.1", status="succeeded"
    )
    newer = DatasetImport.objects.create(
        source="pts", file_name="pts.csv", checksum="p", mapping_version="2000.2", status="succeeded"
    )
    for dataset_import, year, severity in ((older, 2004, 3), (older, 2005, 3), (newer, 2005, 1)):
        AssessmentFactory(
            country=country,
            indicator=indicator("2.1"),
            observed_on=dt.date(year, 12, 31),
            severity=severity,
            dataset_import=dataset_import,
        )
    assert indicator_frame().set_index("year")["indicator_2_1_pts"].to_dict() == {2005: 1}


def test_a_transformed_feature_is_labelled_with_its_source_and_its_gap_is_counted_once(synthetic_database, settings):
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2008
    first = synthetic_database[0]
    growth = [
        StructuralRecord(pk=pk, values={**values, "gdp_pc_growth": float(year % 7 - 3)})
        for pk, country, year, values in StructuralRecord.objects.values_list("pk", "country", "year", "values")
        if not (country == first.pk and year >= 2006)  # the first country: nothing to carry into 2009's forecast
    ]
    StructuralRecord.objects.bulk_update(growth, ["values"])
    model = services.forecast_train()
    catalogue = {entry["name"]: entry for entry in model.features}
    assert catalogue["gdp_pc_growth_winsorised"]["label"].startswith("GDP per capita growth")
    assert "transformed across that year's countries" in catalogue["gdp_pc_growth_winsorised"]["source"]
    gaps = Forecast.objects.get(model=model, country=first).missing_features
    assert "gdp_pc_growth" in gaps and "gdp_pc_growth_winsorised" not in gaps


def test_training_stores_the_early_warning_projects_forecasts_beside_its_backtest_on_the_same_rows(
    synthetic_database, settings, tmp_path
):
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2007
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path
    crosswalk = CountryCrosswalk.default()
    lines = [",year,ewp_name,ccode,mk_onset,prev_year,two_years_prior,risk_prev,rank_prev"]
    codes = [(country, crosswalk.country(country.iso3).gw_code) for country in synthetic_database]
    codes = [(country, code) for country, code in codes if code is not None]
    for position, (country, code) in enumerate(codes):
        for year in (2007, 2008):
            lines.append(f"{len(lines)},{year},{country.iso3},{code},0,{year - 1},{year - 2},{0.001 * position},1")
    (tmp_path / "ewp").mkdir()
    (tmp_path / services.EWP_OUT_OF_SAMPLE).write_text("\n".join(lines) + "\n")
    model = services.forecast_train()
    same_rows = model.backtest["figures"]["1y"]["same_rows_as_ewp"]
    assert same_rows["ewp"]["rows"] == same_rows["ours"]["rows"] == 2 * len(codes) > 0
    assert model.backtest["ewp_comparison"] == f"EWP out-of-sample forecasts from {services.EWP_OUT_OF_SAMPLE}"


def test_training_without_the_early_warning_projects_file_stores_the_backtest_and_says_why_ewp_is_missing(
    synthetic_database, settings, tmp_path
):
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2008
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path
    model = services.forecast_train()
    assert "same_rows_as_ewp" not in model.backtest["figures"]["1y"]
    assert model.backtest["ewp_comparison"].startswith("no EWP out-of-sample forecasts at")


def test_training_with_an_unreadable_early_warning_project_file_still_trains_and_says_why(
    synthetic_database, settings, tmp_path, monkeypatch
):
    settings.FORECAST_BACKTEST_FIRST_YEAR = 2008
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path
    (tmp_path / "ewp").mkdir()
    unreadable = tmp_path / services.EWP_OUT_OF_SAMPLE
    unreadable.write_text("year,ccode\n")
    real_read_bytes = Path.read_bytes

    def read_bytes(path):
        if path == unreadable:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    model = services.forecast_train()
    assert "same_rows_as_ewp" not in model.backtest["figures"]["1y"]
    assert model.backtest["ewp_comparison"] == f"cannot read {services.EWP_OUT_OF_SAMPLE}: Permission denied"


@pytest.mark.django_db
def test_the_one_sided_violence_feature_is_named_in_words_with_its_ucdp_source():
    [entry] = services.feature_catalogue(["one_sided_deaths_log1p"])
    assert entry["label"].startswith("Civilians killed in one-sided violence")
    assert entry["source"].startswith("UCDP organised violence")
