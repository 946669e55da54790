"""Plotly figure specs for the dashboards, built as plain dicts (pure: rows in, spec out, no ORM).

Pages put each spec in a <script type="application/json"> element and static/js/charts.js draws it, so no page
carries inline code and plotly.js loads once from static.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from plotly.utils import PlotlyJSONEncoder

from core.bands import BAND_LABELS

TOPOJSON_URL = "/static/vendor/topojson/"
TOPOJSON_NAME = "world_110m"  # plotly's name for the 1:110m world shapes of a "natural earth" projection
TOPOJSON_STATIC_PATH = f"vendor/topojson/{TOPOJSON_NAME}.json"
BAND_COLOURS = {"low": "#fff7bc", "moderate": "#fec44f", "high": "#ec7014", "very_high": "#8c2d04"}
# Okabe-Ito: distinguishable with the common colour-vision deficiencies; dashes tell the lines apart too.
SERIES_COLOURS = ("#1b1f24", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif", "size": 13}
# The mode bar offers local actions only, listed explicitly: plotly's defaults include buttons and links that talk
# to plotly's cloud ("Edit in Chart Studio", "Produced with plotly"), and nothing here may send data off the machine.
_OFFLINE = {
    "displaylogo": False,
    "responsive": True,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showTips": False,
    "plotlyServerURL": "",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
CONFIG = {**_OFFLINE, "modeBarButtons": [["zoom2d", "zoomIn2d", "zoomOut2d", "resetScale2d", "toImage"]]}
MAP_CONFIG = {**_OFFLINE, "modeBarButtons": [["zoomInGeo", "zoomOutGeo", "resetGeo", "toImage"]]}


# The characters that could end a <script> element or open a comment in it, as JSON escapes (what json_script does).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def spec_to_json(spec: Mapping) -> str:
    """Serialise a figure spec, keeping its config (plotly.io.to_json would drop it); <, > and & are escaped so the
    text can never close the <script> element that holds it, whatever a country or series name contains."""
    return json.dumps(spec, cls=PlotlyJSONEncoder, separators=(",", ":")).translate(_SCRIPT_ESCAPES)


def spec_script(spec: Mapping, element_id: str) -> SafeString:
    """The figure spec as a <script type="application/json"> element: Django's json_script, with the same escapes,
    but compact JSON and the Plotly encoder (numpy values, dates)."""
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(spec_to_json(spec)))


def _band_stops(thresholds: Mapping) -> list[tuple[float, float, str]]:
    edges = [0.0, float(thresholds["moderate"]), float(thresholds["high"]), float(thresholds["very_high"]), 100.0]
    return [(edges[i], edges[i + 1], band) for i, band in enumerate(BAND_COLOURS)]


FLAG_OUTLINE = "#5a0b0d"


def world_map_spec(
    *,
    rows: Iterable[Mapping],
    thresholds: Mapping,
    score_label: str,
    topojson_url: str | None = None,
    flagged: Iterable[Mapping] = (),
) -> dict:
    """A choropleth of one score per country in discrete band colours, with band names on the colour bar.

    `topojson_url` is the country shapes' hashed static URL: charts.js loads it into plotly's geo assets, so the
    browser caches it for good instead of revalidating plotly's fixed `<topojsonURL>/world_110m.json` each visit.
    """
    rows = [row for row in rows if row["score"] is not None]
    colourscale = []
    for low, high, band in _band_stops(thresholds):
        colourscale += [[low / 100, BAND_COLOURS[band]], [high / 100, BAND_COLOURS[band]]]
    midpoints = [(low + high) / 2 for low, high, _ in _band_stops(thresholds)]
    trace = {
        "type": "choropleth",
        "locationmode": "ISO-3",
        "locations": [row["iso3"] for row in rows],
        "z": [round(row["score"], 1) for row in rows],
        "text": [row["name"] for row in rows],
        "customdata": [BAND_LABELS.get(row["band"], "") for row in rows],
        "zmin": 0,
        "zmax": 100,
        "colorscale": colourscale,
        "marker": {"line": {"color": "#ffffff", "width": 0.5}},
        "hovertemplate": "<b>%{text}</b><br>" + score_label + ": %{z:.1f}<br>Band: %{customdata}<extra></extra>",
        "colorbar": {
            "title": {"text": score_label, "side": "top"},
            "tickvals": midpoints,
            "ticktext": [BAND_LABELS[band] for band in BAND_COLOURS],
            "ticks": "",
            "thickness": 14,
            "len": 0.8,
        },
    }
    return _map_figure([trace], flagged=flagged, topojson_url=topojson_url)


MAP_VALUE_COLOURS = [[0.0, "#f2f0f7"], [0.5, "#9e9ac8"], [1.0, "#3f007d"]]  # ColorBrewer Purples: not a band


def value_map_spec(
    *,
    rows: Iterable[Mapping],
    label: str,
    suffix: str = "",
    topojson_url: str | None = None,
    flagged: Iterable[Mapping] = (),
) -> dict:
    """A choropleth of any other figure per country (rows of iso3, name, value) on a continuous scale from zero to
    the highest value, in purples so it is never read as a Framework band."""
    rows = [row for row in rows if row["value"] is not None]
    highest = max((float(row["value"]) for row in rows), default=0.0)
    trace = {
        "type": "choropleth",
        "locationmode": "ISO-3",
        "locations": [row["iso3"] for row in rows],
        "z": [row["value"] for row in rows],
        "text": [row["name"] for row in rows],
        "zmin": 0,
        "zmax": highest or 1,
        "colorscale": MAP_VALUE_COLOURS,
        "marker": {"line": {"color": "#ffffff", "width": 0.5}},
        "hovertemplate": "<b>%{text}</b><br>" + label + ": %{z:.1f}" + suffix + "<extra></extra>",
        "colorbar": {
            "title": {"text": label + (f" ({suffix.strip()})" if suffix.strip() else ""), "side": "top"},
            "ticks": "",
            "thickness": 14,
            "len": 0.8,
        },
    }
    return _map_figure([trace], flagged=flagged, topojson_url=topojson_url)


def _map_figure(data: list[dict], *, flagged: Iterable[Mapping], topojson_url: str | None) -> dict:
    """The world map's layout and config around its traces, with flagged countries outlined over them."""
    layout = {
        "geo": {
            "projection": {"type": "natural earth"},
            "showframe": False,
            "showcoastlines": False,
            "showland": True,
            "landcolor": "#e3e6ea",
            "showcountries": True,
            "countrycolor": "#ffffff",
            "lataxis": {"range": [-58, 85]},
            "bgcolor": "rgba(0,0,0,0)",
        },
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "autosize": True,
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
    }
    flagged = list(flagged)
    if flagged:
        # Flagged countries (a declaration of imminent risk) get a thick dark outline over their colour, named
        # in the hover and the legend, so the state stands out without relying on colour alone.
        data = [
            *data,
            {
                "type": "choropleth",
                "locationmode": "ISO-3",
                "locations": [row["iso3"] for row in flagged],
                "z": [1] * len(flagged),
                "text": [f"{row['name']}: {row['label']}" for row in flagged],
                "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                "showscale": False,
                "marker": {"line": {"color": FLAG_OUTLINE, "width": 3}},
                "hovertemplate": "<b>%{text}</b><extra></extra>",
                "name": flagged[0]["label"],
                "showlegend": True,
            },
        ]
        layout["legend"] = {"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": FLAG_OUTLINE}
    spec = {"data": data, "layout": layout, "config": {**MAP_CONFIG, "topojsonURL": TOPOJSON_URL}}
    if topojson_url:
        spec["topojson"] = {"name": TOPOJSON_NAME, "url": topojson_url}
    return spec


def _band_shapes(thresholds: Mapping) -> list[dict]:
    return [
        {
            "type": "rect",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": low,
            "y1": high,
            "fillcolor": BAND_COLOURS[band],
            "opacity": 0.18,
            "line": {"width": 0},
            "layer": "below",
        }
        for low, high, band in _band_stops(thresholds)
    ]


def _time_layout(*, thresholds: Mapping, height: int) -> dict:
    return {
        "height": height,
        "margin": {"l": 48, "r": 16, "t": 40, "b": 40},
        "font": FONT,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "#ffffff",
        "yaxis": {"range": [0, 100], "title": {"text": "Score (0-100)"}, "gridcolor": "#eef1f4", "fixedrange": True},
        "xaxis": {
            "type": "date",
            "gridcolor": "#eef1f4",
            "rangeselector": {
                "buttons": [
                    {"count": 3, "label": "3 years", "step": "year", "stepmode": "backward"},
                    {"count": 10, "label": "10 years", "step": "year", "stepmode": "backward"},
                    {"count": 30, "label": "30 years", "step": "year", "stepmode": "backward"},
                    {"label": "All", "step": "all"},
                ],
                "x": 0,
                "y": 1.02,
                "yanchor": "bottom",
                "bgcolor": "#eef1f4",
                "activecolor": "#c9d6e3",
            },
        },
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "x unified",
        "shapes": _band_shapes(thresholds),
        "annotations": [],
    }


RECENT_MONTHS = 120


def _recent_range(months: list[str]) -> list[str] | None:
    """Open long histories (decades of imported data) on the last ten years; the range buttons show the rest."""
    return [months[-RECENT_MONTHS], months[-1]] if len(months) > RECENT_MONTHS else None


# A month's score is "carried forward" when no assessment observed in the last 12 months counts in it.
CARRIED_FORWARD_MONTHS = 12


def _carried_forward(row: Mapping) -> bool:
    evidence = row.get("latest_evidence_on")
    if evidence is None:
        return False  # a score without freshness tracking (methodology v1)
    month = row["month"]
    return (month.year - evidence.year) * 12 + month.month - evidence.month >= CARRIED_FORWARD_MONTHS


def _carried_trace(history: list[Mapping], months: list[str], column: str) -> dict | None:
    """The first series again, only on carried-forward months (and the month before each stretch, so it joins)."""
    flags = [_carried_forward(row) for row in history]
    if not any(flags):
        return None
    shown = [flag or (index + 1 < len(flags) and flags[index + 1]) for index, flag in enumerate(flags)]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": f"Carried forward (no new data for {CARRIED_FORWARD_MONTHS} months)",
        "x": months,
        "y": [
            None if not keep or row[column] is None else round(row[column], 1)
            for keep, row in zip(shown, history, strict=True)
        ],
        "line": {"color": "#5b6570", "dash": "dot", "width": 3},
        "hovertemplate": "%{y:.1f} (no new data)",
        "connectgaps": False,
    }


def _source_end_marks(layout: dict, source_ends: list[tuple[dt.date, str]], *, labels_low: bool = False) -> None:
    """A labelled vertical line where each source's data for the country ends (sources ending together share one).
    The labels sit at the top of the plot, or at its bottom when `labels_low` (the scores run high), so their boxes
    do not hide the lines."""
    by_day: dict[dt.date, list[str]] = {}
    for day, label in source_ends:
        by_day.setdefault(day, []).append(label)
    for index, (day, labels) in enumerate(sorted(by_day.items())):
        layout["shapes"].append(
            {
                "type": "line",
                "xref": "x",
                "x0": day.isoformat(),
                "x1": day.isoformat(),
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": "#0072B2", "width": 1, "dash": "dashdot"},
                "name": "source-end",
            }
        )
        layout["annotations"].append(
            {
                "x": day.isoformat(),
                "y": 0.02 + 0.07 * (index % 4) if labels_low else 0.98 - 0.07 * (index % 4),
                "yref": "paper",
                "yanchor": "bottom" if labels_low else "top",
                "text": f"{', '.join(sorted(labels))}: data end",
                "showarrow": False,
                "xanchor": "right",
                "font": {"size": 11, "color": "#0b4f7c"},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )


def trend_spec(
    *,
    history: list[Mapping],
    series: Mapping[str, str],
    thresholds: Mapping,
    method_changes: list[tuple[dt.date, str]],
    source_ends: list[tuple[dt.date, str]] = (),
) -> dict:
    """Monthly lines for each named score column, band zones shaded, methodology changes as labelled lines; where
    each source's data ends as labelled lines, and the first series' carried-forward months drawn dotted grey."""
    months = [row["month"].isoformat() for row in history]
    carried = [_carried_forward(row) for row in history]
    data = []
    for index, (column, label) in enumerate(series.items()):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers" if len(months) < 3 else "lines",
                "name": label,
                "x": months,
                # The first series stops where its months are carried forward; the grey dotted trace takes over.
                "y": [
                    None if row[column] is None or (index == 0 and flag) else round(row[column], 1)
                    for row, flag in zip(history, carried, strict=True)
                ],
                "line": {
                    "color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    "dash": SERIES_DASHES[index % len(SERIES_DASHES)],
                    "width": 3 if index == 0 else 2,
                },
                "hovertemplate": "%{y:.1f}",
            }
        )
    first_column = next(iter(series), None)
    if first_column is not None and (carried := _carried_trace(history, months, first_column)):
        data.append(carried)
    layout = _time_layout(thresholds=thresholds, height=360)
    if recent := _recent_range(months):
        layout["xaxis"]["range"] = recent
    first_values = [row[first_column] for row in history if first_column and row[first_column] is not None]
    runs_high = bool(first_values) and sorted(first_values)[len(first_values) // 2] >= 50
    _source_end_marks(layout, list(source_ends), labels_low=runs_high)
    for changed_on, label in method_changes:
        layout["shapes"].append(
            {
                "type": "line",
                "xref": "x",
                "x0": changed_on.isoformat(),
                "x1": changed_on.isoformat(),
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": "#5b6570", "width": 1.5, "dash": "dot"},
            }
        )
        layout["annotations"].append(
            {
                "x": changed_on.isoformat(),
                "y": 1,
                "yref": "paper",
                "text": label,
                "showarrow": False,
                "yanchor": "bottom",
            }
        )
    return {"data": data, "layout": layout, "config": CONFIG}


def compare_spec(*, histories: list[tuple[str, list[Mapping]]], thresholds: Mapping) -> dict:
    """The overall score of several countries over time, one line each."""
    data = []
    for index, (name, history) in enumerate(histories):
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": [row["month"].isoformat() for row in history],
                "y": [None if row["overall"] is None else round(row["overall"], 1) for row in history],
                "line": {
                    "color": SERIES_COLOURS[index % len(SERIES_COLOURS)],
                    "dash": SERIES_DASHES[index % len(SERIES_DASHES)],
                    "width": 3 if index == 0 else 2,
                },
                "hovertemplate": "%{y:.1f}",
            }
        )
    layout = _time_layout(thresholds=thresholds, height=340)
    longest = max((history for _, history in histories), key=len, default=[])
    if recent := _recent_range([row["month"].isoformat() for row in longest]):
        layout["xaxis"]["range"] = recent
    return {"data": data, "layout": layout, "config": CONFIG}
