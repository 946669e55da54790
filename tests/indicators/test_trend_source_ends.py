"""The trend chart's source-end labels never cover the score lines: at the top for low scores, at the bottom for
high ones (Ethiopia's lines near 80-90 were hidden behind the labels' boxes)."""

import datetime as dt

from indicators import charts
from indicators.scoring.core import DEFAULT_BAND_THRESHOLDS


def _labels(level: float) -> list[dict]:
    history = [
        {"month": dt.date(2024, month, 1), "overall": level, "latest_evidence_on": dt.date(2023, 12, 31)}
        for month in range(1, 7)
    ]
    spec = charts.trend_spec(
        history=history,
        series={"overall": "Overall"},
        thresholds=DEFAULT_BAND_THRESHOLDS,
        method_changes=[],
        source_ends=[(dt.date(2023, 12, 31), "V-Dem"), (dt.date(2024, 12, 31), "UCDP")],
    )
    return [note for note in spec["layout"]["annotations"] if note["text"].endswith("data end")]


def test_labels_of_a_high_scoring_country_sit_at_the_bottom_of_the_plot():
    """Scores around 85: both labels hang from the bottom (below 0.25 of the height)."""
    labels = _labels(85.0)
    assert len(labels) == 2 and all(note["y"] < 0.25 and note["yanchor"] == "bottom" for note in labels)


def test_labels_of_a_low_scoring_country_sit_at_the_top_of_the_plot():
    """Scores around 10: both labels hang from the top (above 0.75 of the height)."""
    labels = _labels(10.0)
    assert len(labels) == 2 and all(note["y"] > 0.75 and note["yanchor"] == "top" for note in labels)
