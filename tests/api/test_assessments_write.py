"""Recording assessments through the API: desk rules from the service, all-or-nothing bulk with a row report."""

import pytest

from indicators.models import Assessment

GOOD = {
    "country": "QAA",
    "indicator": "7.4",
    "observed_on": "2026-01-10",
    "severity": 2,
    "confidence": "medium",
    "source": "Desk reporting",
    "evidence": "Speeches by officials.",
}
WRITE_EXPECTED = {"alice": 201, "bob": 403, "fiona": 403, "victor": 403, "ada": 201, "nobody": 403, "anonymous": 401}


@pytest.mark.parametrize(("persona", "status"), WRITE_EXPECTED.items())
def test_only_the_desk_analyst_and_administrators_record_for_qaa(persona_clients, country_a, persona, status):
    response = persona_clients[persona].post("/api/v1/assessments/", GOOD, format="json")
    assert response.status_code == status, response.content
    assert Assessment.objects.count() == (1 if status == 201 else 0)


def test_recorded_assessment_is_returned_with_its_author(persona_clients, country_a):
    body = persona_clients["alice"].post("/api/v1/assessments/", GOOD, format="json").json()
    assert body["author"] == "alice"
    assert (body["country"], body["indicator"], body["severity"], body["risk_factor"]) == ("QAA", "7.4", 2, 7)


def test_bob_cannot_record_for_alices_country(persona_clients, country_a):
    response = persona_clients["bob"].post("/api/v1/assessments/", GOOD, format="json")
    assert response.status_code == 403
    assert "Alphaland" in response.json()["error"]["message"]


def test_future_date_is_refused_by_the_service_rule(persona_clients, country_a):
    response = persona_clients["alice"].post(
        "/api/v1/assessments/", {**GOOD, "observed_on": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "future" in response.json()["error"]["fields"]["observed_on"][0]


def test_unknown_indicator_and_country_are_named(persona_clients, country_a):
    body = {**GOOD, "indicator": "99.9", "country": "ZZZ"}
    fields = persona_clients["alice"].post("/api/v1/assessments/", body, format="json").json()["error"]["fields"]
    assert "99.9" in fields["indicator"][0]
    assert "ZZZ" in fields["country"][0]


def test_bulk_json_records_every_row(persona_clients, country_a):
    rows = [GOOD, {**GOOD, "indicator": "7.5", "severity": 3}]
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", rows, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 2
    assert Assessment.objects.count() == 2


def test_bulk_with_one_bad_row_records_nothing_and_reports_every_bad_row(persona_clients, country_a):
    rows = [
        GOOD,
        {**GOOD, "severity": 7},
        {**GOOD, "indicator": "7.5"},
        {**GOOD, "confidence": "certain", "source": ""},
    ]
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", rows, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert [row["row"] for row in error["rows"]] == [2, 4]
    assert "severity" in error["rows"][0]["errors"]
    assert set(error["rows"][1]["errors"]) == {"confidence", "source"}
    assert "nothing was recorded" in error["message"]
    assert Assessment.objects.count() == 0


def test_bulk_with_two_identical_rows_is_refused_like_the_entry_page(persona_clients, country_a):
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", [GOOD, GOOD], format="json")
    assert response.status_code == 400
    rows = response.json()["error"]["rows"]
    assert [row["row"] for row in rows] == [2]
    assert "already in row 1 of this batch" in rows[0]["errors"]["indicator"][0]
    assert Assessment.objects.count() == 0


def test_bulk_csv_duplicate_names_the_first_row_by_its_file_line(persona_clients, country_a):
    body = (
        "country,indicator,observed_on,severity,confidence,source\n"
        "QAA,7.4,2026-01-01,2,high,x\n"
        "QAA,7.4,2026-01-01,3,low,y\n"
    )
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", body, content_type="text/csv")
    assert response.status_code == 400
    rows = response.json()["error"]["rows"]
    assert [row["row"] for row in rows] == [3]
    assert "already in row 2 of this batch" in rows[0]["errors"]["indicator"][0]
    assert Assessment.objects.count() == 0


def test_bulk_csv_records_every_row(persona_clients, country_a):
    body = (
        "country,indicator,observed_on,severity,confidence,source,evidence\n"
        "QAA,7.4,2026-01-01,2,high,Desk reporting,Speeches\n"
        "qaa,7.5,2026-01-02,1,low,Desk reporting,\n"
    )
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", body, content_type="text/csv")
    assert response.status_code == 201, response.content
    assert Assessment.objects.filter(country=country_a).count() == 2


def test_bulk_csv_upload_as_a_file(persona_clients, country_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "batch.csv",
        b"country,indicator,observed_on,severity,confidence,source\nQAA,7.4,2026-01-01,2,high,Desk\n",
        content_type="text/csv",
    )
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content


def test_bulk_csv_with_a_bad_row_reports_it_and_records_nothing(persona_clients, country_a):
    body = (
        "country,indicator,observed_on,severity,confidence,source\nQAA,7.4,2026-01-01,2,high,x\nQAA,7.4,soon,2,high,x\n"
    )
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", body, content_type="text/csv")
    assert response.status_code == 400
    error = response.json()["error"]
    # CSV rows are numbered as file lines (the header is line 1), as the import page numbers them.
    assert [row["row"] for row in error["rows"]] == [3]
    assert "observed_on" in error["rows"][0]["errors"]
    assert error["message"] == "1 of 2 rows has errors; nothing was recorded."
    assert Assessment.objects.count() == 0


def test_bulk_csv_reports_parser_and_desk_errors_together(persona_clients, country_a, country_b):
    body = (
        "iso3,indicator,date,severity,confidence,source\n"
        "QBB,7.4,2026-01-01,2,high,x\n"
        "QAA,7.4,2026-01-01,5,high,x\n"
        "QAA,7.4,2026-01-01,2,high,x\n"
    )
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", body, content_type="text/csv")
    assert response.status_code == 400
    rows = response.json()["error"]["rows"]
    assert [(row["row"], sorted(row["errors"])) for row in rows] == [(2, ["country"]), (3, ["severity"])]
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("body", ["", "just one line", "a,b\n1,2,3,4\n", "\x00\x01"])
def test_unreadable_csv_is_a_400_not_a_500(persona_clients, country_a, body):
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", body, content_type="text/csv")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_bulk_rows_for_another_desk_are_forbidden_and_nothing_is_recorded(persona_clients, country_a, country_b):
    rows = [{**GOOD, "country": "QBB"}, GOOD]
    response = persona_clients["bob"].post("/api/v1/assessments/bulk/", rows, format="json")
    assert response.status_code == 403
    assert [row["row"] for row in response.json()["error"]["rows"]] == [2]
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize("persona", ["victor", "fiona", "nobody"])
def test_roles_that_cannot_write_are_refused_bulk_create(persona_clients, country_a, persona):
    assert persona_clients[persona].post("/api/v1/assessments/bulk/", [GOOD], format="json").status_code == 403


@pytest.mark.parametrize("body", [{}, [], "text", [1, 2]])
def test_bulk_with_no_usable_rows_is_a_400(persona_clients, country_a, body):
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_bulk_refuses_more_rows_than_the_limit(persona_clients, country_a, settings):
    settings.API_BULK_MAX_ROWS = 2
    response = persona_clients["alice"].post("/api/v1/assessments/bulk/", [GOOD] * 3, format="json")
    assert response.status_code == 400
    assert "At most 2" in response.json()["error"]["message"]
