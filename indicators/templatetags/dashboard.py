"""Small presentation tags for the dashboards: band badges, change arrows, scores and coverage."""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.bands import BAND_LABELS

register = template.Library()
# Shown instead of a band when a score rests on less evidence than the methodology's minimum.
INSUFFICIENT = "insufficient"


@register.simple_tag
def band_badge(band: str | None):
    """A colour-blind-safe band badge that always carries its name."""
    if not band:
        return format_html('<span class="band band-none">Not scored</span>')
    if band == INSUFFICIENT:
        return format_html(
            '<span class="band band-insufficient" title="{}">{}</span>',
            "Too little recent evidence to band this score",
            "Insufficient data",
        )
    return format_html('<span class="band band-{}">{}</span>', band, BAND_LABELS.get(band, band))


@register.filter
def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


@register.simple_tag
def change(value: float | None, period: str = "3 months", new_data: bool = True):
    """An arrow with the signed change; a rise in risk reads as up, with the words for screen readers. Without new
    evidence over the period, "no new data" (the change then only reflects ageing evidence)."""
    if not new_data:
        title = f"No assessment observed in the last {period}; the score is carried forward"
        return format_html('<span class="change change-stale" title="{}">no new data</span>', title)
    if value is None:
        return format_html('<span class="change change-none" title="No score {} earlier">–</span>', period)
    if abs(value) < 0.05:
        return format_html('<span class="change change-flat" title="Unchanged over {}">→ 0.0</span>', period)
    direction, arrow, css = ("up", "▲", "change-up") if value > 0 else ("down", "▼", "change-down")
    return format_html(
        '<span class="change {}"><span aria-hidden="true">{} {}</span>'
        '<span class="visually-hidden">{} {} points over {}</span></span>',
        css,
        arrow,
        f"{value:+.1f}",
        direction,
        f"{abs(value):.1f}",
        period,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@register.simple_tag
def history_rows(history: list[dict]):
    """An indicator's assessment history as table rows, built in Python: the country page renders hundreds."""
    parts = []
    for row in history:
        evidence = f'<br><span class="muted">{escape(_shorten(row["evidence"], 140))}</span>' if row["evidence"] else ""
        parts.append(
            f'<tr><td class="nowrap">{row["observed_on"].isoformat()}</td>'
            f"<td>{row['severity']} · {escape(row['severity_label'])}</td><td>{escape(row['confidence_label'])}</td>"
            f"<td>{escape(row['source'])}{evidence}</td><td>{escape(row['recorded_by'])}</td></tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def country_options(countries, selected: str = ""):
    """<option> elements for a country picker, the selected ISO-3 code marked."""
    return mark_safe(  # noqa: S308 - codes and names are escaped
        "".join(
            f'<option value="{escape(c.iso3)}"{" selected" if c.iso3 == selected else ""}>{escape(c.name)}</option>'
            for c in countries
        )
    )


@register.filter
def shorten(text: str, limit: int) -> str:
    """Cut text to `limit` characters with an ellipsis (cheaper than truncatechars on long pages)."""
    return _shorten(text or "", int(limit))


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _count(value: int) -> str:
    return f'<span class="count-pill">{value}</span>' if value else '<span class="muted">0</span>'


def _extra_cell(value) -> str:
    """An added column's cell: a count as a pill, a measure (a float, e.g. a probability in %) to one decimal, and
    no figure as a dash, never as a zero."""
    if value is None:
        return '<span class="muted" title="No figure">–</span>'
    if isinstance(value, float):
        return f"{value:.1f}"
    return _count(value)


@register.simple_tag
def ranking_rows(scores, score_column: str):
    """The overview's ranked rows, built in Python: ~200 rows of 13 cells through the template engine cost 100+ ms."""
    url_template = reverse("indicators:country_detail", args=["ISO"])
    columns = ("overall", "genocide", "crimes_against_humanity", "war_crimes")
    parts = []
    for rank, s in enumerate(scores, start=1):
        country = s.country
        url = url_template.replace("ISO", escape(country.iso3))
        cells = "".join(
            f'<td class="num{" focus" if column == score_column else ""}">{_score(getattr(s, column))}</td>'
            for column in columns
        )
        last = s.last_assessed.isoformat() if s.last_assessed else "–"
        extra = "".join(f'<td class="num">{_extra_cell(value)}</td>' for value in getattr(s, "extra", ()))
        flags = "".join(
            f' <span class="{escape(css)}">{escape(label)}</span>' for label, css in getattr(s, "flags", ())
        )
        # Scores with insufficient data come last (the filter sorts them apart) and carry no rank of their own.
        shown_rank = "–" if s.insufficient_data else rank
        parts.append(
            f'<tr><td class="num rank">{shown_rank}</td>'
            f'<th scope="row"><a href="{url}">{escape(country.name)}</a> '
            f'<span class="muted small">{escape(country.iso3)}</span>{flags}</th>'
            f"<td>{band_badge(s.focus_band)}</td>{cells}"
            f'<td class="num">{change(s.change_3m, "3 months", s.new_data_3m)}</td>'
            f'<td class="num">{change(s.change_12m, "12 months", s.new_data_12m)}</td>'
            f'<td class="num">{percent(s.coverage)}</td><td class="num">{confidence_text(s)}</td>'
            f'<td class="num nowrap">{last}</td>'
            f"{extra}</tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - names and codes are escaped, the rest are numbers and tags


@register.filter
def confidence_text(score) -> str:
    """A score's data confidence as "12 · low" (a dash for scores made by a methodology without one)."""
    if score is None or score.data_confidence is None:
        return "–"
    label = "insufficient" if score.insufficient_data else score.data_confidence_level
    return f"{score.data_confidence:.0f} · {label}"


@register.filter
def thousands(value: int | None) -> str:
    """12345 -> 12,345."""
    return "–" if value is None else f"{value:,}"
