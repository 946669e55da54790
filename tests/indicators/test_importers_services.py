"""The import service and commands: all-or-nothing writes, located errors, dedupe, skip-invalid, recompute signal."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from indicators.importers.services import dataset_import_enqueue, dataset_import_run
from indicators.models import Assessment, CountryScore, DatasetImport, Methodology, ScoreRun
from indicators.signals import assessments_imported
from tests.factories import CountryFactory

UCDP_HEADER = (
    "country_id_cy,country_cy,year_cy,sb_total_deaths_best_cy,ns_total_deaths_best_cy,"
    "os_any_govt_killings_best_cy,os_total_deaths_best_cy"
)
CSV_HEADER = "iso3,indicator,date,severity,confidence,source,evidence"


def write(tmp_path, name: str, *rows: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    return path


@pytest.fixture
def real_countries(db):
    """Real ISO-3 and Gleditsch-Ward codes, so the crosswalk resolves them (get_or_create keeps migrated rows)."""
    return {
        iso3: CountryFactory(iso3=iso3, name=name, gw_code=gw)
        for iso3, name, gw in (("MMR", "Myanmar", 775), ("SWE", "Sweden", 380), ("DEU", "Germany", 260))
    }


@pytest.fixture
def received(db):
    calls = []

    def listener(sender, dataset_import, country_ids, **kwargs):
        calls.append((dataset_import.pk, sorted(country_ids)))

    assessments_imported.connect(listener, dispatch_uid="test_importers_listener")
    yield calls
    assessments_imported.disconnect(dispatch_uid="test_importers_listener")


def test_import_creates_assessments_and_announces_the_affected_countries(
    tmp_path, real_countries, received, django_capture_on_commit_callbacks
):
    path = write(tmp_path, "ucdp.csv", UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300", "380,Sweden,2021,0,0,0,0")
    with django_capture_on_commit_callbacks(execute=True):
        dataset_import = dataset_import_run(source="ucdp_country_year", path_or_file=path)
    assert dataset_import.status == DatasetImport.Status.SUCCEEDED
    assert (dataset_import.rows_read, dataset_import.rows_created, dataset_import.rows_skipped) == (2, 8, 0)
    assert dataset_import.mapping_version
    myanmar = Assessment.objects.get(country__iso3="MMR", indicator__code="1.1")
    assert (myanmar.severity, myanmar.observed_on, myanmar.confidence) == (3, dt.date(2021, 12, 31), "high")
    assert myanmar.dataset_import == dataset_import and myanmar.author is None
    assert received == [(dataset_import.pk, sorted([real_countries["MMR"].pk, real_countries["SWE"].pk]))]


def test_reimporting_the_same_file_creates_nothing_new(tmp_path, real_countries):
    path = write(tmp_path, "ucdp.csv", UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300")
    first = dataset_import_run(source="ucdp_country_year", path_or_file=path)
    imports, assessments = DatasetImport.objects.count(), Assessment.objects.count()
    again = dataset_import_run(source="ucdp_country_year", path_or_file=path)
    assert again.pk == first.pk and again.reused
    assert (DatasetImport.objects.count(), Assessment.objects.count()) == (imports, assessments)


def test_a_failed_import_can_be_retried_once_fixed(tmp_path, real_countries):
    bad = write(tmp_path, "bad.csv", UCDP_HEADER, "775,Myanmar,2021,many,0,0,0")
    assert dataset_import_run(source="ucdp_country_year", path_or_file=bad).status == "failed"
    good = write(tmp_path, "good.csv", UCDP_HEADER, "775,Myanmar,2021,3,0,0,0")
    assert dataset_import_run(source="ucdp_country_year", path_or_file=good).status == "succeeded"


@pytest.mark.parametrize(
    ("source", "rows", "encoding", "row", "column", "fragment"),
    [
        ("ucdp_country_year", ("country,year,deaths", "775,2021,3"), "utf-8", 1, "country_id_cy", "header"),
        ("csv", (CSV_HEADER, "MMR,2.1,2021-01-01,2,high,Räte,ok"), "latin-1", 2, "source", "not valid UTF-8"),
        (
            "ucdp_country_year",
            (UCDP_HEADER, "775,Myanmar,2021,0,0,0,0", "380,Sweden,2021,many,0,0,0"),
            "utf-8",
            3,
            "sb_total_deaths_best_cy",
            "not a number",
        ),
        (
            "ucdp_country_year",
            (UCDP_HEADER, "775,Myanmar,2021,0,0,0,0", "999,Atlantis,2021,0,0,0,0"),
            "utf-8",
            3,
            "country_id_cy",
            "unknown country",
        ),
        (
            "csv",
            (CSV_HEADER, "MMR,2.1,2021-01-01,2,high,s,", "ZZZ,2.1,2021-01-01,2,high,s,"),
            "utf-8",
            3,
            "iso3",
            "unknown country",
        ),
        (
            "csv",
            (CSV_HEADER, "MMR,2.1,2021-01-01,2,high,s,", "MMR,15.1,2021-01-01,2,high,s,"),
            "utf-8",
            3,
            "indicator",
            "unknown indicator",
        ),
        (
            "csv",
            (CSV_HEADER, "MMR,2.1,2021-01-01,2,high,s,", "MMR,2.1,2099-01-01,2,high,s,"),
            "utf-8",
            3,
            "date",
            "future",
        ),
        (
            "ucdp_country_year",
            (UCDP_HEADER, "775,Myanmar,2021,0,0,0,0", "775,Myanmar,2099,0,0,0,0"),
            "utf-8",
            3,
            "year_cy",
            "out of range",
        ),
    ],
    ids=[
        "bad-header",
        "wrong-encoding",
        "non-numeric",
        "unknown-gw-code",
        "unknown-iso3",
        "unknown-indicator",
        "future-date",
        "year-out-of-range",
    ],
)
def test_malformed_file_fails_naming_row_and_column_and_imports_nothing(
    tmp_path, real_countries, source, rows, encoding, row, column, fragment
):
    path = write(tmp_path, "input.csv", *rows, encoding=encoding)
    dataset_import = dataset_import_run(source=source, path_or_file=path)
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert any(
        error["row"] == row and error["column"] == column and fragment in error["message"]
        for error in dataset_import.errors
    ), dataset_import.errors
    assert f"row {row}" in dataset_import.error_summary and "nothing was imported" in dataset_import.error_summary
    assert Assessment.objects.count() == 0


def test_skip_invalid_imports_the_valid_rows_and_lists_every_skipped_one(tmp_path, real_countries):
    path = write(
        tmp_path,
        "mixed.csv",
        CSV_HEADER,
        "MMR,2.1,2021-01-01,3,high,UN report,",
        "MMR,2.1,2021-02-01,seven,high,UN report,",
        "SWE,2.1,2021-01-01,0,medium,Ombudsman,",
        "ZZZ,2.1,2021-01-01,1,low,Rumour,",
    )
    dataset_import = dataset_import_run(source="csv", path_or_file=path, skip_invalid=True)
    assert dataset_import.status == DatasetImport.Status.SUCCEEDED
    assert (dataset_import.rows_read, dataset_import.rows_created, dataset_import.rows_skipped) == (4, 2, 2)
    assert [(error["row"], error["column"]) for error in dataset_import.errors] == [(3, "severity"), (5, "iso3")]
    assert Assessment.objects.count() == 2


def test_skip_invalid_still_refuses_a_file_with_a_bad_header(tmp_path, real_countries):
    path = write(tmp_path, "bad.csv", "iso3,indicator", "MMR,2.1")
    dataset_import = dataset_import_run(source="csv", path_or_file=path, skip_invalid=True)
    assert dataset_import.status == DatasetImport.Status.FAILED
    assert Assessment.objects.count() == 0


def test_analyst_may_import_only_generic_csv_for_their_own_desk(tmp_path, alice, bob, country_a):
    path = write(tmp_path, "desk.csv", CSV_HEADER, "QAA,2.1,2025-01-01,2,medium,Field report,")
    with pytest.raises(PermissionDenied):
        dataset_import_run(source="vdem", path_or_file=path, started_by=alice)
    refused = dataset_import_run(source="csv", path_or_file=path, started_by=bob)
    assert refused.status == DatasetImport.Status.FAILED
    assert refused.errors[0]["row"] == 2 and refused.errors[0]["column"] == "iso3"
    assert "own desk" in refused.errors[0]["message"]
    assert Assessment.objects.count() == 0
    accepted = dataset_import_run(
        source="csv",
        path_or_file=write(tmp_path, "b.csv", CSV_HEADER, "QAA,2.1,2025-01-01,2,medium,Field,"),
        started_by=alice,
    )
    assert accepted.status == DatasetImport.Status.SUCCEEDED
    assert Assessment.objects.get().author == alice


def test_queued_import_runs_in_the_celery_task_and_removes_the_uploaded_copy(
    tmp_path, settings, real_countries, ada, django_capture_on_commit_callbacks
):
    settings.VAR_DIR = tmp_path / "var"
    upload = StringIO()
    upload.write(CSV_HEADER + "\nMMR,2.1,2021-01-01,3,high,UN report,\n")
    raw = upload.getvalue().encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        dataset_import, queued = dataset_import_enqueue(
            source="csv", path_or_file=SimpleUploadedFile("up.csv", raw), started_by=ada
        )
    assert queued
    dataset_import.refresh_from_db()
    assert (dataset_import.status, dataset_import.progress, dataset_import.rows_created) == ("succeeded", 100, 1)
    assert list((tmp_path / "var" / "imports").iterdir()) == []
    again, queued_again = dataset_import_enqueue(
        source="csv", path_or_file=SimpleUploadedFile("again.csv", raw), started_by=ada
    )
    assert (again.pk, queued_again) == (dataset_import.pk, False)


def test_import_data_command_reports_counts_and_fails_loudly(tmp_path, real_countries):
    good = write(tmp_path, "ucdp.csv", UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300")
    out, err = StringIO(), StringIO()
    call_command("import_data", "ucdp_country_year", str(good), stdout=out, stderr=err)
    assert "1 read, 4 assessments created" in out.getvalue()
    assert "100%" in err.getvalue()
    call_command("import_data", "ucdp_country_year", str(good), stdout=(again := StringIO()), stderr=StringIO())
    assert "already imported" in again.getvalue()
    bad = write(tmp_path, "bad.csv", UCDP_HEADER, "775,Myanmar,2021,lots,0,0,0")
    with pytest.raises(CommandError, match="row 2"):
        call_command("import_data", "ucdp_country_year", str(bad), stdout=(out := StringIO()), stderr=StringIO())
    assert "row 2, sb_total_deaths_best_cy: not a number" in out.getvalue()
    skipped = write(tmp_path, "skip.csv", UCDP_HEADER, "775,Myanmar,2020,lots,0,0,0", "380,Sweden,2020,0,0,0,0")
    call_command(
        "import_data",
        "ucdp_country_year",
        str(skipped),
        "--skip-invalid",
        stdout=(out := StringIO()),
        stderr=StringIO(),
    )
    assert "1 invalid rows skipped" in out.getvalue() and "row 2" in out.getvalue()


def test_import_data_command_refuses_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="No file"):
        call_command("import_data", "vdem", str(tmp_path / "absent.csv"), stdout=StringIO(), stderr=StringIO())


def test_compare_rankings_prints_spearman_and_both_top_lists(tmp_path, real_countries):
    forecasts = write(
        tmp_path,
        "forecasts.csv",
        "ewp_name,year,ccode,risk.2025and2026.from2024",
        "Burma/Myanmar,2024,775,0.10",
        "Germany,2024,255,0.002",
        "Sweden,2024,380,0.001",
    )
    methodology = Methodology.objects.filter(is_active=True).first() or Methodology.objects.create(
        version=99, name="Test", parameters={}, is_active=True
    )
    run = ScoreRun.objects.create(methodology=methodology, trigger=ScoreRun.Trigger.MANUAL)
    month = dt.date(2025, 12, 1)
    for iso3, overall in (("MMR", 80.0), ("DEU", 20.0), ("SWE", 10.0)):
        CountryScore.objects.create(
            country=real_countries[iso3], month=month, methodology=methodology, run=run, overall=overall, band="low"
        )
    out = StringIO()
    call_command("compare_rankings", "--ewp", str(forecasts), "--top", "3", stdout=out)
    text = out.getvalue()
    assert "Spearman correlation: 1.000 over 3 common countries" in text
    assert "Myanmar" in text and "Burma/Myanmar" in text


def test_a_locked_database_puts_the_import_back_in_the_queue_and_retries(tmp_path, real_countries, monkeypatch):
    from celery.exceptions import Retry
    from django.db import OperationalError

    from indicators.importers import tasks

    path = write(tmp_path, "ucdp.csv", UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300")
    dataset_import, _queued = dataset_import_enqueue(source="ucdp_country_year", path_or_file=path, send=False)
    calls = []
    real_execute = tasks.dataset_import_execute

    def locked_once(**kwargs):
        calls.append(kwargs["dataset_import"].status)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real_execute(**kwargs)

    monkeypatch.setattr(tasks, "dataset_import_execute", locked_once)
    with pytest.raises(Retry):
        tasks.dataset_import_task.apply(args=[dataset_import.pk])
    dataset_import.refresh_from_db()
    assert dataset_import.status == "queued" and "Waiting to retry" in dataset_import.error_summary
    tasks.dataset_import_task.apply(args=[dataset_import.pk])  # the retry the broker delivers later
    dataset_import.refresh_from_db()
    assert len(calls) == 2
    assert (dataset_import.status, dataset_import.rows_created) == ("succeeded", 4)


def test_an_import_that_breaks_is_recorded_as_failed_without_stopping_the_chain(tmp_path, real_countries, monkeypatch):
    from indicators.importers import tasks

    path = write(tmp_path, "ucdp.csv", UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300")
    dataset_import, _queued = dataset_import_enqueue(source="ucdp_country_year", path_or_file=path, send=False)
    path.unlink()
    assert tasks.dataset_import_task.apply(args=[dataset_import.pk]).get() == "failed"
    dataset_import.refresh_from_db()
    assert dataset_import.status == "failed" and "No such file" in dataset_import.error_summary


def test_real_data_imports_run_in_order_and_a_locked_database_retries_from_the_stuck_import(
    tmp_path, real_countries, monkeypatch
):
    """A locked database requeues the stuck import and retries the task from it later, with the retry policy."""
    from celery.exceptions import Retry
    from django.db import OperationalError

    from indicators.importers import tasks

    first = write(tmp_path, "a.csv", UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300")
    second = write(tmp_path, "b.csv", UCDP_HEADER, "380,Sweden,2021,0,0,0,0")
    ids = [
        dataset_import_enqueue(source="ucdp_country_year", path_or_file=path, send=False)[0].pk
        for path in (first, second)
    ]
    real_execute = tasks.dataset_import_execute
    calls, retries = [], []

    def locked_once(**kwargs):
        calls.append(kwargs["dataset_import"].pk)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real_execute(**kwargs)

    task = tasks.dataset_imports_in_order_task
    real_retry = task.retry

    def recorded_retry(*args, **kwargs):
        retries.append(kwargs)
        return real_retry(*args, **kwargs)

    monkeypatch.setattr(tasks, "dataset_import_execute", locked_once)
    monkeypatch.setattr(task, "retry", recorded_retry)
    with pytest.raises(Retry):
        task.apply(args=[ids])
    [retry] = retries
    assert retry["args"] == [ids] and retry["countdown"] > 0
    assert DatasetImport.objects.get(pk=ids[0]).status == "queued"
    assert task.apply(args=retry["args"]).get() == ["succeeded", "succeeded"]  # the retry the broker delivers later
    assert calls == [ids[0], ids[0], ids[1]]
