"""One CSV reader for every path: the API's bulk endpoint, the upload page and `import_data` accept and refuse the
same files with the same messages, and none of them answers 500 or ends in a traceback (issue 13, defects 7, 14)."""

import gzip
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from atrocity_watch.services import api_token_create
from indicators.importers import PARSERS
from indicators.importers.reading import UnreadableFile, decode_text, read_table
from indicators.models import DatasetImport

pytestmark = pytest.mark.django_db

HEADER = "iso3,indicator,date,severity,confidence,source,evidence"
ROW = "QAA,1.1,2026-01-10,2,high,Desk reporting,Arrests"
GOOD = f"{HEADER}\n{ROW}\n"

# name -> (file bytes, what every path must say; None when the file is accepted)
FILES = {
    "utf8": (GOOD.encode(), None),
    "utf8_bom_crlf": (b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode(), None),
    "utf16_bom": (GOOD.encode("utf-16"), None),
    "utf16_without_bom": (GOOD.encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
    "nul_byte": (f"{HEADER}\nQAA,1.1,2026-01-10,2,high,Desk\x00reporting,x\n".encode(), "NUL byte"),
    "nul_in_header": (f"iso3,indicator\x00,date,severity,confidence,source\n{ROW}\n".encode(), "NUL byte"),
    "gzip": (gzip.compress(GOOD.encode()), "gzip-compressed"),
    "xlsx": (b"PK\x03\x04" + b"\x00" * 40, "ZIP archive"),
    "duplicate_header": (f"{HEADER},source\n{ROW},again\n".encode(), "repeats the column 'source'"),
    "stray_cr_and_bad_byte": (
        f"{HEADER}\nQAA,1.1,2026-01-10,2,high,Desk\rreport,caf".encode() + b"\xe9\n",
        "not valid UTF-8 text (byte 0xe9)",
    ),
    "stray_cr": (f"{HEADER}\nQAA,1.1,2026-01-10,2,high,Desk\rreport,x\n".encode(), "carriage return inside a field"),
    "cr_in_header": (
        f"iso3,indicator\r,date,severity,confidence,source\n{ROW.rsplit(',', 1)[0]}\n".encode(),
        "carriage return inside a field",
    ),
    "huge_evidence": (f"{HEADER}\n{ROW[:-7]}{'x' * 5_000_000}\n".encode(), "the evidence is 5,000,000 characters"),
    "duplicate_rows": (f"{HEADER}\n{ROW}\n{ROW}\n".encode(), "already in row 2 of this batch"),
}


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def through_api(alice, raw: bytes) -> tuple[bool, str]:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=alice, name='csv').secret}")
    response = client.post("/api/v1/assessments/bulk/", data=raw, content_type="text/csv")
    assert response.status_code in (201, 400), response.content[:300]
    error = response.json().get("error", {})
    rows = " ".join(str(row["errors"]) for row in error.get("rows", []))
    return response.status_code == 201, f"{error.get('message', '')} {rows}"


def through_upload_page(client, alice, raw: bytes, capture) -> tuple[bool, str]:
    client.force_login(alice)
    upload = SimpleUploadedFile("assessments.csv", raw, content_type="text/csv")
    with capture(execute=True):
        response = client.post(reverse("indicators:imports:upload"), {"source": "csv", "file": upload})
    assert response.status_code == 302
    dataset_import = DatasetImport.objects.order_by("-pk").first()
    errors = " ".join(error["message"] for error in dataset_import.errors)
    return dataset_import.status == DatasetImport.Status.SUCCEEDED, f"{dataset_import.error_summary} {errors}"


def through_command(tmp_path, raw: bytes) -> tuple[bool, str]:
    path = tmp_path / "assessments.csv"
    path.write_bytes(raw)
    out = io.StringIO()
    try:
        call_command("import_data", "csv", str(path), stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return False, f"{exc} {out.getvalue()}"
    return True, out.getvalue()


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_path_accepts_or_refuses_the_file_alike(
    name, client, alice, country_a, tmp_path, django_capture_on_commit_callbacks
):
    """API, upload page and import_data agree on the file, and a refusal names the same problem on all three."""
    raw, expected = FILES[name]
    outcomes = {
        "api": through_api(alice, raw),
        "upload": through_upload_page(client, alice, raw, django_capture_on_commit_callbacks),
    }
    outcomes["command"] = through_command(tmp_path, raw)
    for path, (accepted, message) in outcomes.items():
        if expected is None:
            assert accepted, (path, message)
        else:
            assert not accepted, path
            assert expected in message, (path, message)


def test_a_latin_1_file_is_read_when_its_source_declares_latin_1():
    """The Political Terror Scale file is Latin-1; its accents come through, and as UTF-8 they would be refused."""
    raw = "Country,Year\nCôte d'Ivoire,2020\n".encode("latin-1")
    assert read_table(raw, encoding="latin-1")["Country"].tolist() == ["Côte d'Ivoire"]
    with pytest.raises(UnreadableFile) as refused:
        decode_text(raw, encoding="utf-8")
    assert refused.value.error.row == 2 and refused.value.error.column == "Country"


def test_a_nul_byte_in_the_header_is_refused_naming_the_column_without_it():
    """The refusal names row 1 and the column as a reader sees it; a NUL kept in the name could not be stored."""
    with pytest.raises(UnreadableFile) as refused:
        decode_text(b"iso3,indicator\x00,date\nQAA,1.1,2026-01-10\n", encoding="utf-8")
    assert (refused.value.error.row, refused.value.error.column) == (1, "indicator")


def test_a_gzip_body_to_the_api_is_a_400_not_a_500(alice, country_a):
    """A compressed body, even sent as Content-Encoding gzip, is refused with the reader's message."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=alice, name='gz').secret}")
    response = client.post(
        "/api/v1/assessments/bulk/",
        data=gzip.compress(GOOD.encode()),
        content_type="text/csv",
        HTTP_CONTENT_ENCODING="gzip",
    )
    assert response.status_code == 400
    assert "gzip-compressed" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=xyz", "multipart/form-data", "text/csv"],
)
def test_a_malformed_multipart_body_is_a_400_not_a_500(alice, country_a, content_type):
    """A multipart body with a wrong or missing boundary, or sent as text/csv, is refused clearly."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=alice, name='mp').secret}")
    body = (
        b'--abc\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n' + GOOD.encode() + b"--abc--"
    )
    response = client.post("/api/v1/assessments/bulk/", data=body, content_type=content_type)
    assert response.status_code == 400


def test_import_data_reports_an_unexpected_failure_as_a_message_not_a_traceback(tmp_path, monkeypatch, country_a):
    """Whatever goes wrong inside an import, the command ends with a CommandError naming it."""

    def broken(raw, context):
        raise RuntimeError("the disk vanished")

    monkeypatch.setitem(PARSERS, "csv", broken)
    path = tmp_path / "assessments.csv"
    path.write_bytes(GOOD.encode())
    with pytest.raises(CommandError, match="The import stopped: RuntimeError: the disk vanished"):
        call_command("import_data", "csv", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert DatasetImport.objects.get().status == DatasetImport.Status.FAILED
