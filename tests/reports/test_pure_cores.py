"""The report's pure cores, without a database: periods, the public-edition rule, response times, charts, wording."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError

from reports import charts
from reports.editions import INTERNAL_FIELDS, content_for_edition, public_content
from reports.periods import period_parse, quarter_before
from reports.response_times import CaseEvent, response_summary, responses_from_events
from reports.wording import drivers_in_words

UTC = dt.UTC


def test_a_quarter_runs_from_its_first_to_its_last_day():
    """2026-Q3 is 1 July to 30 September, ends in September's scores and compares with June's."""
    period = period_parse("2026-q3")
    assert (period.code, period.start, period.end) == ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert period.end_month == dt.date(2026, 9, 1)
    assert period.month_before == dt.date(2026, 6, 1)
    assert period.label == "Third quarter of 2026 (1 July to 30 September 2026)"


def test_a_year_period_covers_the_calendar_year():
    """2026 is 1 January to 31 December, compared with December 2025."""
    period = period_parse("2026")
    assert (period.start, period.end, period.month_before) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        dt.date(2025, 12, 1),
    )


@pytest.mark.parametrize("code", ["2026-Q5", "Q3-2026", "26", "", "2026-07"])
def test_other_period_codes_are_refused_with_what_is_accepted(code):
    """A period that is neither a quarter nor a year is refused, and the message shows both forms."""
    with pytest.raises(ValidationError, match="2026-Q3"):
        period_parse(code)


def test_the_quarterly_schedule_reports_on_the_quarter_just_ended():
    """On 1 January the quarter just ended is the previous year's fourth."""
    assert quarter_before(dt.date(2027, 1, 1)).code == "2026-Q4"
    assert quarter_before(dt.date(2026, 10, 1)).code == "2026-Q3"


CONTENT = {
    "declarations": [
        {
            "country": "Alphaland",
            "rationale": "Mass atrocities are imminent.",
            "decided_by": "Fiona Focal",
            "raised_by": "Alice Analyst",
            "case_summary": "Militias gather.",
            "evidence_links": ["https://example.org/secret"],
            "departments": [
                {"department": "FCDO", "actions": [{"tool": "Sanctions", "owner": "J. Smith", "status_note": "slow"}]}
            ],
        }
    ],
    "changes": {"methodologies": [{"version": 2, "published_on": "2026-08-01"}, {"version": 3, "internal_only": True}]},
    "escalations": {"received": 3, "drafts": 2},
}


def test_the_public_edition_drops_names_evidence_notes_and_drafts_at_any_depth():
    """Every internal field disappears wherever it sits, internal-only items go, and the rest is kept."""
    public = public_content(CONTENT)
    declaration = public["declarations"][0]
    assert declaration == {
        "country": "Alphaland",
        "rationale": "Mass atrocities are imminent.",
        "departments": [{"department": "FCDO", "actions": [{"tool": "Sanctions"}]}],
    }
    assert public["changes"]["methodologies"] == [{"version": 2, "published_on": "2026-08-01"}]
    assert public["escalations"] == {"received": 3}
    assert "Alice Analyst" not in repr(public) and "secret" not in repr(public)


def test_the_internal_edition_keeps_everything_and_the_input_is_not_changed():
    """The internal edition is the content as built; making the public one leaves the original intact."""
    public_content(CONTENT)
    assert content_for_edition(CONTENT, "internal") == CONTENT
    assert CONTENT["declarations"][0]["raised_by"] == "Alice Analyst"
    assert {"raised_by", "decided_by", "owner", "evidence", "status_note", "findings"} <= INTERNAL_FIELDS


def test_an_unknown_edition_is_refused():
    """Only the public and internal editions exist."""
    with pytest.raises(ValueError, match="public, internal"):
        content_for_edition(CONTENT, "press")


def _at(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2026, 8, day, hour, tzinfo=UTC)


TARGETS = {"urgent": dt.timedelta(hours=24), "high": dt.timedelta(hours=72), "routine": dt.timedelta(days=10)}


def test_each_decision_is_timed_from_the_submission_before_it():
    """A resubmitted case restarts the clock: its second decision counts from the resubmission, not the first."""
    events = [
        CaseEvent(1, _at(1), "submitted"),
        CaseEvent(1, _at(1, 12), "more_information_requested"),
        CaseEvent(1, _at(5), "resubmitted"),
        CaseEvent(1, _at(9), "imminent_risk_declared"),
        CaseEvent(2, _at(2), "submitted"),
    ]
    responses = responses_from_events(events, urgency_of={1: "urgent", 2: "high"}, targets=TARGETS)
    assert [(r.elapsed, r.within_target) for r in responses] == [
        (dt.timedelta(hours=12), True),
        (dt.timedelta(days=4), False),
    ]


def test_the_summary_counts_targets_met_and_cases_still_waiting_past_their_target():
    """Per urgency: answered, within target, median and slowest hours, waiting and overdue at the period's end."""
    events = [
        CaseEvent(1, _at(1), "submitted"),
        CaseEvent(1, _at(1, 10), "monitoring"),
        CaseEvent(3, _at(1), "submitted"),
        CaseEvent(3, _at(3, 12), "closed"),
    ]
    responses = responses_from_events(events, urgency_of={1: "high", 3: "high"}, targets=TARGETS)
    rows = response_summary(
        responses,
        waiting=[("urgent", _at(20)), ("urgent", _at(30, 12))],
        targets=TARGETS,
        labels={"urgent": "Urgent", "high": "High", "routine": "Routine"},
        as_of=_at(31),
    )
    by_urgency = {row["urgency"]: row for row in rows}
    assert [(row["urgency"], row["label"], row["target_hours"]) for row in rows] == [
        ("urgent", "Urgent", 24.0),
        ("high", "High", 72.0),
        ("routine", "Routine", 240.0),
    ]
    assert (by_urgency["high"]["responses"], by_urgency["high"]["within_target"]) == (2, 2)
    assert (by_urgency["high"]["median_hours"], by_urgency["high"]["slowest_hours"]) == (35.0, 60.0)
    assert (by_urgency["urgent"]["waiting"], by_urgency["urgent"]["waiting_overdue"]) == (2, 1)
    assert by_urgency["routine"]["median_hours"] is None


TOPOLOGY = {
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "arcs": [[[0, 0], [10, 0], [0, 10], [-10, 0], [0, -10]], [[20, 20], [5, 0], [0, 5], [-5, -5]]],
    "objects": {
        "countries": {
            "geometries": [
                {"type": "Polygon", "id": "QAA", "arcs": [[0]]},
                {"type": "MultiPolygon", "id": "QBB", "arcs": [[[1]], [[~0]]]},
                {"type": "Polygon", "arcs": [[0]]},
            ]
        }
    },
}


def test_topojson_arcs_decode_into_rings_and_reversed_arcs_run_backwards():
    """Delta-encoded arcs become absolute points; a negative index reads its arc in reverse; id-less shapes go."""
    shapes = charts.topojson_shapes(TOPOLOGY)
    assert set(shapes) == {"QAA", "QBB"}
    assert shapes["QAA"] == [[(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]]
    assert shapes["QBB"][1] == [(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]


def test_the_world_map_is_valid_svg_in_band_colours_with_every_band_in_its_legend():
    """Each country is filled in its band's colour, unknown ones grey, and the legend names each band."""
    svg = charts.world_map_svg(
        shapes=charts.topojson_shapes(TOPOLOGY), bands={"QAA": "very_high", "QBB": "insufficient"}, title="Map <1>"
    )
    root = ET.fromstring(svg)
    fills = {
        path.findtext("{http://www.w3.org/2000/svg}title"): path.get("fill")
        for path in root.iter()
        if path.get("d") and path.findtext("{http://www.w3.org/2000/svg}title")
    }
    assert fills == {"QAA": charts.BAND_COLOURS["very_high"], "QBB": charts.INSUFFICIENT_COLOUR}
    legend = [text.text for text in root.iter("{http://www.w3.org/2000/svg}text")]
    assert legend == ["Low", "Moderate", "High", "Very high", "Insufficient data", "Not scored"]
    assert "Map &lt;1&gt;" in svg


def test_the_trend_chart_draws_one_point_per_month_inside_its_frame():
    """A score line has one vertex per scored month, all inside the chart; months without a score are skipped."""
    points = [(dt.date(2025, month, 1), 8.0 * month) for month in range(1, 13)] + [(dt.date(2026, 1, 1), None)]
    svg = charts.trend_svg(
        points=points, thresholds={"moderate": 25, "high": 50, "very_high": 75}, title="Trend", width=600, height=200
    )
    line = ET.fromstring(svg).find("{http://www.w3.org/2000/svg}polyline")
    vertices = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
    assert len(vertices) == 12
    assert all(0 <= x <= 600 and 0 <= y <= 200 for x, y in vertices)
    assert vertices[-1][1] < vertices[0][1]  # a rising score climbs the page


def test_the_band_bar_labels_each_segment_with_its_count():
    """The bar shows how many countries sit in each band."""
    svg = charts.band_bar_svg(counts={"low": 120, "moderate": 40, "high": 25, "very_high": 9}, title="Bands")
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert {"120", "40", "25", "9"} <= set(texts)


class Move:
    code, title, before, after, delta = "10.1", "Hate speech by officials.", 1, 3, 2
    source, observed_on = "Desk reporting", dt.date(2026, 9, 3)


def test_drivers_read_as_sentences_naming_the_group_factors_indicators_and_moves():
    """The brief says which crime group sets the score, which factors weigh most and why, and what rose lately."""
    score = {
        "overall": 81.0,
        "band": "very_high",
        "coverage": 0.32,
        "groups": [("Genocide", 81.0), ("Crimes against humanity", 60.0), ("War crimes", 40.0), ("Common", 55.0)],
    }
    factors = [
        {
            "number": 10,
            "name": "Signs of an intent to destroy a group.",
            "score": 88.0,
            "assessed": 4,
            "top_indicators": [
                {
                    "code": "10.1",
                    "title": "Hate speech",
                    "severity": 3,
                    "source": "OHCHR",
                    "observed_on": dt.date(2026, 9, 3),
                }
            ],
        },
        {"number": 3, "name": "Weakness of State structures", "score": 10.0, "assessed": 1, "top_indicators": []},
    ]
    sentences = drivers_in_words(
        score=score, factors=factors, moves=[Move()], thresholds={"moderate": 25, "high": 50, "very_high": 75}
    )
    assert sentences[0].startswith("The overall score of 81 (very high) is the genocide score")
    assert (
        "Risk factor 10, signs of an intent to destroy a group, stands at 88 (very high) on 4 assessed" in sentences[1]
    )
    assert "10.1 hate speech (serious, OHCHR, September 2026)" in sentences[1]
    assert not any("Risk factor 3" in s for s in sentences)
    assert sentences[-1].startswith("In the last three months indicator 10.1 (hate speech by officials) rose from low")


def test_a_country_without_a_score_gets_one_plain_sentence():
    """No score: the brief says why rather than inventing drivers."""
    assert drivers_in_words(score=None, factors=[], moves=[], thresholds={}) == [
        "The country has no score yet: too few of its indicators are assessed."
    ]


def test_warming_up_a_web_worker_renders_one_page_with_the_report_fonts():
    """The gunicorn hook's warm-up renders a one-page PDF, so loading WeasyPrint and the fonts works at start."""
    from reports.rendering import warm_up

    assert warm_up() == 1
