"""The reports API: readers list published reports, preparers also drafts; the PDF comes with its checksum."""

import pytest
from django.urls import reverse

from reports import services
from reports.models import Report

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdf")]


@pytest.fixture
def reports(fiona):
    draft = services.report_generate(period="2026-Q3", edition="internal", user=fiona)
    published = services.report_generate(period="2026-Q2", edition="public", user=fiona)
    services.report_approve(report=published, user=fiona)
    services.report_publish(report=published, user=fiona)
    return {"draft": draft, "published": published}


def test_a_viewer_lists_only_published_reports_and_cannot_open_a_draft(client, victor, reports):
    """Drafts are not listed for readers and answer 404, in the API's error shape."""
    client.force_login(victor)
    listing = client.get(reverse("report-list")).json()
    assert [row["id"] for row in listing["results"]] == [reports["published"].pk]
    assert listing["results"][0]["classification"] == "OFFICIAL"
    assert client.get(reverse("report-detail", args=[reports["draft"].pk])).status_code == 404


def test_the_focal_point_lists_drafts_too(client, fiona, reports):
    """Preparers see every report, each with its status and checksums."""
    client.force_login(fiona)
    rows = {row["id"]: row for row in client.get(reverse("report-list")).json()["results"]}
    assert rows[reports["draft"].pk]["status"] == "draft"
    assert rows[reports["draft"].pk]["pdf_sha256"] == reports["draft"].pdf_sha256


def test_the_pdf_endpoint_serves_the_stored_file_with_its_checksum_and_refuses_a_tampered_one(client, victor, reports):
    """The bytes are the stored ones and the header carries their SHA-256; changed bytes answer 409."""
    client.force_login(victor)
    published = reports["published"]
    url = client.get(reverse("report-detail", args=[published.pk])).json()["pdf_url"]
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == bytes(published.pdf) and response["X-Checksum-SHA256"] == published.pdf_sha256
    draft = reports["draft"]
    Report.objects.filter(pk=draft.pk).update(pdf=b"%PDF tampered")
    client.force_login(reports["draft"].requested_by)
    assert client.get(reverse("report-pdf", args=[draft.pk])).status_code == 409


def test_a_public_reports_stored_content_holds_only_what_the_public_edition_shows(reports, quarter, fiona):
    """The record of a public edition keeps the public content only, so no endpoint can leak internal data."""
    public = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    assert "raised_by" not in public.content["declarations"][0]
    assert public.content["declarations"][0]["rationale"]


@pytest.mark.parametrize("accept", ["*/*", "application/pdf"])
def test_a_missing_reports_pdf_answers_404_in_json_whatever_the_client_accepts(client, victor, accept):
    """Errors of the PDF endpoint keep the API's JSON error shape and say so in their Content-Type."""
    client.force_login(victor)
    response = client.get(reverse("report-pdf", args=[0]), HTTP_ACCEPT=accept)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and "error" in response.json()
