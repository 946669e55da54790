"""The one-click country brief: what it says, whom it shows what, and its PDF (one rendering, saved as a PNG)."""

import datetime as dt

import pytest
from django.urls import reverse

from reports.selectors import country_brief
from tests.alerts.factories import CountryScoreFactory
from tests.reports.conftest import (
    ACTION_OWNER,
    ASSESSMENT_EVIDENCE,
    NEVER_IN_ANY_EDITION,
    RATIONALE,
    pdf_pages_text,
    save_first_page_png,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(quarter, country_a):
    """Alphaland also has its latest month scored (the quarter's own scores end in September)."""
    CountryScoreFactory(country=country_a, month=dt.date(2026, 10, 1), overall=82.0, change_3m=27.0)
    return quarter


def test_the_brief_holds_band_score_drivers_evidence_alerts_cases_and_actions(scored, country_a, fiona):
    """Everything a minister is handed, from the database, as the Focal Point reads it."""
    brief = country_brief(country=country_a, viewer=fiona)
    assert (brief["score"]["overall"], brief["score"]["band"], brief["score"]["month"]) == (
        82.0,
        "very_high",
        dt.date(2026, 10, 1),
    )
    assert brief["drivers"][0].startswith("The overall score of 82 (very high) is the genocide score")
    assert [point[1] for point in brief["trend"]] == [55.0, 80.0, 82.0]
    (evidence,) = brief["evidence"]
    assert (evidence["source"], evidence["kind"], evidence["evidence"]) == (
        "Embassy reporting",
        "Desk assessment",
        ASSESSMENT_EVIDENCE,
    )
    assert [(e["state"], e["rationale"]) for e in brief["escalations"]] == [("Imminent risk declared", RATIONALE)]
    assert {(a["tool"], a["status"]) for a in brief["actions"]} == {
        ("Targeted sanctions", "In progress"),
        ("Diplomatic engagement", "Done"),
    }
    assert [t["aia"] for t in brief["triggers"]] == ["Completed"]
    assert brief["forecast"] is None and brief["network"] is None


def test_the_brief_never_shows_a_draft_even_to_the_analyst_who_wrote_it(quarter, country_b, bob):
    """Drafts are working notes: the brief for Betaland lists the submitted case only."""
    brief = country_brief(country=country_b, viewer=bob)
    assert [e["state"] for e in brief["escalations"]] == ["Submitted"]
    assert NEVER_IN_ANY_EDITION["draft escalation"] not in repr(brief)


def test_every_role_opens_the_print_ready_brief_and_it_keeps_band_colours_without_navigation(client, scored, victor):
    """The HTML brief is a standalone document: marked OFFICIAL-SENSITIVE, no site navigation, band badge kept,
    with a link to its PDF."""
    client.force_login(victor)
    response = client.get(reverse("reports:country_brief", args=["qaa"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "OFFICIAL-SENSITIVE" in html and 'class="band band-very_high"' in html
    assert 'class="topbar"' not in html and "Sign out" not in html
    assert f'href="{reverse("reports:country_brief_pdf", args=["QAA"])}"' in html
    assert "<svg" in html and "reports/report.css" in html


def test_the_brief_pdf_is_a4_marked_on_every_page(client, scored, fiona, tmp_path):
    """The PDF brief names the country, its band and the declaration, with the marking and page numbers on each
    page; its first page is saved for review."""
    client.force_login(fiona)
    response = client.get(reverse("reports:country_brief_pdf", args=["QAA"]))
    assert response["Content-Type"] == "application/pdf"
    save_first_page_png(response.content, "brief-QAA")
    pages = pdf_pages_text(response.content, tmp_path, "brief")
    text = " ".join(" ".join(pages).split())
    assert "Alphaland" in text and "Very high" in text and RATIONALE in text and ACTION_OWNER in text
    assert all("OFFICIAL-SENSITIVE" in page and f"of {len(pages)}" in page for page in pages)


def test_an_unknown_country_has_no_brief(client, fiona):
    """A code that names no country answers 404."""
    client.force_login(fiona)
    assert client.get(reverse("reports:country_brief", args=["XXX"])).status_code == 404
