"""The forecast's sources through the import machinery (command, upload page) and its cards on the pages."""

from __future__ import annotations

from io import StringIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from forecasts import services
from forecasts.models import Outcome, StructuralRecord
from forecasts.presentation import candidate_words
from indicators.models import DatasetImport
from tests.forecasts.factories import published_model

pytestmark = pytest.mark.django_db
HEADER = "year,country,ccode,mk_onset,mk_ongoing,mk_onset_count,mk_ongoing_code"


@pytest.fixture(autouse=True)
def no_retrain():
    with mock.patch.object(services, "forecast_retrain_enqueue") as enqueue:
        yield enqueue


def _write(tmp_path, *rows: str):
    path = tmp_path / "basedata.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_import_data_ewp_basedata_imports_once_and_a_second_run_creates_nothing(tmp_path, no_retrain):
    path = _write(tmp_path, "2010,Sudan,625,1,1,1,sdn2010ns1", "2010,Norway,385,0,0,0,")
    out = StringIO()
    call_command("import_data", "ewp_basedata", str(path), stdout=out)
    assert Outcome.objects.count() == 2
    dataset_import = DatasetImport.objects.get()
    assert dataset_import.status == DatasetImport.Status.SUCCEEDED and dataset_import.rows_created == 2
    again = StringIO()
    call_command("import_data", "ewp_basedata", str(path), stdout=again)
    assert "already imported" in again.getvalue()
    assert Outcome.objects.count() == 2 and DatasetImport.objects.count() == 1
    no_retrain.assert_called_once()


def test_a_malformed_base_data_file_fails_with_its_row_and_column_and_imports_nothing(tmp_path):
    path = _write(tmp_path, "2010,Sudan,625,1,1,1,", "2010,Norway,385,1,0,0,")
    with pytest.raises(CommandError):
        call_command("import_data", "ewp_basedata", str(path), stdout=StringIO())
    dataset_import = DatasetImport.objects.get()
    assert dataset_import.status == DatasetImport.Status.FAILED
    located = {(error["row"], error["column"]) for error in dataset_import.errors}
    assert (3, "mk_onset_count") in located and (3, "mk_ongoing") in located
    assert not Outcome.objects.exists()


def test_skip_invalid_through_the_command_lists_the_skipped_row(tmp_path):
    path = _write(tmp_path, "2010,Sudan,625,1,1,1,", "2010,Norway,385,x,0,0,")
    call_command("import_data", "ewp_basedata", str(path), "--skip-invalid", stdout=StringIO())
    dataset_import = DatasetImport.objects.get()
    assert dataset_import.rows_created == 1 and dataset_import.rows_skipped == 1
    assert dataset_import.errors[0]["row"] == 3 and dataset_import.errors[0]["column"] == "mk_onset"


def test_the_upload_page_offers_the_forecast_sources_to_administrators(client, ada, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    client.force_login(ada)
    page = client.get(reverse("indicators:imports:upload")).content.decode()
    assert 'value="ewp_basedata"' in page and 'value="ewp_structural"' in page and 'value="ucdp_one_sided"' in page
    upload = SimpleUploadedFile("basedata.csv", f"{HEADER}\n2010,Sudan,625,1,1,1,\n".encode(), content_type="text/csv")
    response = client.post(reverse("indicators:imports:upload"), {"source": "ewp_basedata", "file": upload})
    assert response.status_code == 302
    assert DatasetImport.objects.get().source == "ewp_basedata"


def test_import_data_ucdp_one_sided_writes_structural_records_under_their_own_source(tmp_path):
    path = tmp_path / "organizedviolencecy.csv"
    path.write_text("country_id_cy,year_cy,os_total_deaths_best_cy\n625,2003,4305\n385,2003,0\n")
    call_command("import_data", "ucdp_one_sided", str(path), stdout=StringIO())
    records = {record.country.iso3: record for record in StructuralRecord.objects.select_related("country")}
    assert set(records) == {"SDN", "NOR"} and {record.source for record in records.values()} == {"ucdp_one_sided"}
    assert records["NOR"].values == {"one_sided_deaths_log1p": 0.0}
    assert DatasetImport.objects.get().source == "ucdp_one_sided"


def test_the_country_page_shows_the_forecast_in_plain_words_beside_the_framework_score(client, victor, country_a):
    published_model({country_a: (0.032, 0.058)})
    client.force_login(victor)
    page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "Onset forecast" in page
    assert "3.2% (about 1 in 31)" in page and "5.8% (about 1 in 17)" in page
    assert "1st highest of 1 countries" in page
    assert "saw an onset 5.7% of the time" in page
    assert "Population, log2" in page and "raises the risk" in page
    assert "never blended into it" in page


def test_the_country_page_says_when_there_is_no_forecast_yet(client, victor, country_a):
    client.force_login(victor)
    page = client.get(reverse("indicators:country_detail", args=["QAA"])).content.decode()
    assert "No forecast for Alphaland yet" in page


def test_the_methodology_page_shows_the_backtest_table_and_the_calibration_chart(client, victor, country_a):
    published_model({country_a: (0.032, 0.058)})
    client.force_login(victor)
    page = client.get(reverse("indicators:methodology")).content.decode()
    assert "The onset forecast" in page
    assert "backtest-table" in page and "16 of 23" in page and "11 of 23" in page
    assert 'id="calibration-figure"' in page


def test_the_methodology_page_sets_the_early_warning_projects_own_forecasts_beside_ours_on_the_same_rows(
    client, victor, country_a
):
    published_model({country_a: (0.032, 0.058)})
    client.force_login(victor)
    page = client.get(reverse("indicators:methodology")).content.decode()
    ours = page.index("This model, on the Early Warning Project&#x27;s rows")
    theirs = page.index("Early Warning Project&#x27;s out-of-sample forecasts, same rows")
    assert ours < theirs
    assert "0.838" in page[ours:theirs] and "13 of 23" in page[ours:theirs]
    assert "0.851" in page[theirs:] and "15 of 23" in page[theirs:] and "0.0093" in page[theirs:]


def test_the_methodology_page_says_in_words_what_a_two_year_label_member_was_fitted_on(client, victor, country_a):
    member = {"name": "gradient_boosting features=all label=2y", "label": "onset_2y"}
    one_year = {
        "chosen": "average of elastic_net C=0.1 features=all and gradient_boosting features=all label=2y",
        "importances": {"population_log2": 1.0},
        "members": [
            {"name": "elastic_net C=0.1 features=all", "label": "onset_1y", "rows": 7000, "positives": 30},
            {**member, "rows": 6800, "positives": 61, "last_year": 2009},
        ],
    }
    published_model({country_a: (0.032, 0.058)}, horizons={"1y": one_year, "2y": {}})
    client.force_login(victor)
    page = client.get(reverse("indicators:methodology")).content.decode()
    assert (
        "Gradient-boosted trees (every feature): fitted on onsets within two years, calibrated to one year "
        "(6,800 country-years through 2009, 61 with an onset within two years)" in page
    )
    assert "Elastic-net logistic regression (penalty C = 0.1; every feature): fitted on" not in page  # own label
    assert "One year: Equal-weight average of elastic-net logistic regression (penalty C = 0.1; every feature)" in page


@pytest.mark.parametrize(
    ("recorded", "words"),
    [
        (
            "gradient_boosting features=all label=2y",
            "Gradient-boosted trees (every feature), fitted on onsets within two years",
        ),
        (
            "elastic_net C=0.03 features=summary",
            "Elastic-net logistic regression (penalty C = 0.03; structural predictors, indicator values and the "
            "Framework's overall and crime-group scores)",
        ),
        (
            "average of elastic_net C=0.1 features=all and gradient_boosting features=all label=2y",
            "Equal-weight average of elastic-net logistic regression (penalty C = 0.1; every feature) and "
            "gradient-boosted trees (every feature), fitted on onsets within two years",
        ),
        (
            "average of elastic_net C=0.03 features=summary_transformed and gradient_boosting features=all "
            "and random_forest features=all label=2y",
            "Equal-weight average of elastic-net logistic regression (penalty C = 0.03; the summary set; infant "
            "mortality relative to the world median, GDP growth winsorised) and gradient-boosted trees (every "
            "feature) and random forest (every feature), fitted on onsets within two years",
        ),
        ("a name from another version", "a name from another version"),
        ("", ""),
    ],
)
def test_the_methodology_page_names_the_chosen_model_in_words(recorded, words):
    """The recorded candidate name ("elastic_net C=0.03 features=summary") reads as words on the page; a name it
    cannot read is shown as recorded."""
    assert candidate_words(recorded) == words


def test_a_file_already_read_as_assessments_can_still_be_read_as_structural_predictors(tmp_path):
    """EWP's predictors file feeds both the Framework (ewp_predictors) and the forecast (ewp_structural)."""
    path = _write(tmp_path, "2010,Sudan,625,1,1,1,")
    call_command("import_data", "ewp_basedata", str(path), stdout=StringIO())
    again = StringIO()
    call_command("import_data", "ewp_basedata", str(path), stdout=again)
    assert "already imported" in again.getvalue()
    from indicators.importers.services import dataset_import_duplicate

    checksum = DatasetImport.objects.get().checksum
    assert dataset_import_duplicate(checksum=checksum, source="ewp_basedata") is not None
    assert dataset_import_duplicate(checksum=checksum, source="ewp_structural") is None
    assert dataset_import_duplicate(checksum=checksum, source="csv") is None
