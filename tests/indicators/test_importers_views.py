"""Upload, list and detail pages of dataset imports, by role and desk."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Assessment, DatasetImport

CSV_HEADER = "iso3,indicator,date,severity,confidence,source,evidence"
UPLOAD_URL = reverse("indicators:imports:upload")
LIST_URL = reverse("indicators:imports:list")


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def csv_upload(*rows: str, name: str = "assessments.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join((CSV_HEADER, *rows)) + "\n").encode(), content_type="text/csv")


def post_upload(client, user, upload, source="csv", **extra):
    client.force_login(user)
    return client.post(UPLOAD_URL, {"source": source, "file": upload, **extra})


def test_analyst_imports_a_csv_for_her_own_desk(client, alice, country_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, alice, csv_upload("QAA,2.1,2025-06-30,2,medium,Field mission,Detentions"))
    dataset_import = DatasetImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("indicators:imports:detail", args=[dataset_import.pk])
    dataset_import.refresh_from_db()
    assert dataset_import.status == "succeeded" and dataset_import.started_by == alice
    assessment = Assessment.objects.get()
    assert (assessment.country, assessment.author, assessment.severity) == (country_a, alice, 2)
    page = client.get(response.url)
    assert "Succeeded" in page.content.decode() and "Created 1 assessment for 1 country." in page.content.decode()


def test_analyst_is_refused_for_another_desks_country(client, bob, country_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(client, bob, csv_upload("QAA,2.1,2025-06-30,2,medium,Field mission,"))
    dataset_import = DatasetImport.objects.get()
    assert dataset_import.status == "failed"
    assert Assessment.objects.count() == 0
    page = client.get(response.url).content.decode()
    assert "own desk" in page and "<td>iso3</td>" in page and '<td class="num">2</td>' in page


def test_viewer_cannot_open_or_post_the_upload_page(client, victor, country_a):
    client.force_login(victor)
    assert client.get(UPLOAD_URL).status_code == 403
    assert post_upload(client, victor, csv_upload("QAA,2.1,2025-06-30,2,medium,x,")).status_code == 403
    assert client.get(LIST_URL).status_code == 403
    assert DatasetImport.objects.count() == 0


def test_analyst_cannot_choose_a_dataset_source(client, alice, country_a):
    client.force_login(alice)
    page = client.get(UPLOAD_URL).content.decode()
    assert 'value="csv"' in page and 'value="vdem"' not in page
    assert 'aria-current="page">Imports</a>' in page
    response = post_upload(client, alice, csv_upload("QAA,2.1,2025-06-30,2,medium,x,"), source="vdem")
    assert response.status_code == 400
    assert DatasetImport.objects.count() == 0


def test_administrator_may_choose_any_source(client, ada):
    client.force_login(ada)
    page = client.get(UPLOAD_URL).content.decode()
    for source in ("ucdp_country_year", "vdem", "pts", "ewp_forecasts", "csv"):
        assert f'value="{source}"' in page


def test_oversized_upload_is_refused_with_a_clear_message(client, alice, country_a, settings):
    settings.ASSESSMENT_UPLOAD_MAX_BYTES = 100
    rows = [f"QAA,2.1,2025-06-{day:02d},2,medium,Field mission,Detentions" for day in range(1, 10)]
    response = post_upload(client, alice, csv_upload(*rows))
    assert response.status_code == 400
    assert "uploads are limited to" in response.content.decode()
    assert DatasetImport.objects.count() == 0


def test_invalid_upload_lists_every_error_with_row_and_column(
    client, ada, country_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_upload(
            client, ada, csv_upload("QAA,2.1,2025-06-30,two,medium,x,", "QAA,2.1,2025-06-30,2,sure,x,")
        )
    page = client.get(response.url).content.decode()
    assert "Failed" in page and "nothing was imported" in page
    assert "<td>severity</td>" in page and "<td>confidence</td>" in page
    assert Assessment.objects.count() == 0


def test_skip_invalid_upload_imports_the_valid_rows(client, alice, country_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_upload(
            client,
            alice,
            csv_upload("QAA,2.1,2025-06-30,2,medium,x,", "QAA,2.1,2025-06-30,9,medium,x,"),
            skip_invalid="on",
        )
    dataset_import = DatasetImport.objects.get()
    assert (dataset_import.status, dataset_import.rows_created, dataset_import.rows_skipped) == ("succeeded", 1, 1)


def test_queued_import_page_refreshes_and_shows_progress(client, alice):
    dataset_import = DatasetImport.objects.create(
        source="csv", file_name="x.csv", checksum="0" * 64, progress=40, status="running"
    )
    client.force_login(alice)
    page = client.get(reverse("indicators:imports:detail", args=[dataset_import.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and 'value="40"' in page


@pytest.mark.parametrize("inline, label", [(True, "<dt>Started</dt>"), (False, "<dt>Queued</dt>")])
def test_import_page_says_a_terminal_import_was_started_there_not_queued(client, ada, inline, label):
    """An import run by import_data in a terminal never waited for a worker: its page says when it started, and
    where."""
    dataset_import = DatasetImport.objects.create(
        source="csv", file_name="x.csv", checksum="0" * 64, status="failed", inline=inline
    )
    client.force_login(ada)
    page = client.get(reverse("indicators:imports:detail", args=[dataset_import.pk])).content.decode()
    assert label in page
    assert ("command line, in a terminal" in page) is inline
    assert "No row had an error: why the import failed is said above." in page


def test_import_list_shows_status_and_counts(client, ada, django_assert_max_num_queries):
    for number in range(3):
        DatasetImport.objects.create(
            source="vdem",
            file_name=f"v{number}.csv",
            checksum=f"{number}" * 64,
            status="succeeded",
            rows_read=9,
            rows_created=40,
            started_by=ada,
        )
    client.force_login(ada)
    with django_assert_max_num_queries(8):
        page = client.get(LIST_URL).content.decode()
    assert page.count("Succeeded") == 3 and "v2.csv" in page


def test_unknown_import_is_404(client, ada):
    client.force_login(ada)
    assert client.get(reverse("indicators:imports:detail", args=[9999])).status_code == 404
