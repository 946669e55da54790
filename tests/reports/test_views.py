"""The reports page and its steps for each role, downloads with checksums, and the command line.

Personas: alice analyst, victor viewer, fiona Focal Point, ada administrator. The PDF step is replaced by fixed bytes
(fast_pdf) except where a test says otherwise."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from reports import services
from reports.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]


@pytest.fixture
def draft(fiona):
    return services.report_generate(period="2026-Q3", edition="internal", user=fiona)


@pytest.fixture
def published(fiona):
    report = services.report_generate(period="2026-Q2", edition="public", user=fiona)
    services.report_approve(report=report, user=fiona)
    return services.report_publish(report=report, user=fiona)


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("victor", 403), ("fiona", 302), ("ada", 302)])
def test_only_the_focal_point_and_administrators_generate_from_the_page(client, personas, persona, status):
    """A POST to generate queues a report for preparers and is refused (403) for everyone else."""
    client.force_login(personas[persona])
    response = client.post(reverse("reports:report_generate"), {"period": "2026-Q3", "edition": "public"})
    assert response.status_code == status
    assert Report.objects.filter(period="2026-Q3").exists() is (status == 302)


def test_generating_from_the_page_queues_the_build_and_the_worker_drafts_it(
    client, fiona, django_capture_on_commit_callbacks
):
    """The page records the request, the task (eager here) generates it, and the detail page shows the draft."""
    client.force_login(fiona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_generate"), {"period": "2026-q3", "edition": "internal"})
    report = Report.objects.get(period="2026-Q3")
    assert response.url == reverse("reports:report_detail", args=[report.pk])
    assert report.status == "draft"
    page = client.get(response.url)
    assert b"Approve for publication" in page.content and report.pdf_sha256.encode() in page.content


def test_a_bad_period_is_refused_on_the_page_with_what_is_accepted(client, fiona):
    """The form says which periods exist; nothing is queued."""
    client.force_login(fiona)
    response = client.post(reverse("reports:report_generate"), {"period": "Q3", "edition": "public"})
    assert response.status_code == 400
    assert b"2026-Q3" in response.content and not Report.objects.exists()


def test_viewers_and_analysts_see_published_reports_but_not_drafts(client, alice, victor, draft, published):
    """The list shows readers only published reports; a draft's page, PDF and HTML answer 404 to them."""
    for user in (alice, victor):
        client.force_login(user)
        listing = client.get(reverse("reports:report_list"))
        assert listing.status_code == 200
        assert reverse("reports:report_detail", args=[published.pk]).encode() in listing.content
        assert reverse("reports:report_detail", args=[draft.pk]).encode() not in listing.content
        assert b"Generate a draft" not in listing.content
        for name in ("report_detail", "report_pdf", "report_html"):
            assert client.get(reverse(f"reports:{name}", args=[draft.pk])).status_code == 404
        assert client.get(reverse("reports:report_pdf", args=[published.pk])).status_code == 200


def test_the_pdf_download_carries_its_checksum_and_a_tampered_file_is_not_served(client, fiona, draft):
    """The PDF is served with its SHA-256; after the stored bytes change it answers 409 instead."""
    client.force_login(fiona)
    response = client.get(reverse("reports:report_pdf", args=[draft.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Checksum-SHA256"] == draft.pdf_sha256
    assert response.content == bytes(draft.pdf)
    Report.objects.filter(pk=draft.pk).update(pdf=b"%PDF tampered")
    assert client.get(reverse("reports:report_pdf", args=[draft.pk])).status_code == 409


@pytest.mark.parametrize(("persona", "status"), [("ada", 403), ("victor", 403), ("alice", 403), ("fiona", 302)])
def test_only_the_focal_point_approves_from_the_page(client, personas, draft, persona, status):
    """The approve step answers 403 to everyone but the Focal Point."""
    client.force_login(personas[persona])
    response = client.post(reverse("reports:report_approve", args=[draft.pk]))
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == ("approved" if status == 302 else "draft")


def test_an_administrator_publishes_an_approved_report_and_then_only_a_correction_is_offered(client, ada, fiona, draft):
    """After publication the page offers a correction, not approval or publication."""
    services.report_approve(report=draft, user=fiona)
    client.force_login(ada)
    client.post(reverse("reports:report_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "published"
    page = client.get(reverse("reports:report_detail", args=[draft.pk]))
    assert page.status_code == 200
    assert b"Issue a correction" in page.content and b"Publish</button>" not in page.content


def test_a_correction_from_the_page_links_both_ways(client, fiona, published, django_capture_on_commit_callbacks):
    """The correction's page names the version it corrects; the original's page links to its correction."""
    client.force_login(fiona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report_correct", args=[published.pk]), {"note": "A date in section 4 was wrong."}
        )
    correction = Report.objects.get(replaces=published)
    assert response.url == reverse("reports:report_detail", args=[correction.pk])
    page = client.get(response.url).content.decode()
    assert "This version corrects" in page and reverse("reports:report_detail", args=[published.pk]) in page
    original = client.get(reverse("reports:report_detail", args=[published.pk])).content.decode()
    assert reverse("reports:report_detail", args=[correction.pk]) in original


def test_the_command_drafts_a_report_writes_it_and_prints_its_timings(tmp_path, capsys, db):
    """report_generate stores a draft, writes the PDF and HTML to --out and prints pages, checksum and seconds."""
    out = tmp_path / "q3" / "report.pdf"
    call_command("report_generate", "--period", "2026-Q3", "--edition", "public", "--out", str(out))
    printed = capsys.readouterr().out
    report = Report.objects.get(period="2026-Q3", edition="public")
    assert report.trigger == "command" and report.status == "draft"
    assert out.read_bytes() == bytes(report.pdf) and out.with_suffix(".html").read_text() == report.html
    assert f"sha256={report.pdf_sha256}" in printed and "generation_seconds=" in printed


def test_the_reports_list_asks_the_database_a_fixed_number_of_times(client, fiona, django_assert_max_num_queries):
    """However many reports exist, the list page reads them in one query, without their stored files."""
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        services.report_generate(period=period, edition="public", user=fiona)
    client.force_login(fiona)
    with django_assert_max_num_queries(8) as captured:
        response = client.get(reverse("reports:report_list"))
    assert response.status_code == 200
    report_reads = [q["sql"] for q in captured.captured_queries if 'FROM "reports_report"' in q["sql"]]
    assert len(report_reads) == 1 and '"pdf"' not in report_reads[0]


def report_page(client, report) -> str:
    response = client.get(reverse("reports:report_detail", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_refused_correction_keeps_the_note_once(client, fiona, published):
    """A later version was published meanwhile: the correction is refused with the reason, and the note the user
    wrote is given back on the report's page (its form is gone, so as text to copy), once."""
    later = services.report_build(
        report_id=services.report_correct(original=published, user=fiona, note="Typo in section 2.").pk
    )
    services.report_approve(report=later, user=fiona)
    services.report_publish(report=later, user=fiona)
    client.force_login(fiona)
    note = "Table 3 counted the Kassala case twice."
    response = client.post(reverse("reports:report_correct", args=[published.pk]), {"note": note})
    assert response.status_code == 302
    page = report_page(client, published)
    assert "Only the latest published version of a report can be corrected." in page
    assert f'aria-label="Your correction note, not saved">{note}</textarea>' in page
    assert note not in report_page(client, published)
    assert Report.objects.filter(correction_note=note).count() == 0


def test_a_correction_refused_by_a_version_clash_reopens_the_form_with_the_note(client, fiona, published, monkeypatch):
    """Two requests clashing on the version twice is refused with a message, not a server error, and the correction
    form comes back with the note in it."""

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr("reports.services.report_correct", clash)
    client.force_login(fiona)
    note = "A date in section 4 was wrong."
    response = client.post(reverse("reports:report_correct", args=[published.pk]), {"note": note})
    assert response.status_code == 302
    page = report_page(client, published)
    assert "requested at the same moment" in page
    assert f"{note}</textarea>" in page and "Issue a correction" in page
    assert "not saved" not in page
