"""Small presentation tags for the dashboards: band badges, change arrows, scores and coverage."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()

BAND_LABELS = {"low": "Low", "moderate": "Moderate", "high": "High", "very_high": "Very high"}


@register.simple_tag
def band_badge(band: str | None):
    """A colour-blind-safe band badge that always carries its name."""
    if not band:
        return format_html('<span class="band band-none">Not scored</span>')
    return format_html('<span class="band band-{}">{}</span>', band, BAND_LABELS.get(band, band))


@register.filter
def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


@register.filter
def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


@register.simple_tag
def change(value: float | None, period: str = "3 months"):
    """An arrow with the signed change; a rise in risk reads as up, with the words for screen readers."""
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
