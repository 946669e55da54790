"""HTML templates to print-ready HTML and A4 PDF (WeasyPrint), with the charts drawn as inline SVG.

The same template makes both outputs; only the stylesheet's address differs (a file URL for WeasyPrint, the static
URL for a browser). The stylesheet embeds the vendored DejaVu Sans Condensed, so the PDF carries its own fonts and
looks the same on any machine. WeasyPrint may read local files only: a report never fetches anything from a network.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import mark_safe

from reports import charts
from reports.editions import CLASSIFICATION, EDITIONS, INTERNAL, PUBLIC_RULE, content_for_edition

# WeasyPrint logs each rendering step at INFO; the report's own timings say what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

STYLESHEET = "reports/report.css"
BROWSER_STYLESHEET = "reports/browser.css"
WORLD_TOPOJSON = "vendor/topojson/world_110m.json"


@dataclass(frozen=True)
class Rendered:
    html: str
    pdf: bytes
    page_count: int


def _stylesheet_file_url() -> str:
    path = finders.find(STYLESHEET)
    if not path:
        raise FileNotFoundError(f"The report stylesheet {STYLESHEET} is missing from the static files.")
    return Path(path).resolve().as_uri()


@functools.lru_cache(maxsize=1)
def world_shapes() -> dict:
    """The world's country outlines, decoded once per process."""
    path = finders.find(WORLD_TOPOJSON)
    if not path:
        return {}
    with open(path, encoding="utf-8") as handle:
        return charts.topojson_shapes(json.load(handle))


def pdf_from_html(html: str) -> tuple[bytes, int]:
    """An A4 PDF of print-ready HTML whose stylesheet is a local file, and its number of pages."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Local files only (the stylesheet and its fonts), and a missing one stops the rendering rather than falling
    # back to whatever fonts the machine has.
    fetcher = URLFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)
    document = HTML(string=html, base_url=_stylesheet_file_url(), url_fetcher=fetcher).render()
    return document.write_pdf(), len(document.pages)


def _document(template: str, context: dict, *, with_pdf: bool) -> Rendered:
    html_page = render_to_string(
        template, {**context, "stylesheet": static(STYLESHEET), "browser_stylesheet": static(BROWSER_STYLESHEET)}
    )
    if not with_pdf:
        return Rendered(html=html_page, pdf=b"", page_count=0)
    html_print = render_to_string(template, {**context, "stylesheet": _stylesheet_file_url()})
    pdf, pages = pdf_from_html(html_print)
    return Rendered(html=html_page, pdf=pdf, page_count=pages)


def report_render(
    *,
    content: dict,
    edition: str,
    version: int,
    generated_at: dt.datetime,
    correction: dict | None = None,
    with_pdf: bool = True,
) -> Rendered:
    """Render one edition of the report to Parliament from its content (the edition rule is applied here)."""
    shown = content_for_edition(content, edition)
    risk = shown["risk"]
    title = f"Atrocity prevention: report to Parliament, {content['period']['code']}"
    context = {
        "title": title,
        "c": shown,
        "edition": edition,
        "edition_label": EDITIONS[edition],
        "classification": CLASSIFICATION[edition],
        "internal": edition == INTERNAL,
        "version": version,
        "generated_at": generated_at,
        "correction": correction,
        "public_rule": PUBLIC_RULE,
        # The stored HTML is served beside its PDF (/reports/<id>/report.html and report.pdf).
        "toolbar": [("Open the PDF", "report.pdf")],
        "map_svg": mark_safe(  # noqa: S308 - built by reports.charts, which escapes every text it writes
            charts.world_map_svg(
                shapes=world_shapes(),
                bands=risk.get("map_bands", {}),
                title=f"World map of countries by risk band, {risk['month']:%B %Y}" if risk.get("month") else title,
            )
        )
        if risk.get("map_bands")
        else None,
        "band_bar_svg": mark_safe(  # noqa: S308 - built by reports.charts
            charts.band_bar_svg(counts=risk.get("band_counts", {}), title="Countries in each band")
        )
        if risk.get("band_counts")
        else None,
    }
    return _document("reports/document/report.html", context, with_pdf=with_pdf)


def brief_render(*, content: dict, with_pdf: bool, toolbar: list[tuple[str, str]] = ()) -> Rendered:
    """Render a country brief; it is an internal document (OFFICIAL-SENSITIVE)."""
    country = content["country"]
    score = content["score"]
    context = {
        "title": f"Country brief: {country['name']}",
        "c": content,
        "edition_label": "Country brief",
        "toolbar": toolbar,
        "classification": CLASSIFICATION[INTERNAL],
        "internal": True,
        "generated_at": timezone.now(),
        "trend_svg": mark_safe(  # noqa: S308 - built by reports.charts
            charts.trend_svg(
                points=content["trend"],
                thresholds=content["thresholds"],
                title=f"{country['name']}: overall score by month",
            )
        )
        if score
        else None,
    }
    return _document("reports/document/brief.html", context, with_pdf=with_pdf)


def warm_up() -> int:
    """Load WeasyPrint and the report fonts by rendering one short page; returns its page count. A web worker calls
    it at start (gunicorn.conf.py) so the first brief a user asks for does not pay the seconds of loading."""
    html = render_to_string(
        "reports/document/base.html",
        {
            "title": "Warm-up",
            "classification": CLASSIFICATION[INTERNAL],
            "edition_label": "Warm-up",
            "internal": True,
            "generated_at": timezone.now(),
            "stylesheet": _stylesheet_file_url(),
        },
    )
    return pdf_from_html(html)[1]
