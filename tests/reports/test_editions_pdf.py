"""The two editions as rendered PDFs, read back with pdftotext: what each shows, and the marking on every page.

These are the only tests that render the report to Parliament with WeasyPrint (two small PDFs); their first pages
are saved under test-artifacts/reports/ for a person to look at.
"""

import subprocess

import pytest

from reports import services
from tests.reports.conftest import (
    INTERNAL_STRINGS,
    NEVER_IN_ANY_EDITION,
    RATIONALE,
    pdf_pages_text,
    save_first_page_png,
)

pytestmark = pytest.mark.django_db


def _flat(pages: list[str]) -> str:
    """The pages' text with line breaks and layout spacing collapsed, so a wrapped phrase still matches."""
    return " ".join(" ".join(pages).split())


def test_the_public_edition_never_shows_drafts_names_or_internal_evidence_and_the_internal_one_does(
    quarter, fiona, tmp_path
):
    """Public text lacks every internal string and the draft case; internal text has each internal string; both
    carry the declaration's rationale; the internal edition is OFFICIAL-SENSITIVE on every page."""
    public = services.report_generate(period="2026-Q3", edition="public", user=fiona)
    internal = services.report_generate(period="2026-Q3", edition="internal", user=fiona)
    public_pages = pdf_pages_text(bytes(public.pdf), tmp_path, "public")
    internal_pages = pdf_pages_text(bytes(internal.pdf), tmp_path, "internal")
    save_first_page_png(bytes(public.pdf), "report-2026-Q3-public")
    save_first_page_png(bytes(internal.pdf), "report-2026-Q3-internal")
    public_text, internal_text = _flat(public_pages), _flat(internal_pages)

    leaked = {what: text for what, text in {**INTERNAL_STRINGS, **NEVER_IN_ANY_EDITION}.items() if text in public_text}
    assert leaked == {}
    missing = {what: text for what, text in INTERNAL_STRINGS.items() if text not in internal_text}
    assert missing == {}
    assert NEVER_IN_ANY_EDITION["draft escalation"] not in internal_text
    assert RATIONALE in public_text and RATIONALE in internal_text

    assert len(internal_pages) == internal.page_count >= 2
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in internal_pages)
    assert all("OFFICIAL" in page and "SENSITIVE" not in page for page in public_pages)
    assert all(f"Page {n} of {len(public_pages)}" in page for n, page in enumerate(public_pages, start=1))
    assert "Public edition" in public_pages[0] and "Internal edition" in internal_pages[0]

    # Every font is embedded (the vendored one), so the PDF reads the same on a machine without it.
    path = tmp_path / "public.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" and "Report-Sans" in line for line in fonts)
