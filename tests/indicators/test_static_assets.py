"""The vendored plotly.js partial bundle draws every chart the pages make, and the map's shapes load by hashed URL."""

import datetime as dt
import json
import re
from pathlib import Path

from django.conf import settings

from indicators import charts
from indicators.scoring.core import DEFAULT_BAND_THRESHOLDS

BUNDLE = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "plotly.min.js"


def _bundle_trace_types() -> set[str]:
    """The trace modules the bundle registers, read from the bundle itself."""
    return set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', BUNDLE.read_text(encoding="utf-8")))


def test_the_vendored_plotly_bundle_is_the_pinned_geo_partial_bundle():
    """The file in static is plotly.js's geo partial bundle of the documented version, not the 4.8 MB full build."""
    head = BUNDLE.read_text(encoding="utf-8")[:200]

    assert "plotly.js (geo - minified) v4.1.1" in head
    assert BUNDLE.stat().st_size < 2_000_000


def test_every_chart_the_pages_draw_uses_a_trace_type_the_bundle_holds():
    """Map, trend and comparison specs ask only for trace types the partial bundle ships."""
    history = [
        {
            "month": dt.date(2024, month, 1),
            "overall": 40.0,
            "genocide": 30.0,
            "crimes_against_humanity": 35.0,
            "war_crimes": None,
        }
        for month in range(1, 5)
    ]
    specs = [
        charts.world_map_spec(
            rows=[{"iso3": "QAA", "name": "Testland", "score": 42.0, "band": "moderate"}],
            thresholds=DEFAULT_BAND_THRESHOLDS,
            score_label="Overall",
        ),
        charts.trend_spec(
            history=history, series={"overall": "Overall"}, thresholds=DEFAULT_BAND_THRESHOLDS, method_changes=[]
        ),
        charts.compare_spec(histories=[("Testland", history)], thresholds=DEFAULT_BAND_THRESHOLDS),
    ]

    used = {trace["type"] for spec in specs for trace in spec["data"]}
    assert used <= _bundle_trace_types() == {"scatter", "scattergeo", "choropleth"}


def test_the_map_names_its_country_shapes_by_the_url_it_is_given():
    """The overview passes the shapes' hashed static URL, which charts.js hands to plotly before drawing."""
    spec = charts.world_map_spec(
        rows=[], thresholds=DEFAULT_BAND_THRESHOLDS, score_label="Overall", topojson_url="/static/x/world.abc123.json"
    )

    assert spec["topojson"] == {"name": "world_110m", "url": "/static/x/world.abc123.json"}
    assert json.loads(charts.spec_to_json(spec))["config"]["topojsonURL"] == "/static/vendor/topojson/"
