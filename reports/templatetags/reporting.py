"""Number and date formats for report and brief documents."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from core.bands import BAND_LABELS
from indicators.templatetags.dashboard import percent, score

register = template.Library()

# Scores and shares read as they do on the dashboards: one decimal, whole percentages, a dash when missing.
register.filter("num", score)
register.filter("pct", percent)


@register.filter
def signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


@register.filter
def hours(value: float | None) -> str:
    """Elapsed hours in the unit a reader expects: hours under two days, days above."""
    if value is None:
        return "–"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


@register.simple_tag
def band(key: str | None):
    """A band badge that carries its name as well as its colour."""
    if not key:
        return format_html('<span class="band band-none">Not scored</span>')
    return format_html('<span class="band band-{}">{}</span>', key, BAND_LABELS.get(key, "Insufficient data"))
