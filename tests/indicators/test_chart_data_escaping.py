"""Chart data reaches pages as JSON islands that no name can break out of (issue 13, defect 4: stored XSS)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from indicators import charts
from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = pytest.mark.django_db

PAYLOAD = '</script><img src=x onerror="alert(1)"><!--'
ISLAND = re.compile(r'<script id="(?P<id>[\w-]+)" type="application/json">(?P<body>.*?)</script>', re.S)


def islands(html: str) -> dict[str, object]:
    """Every JSON island of the page, parsed as the browser's JSON.parse(textContent) would."""
    return {match["id"]: json.loads(match["body"]) for match in ISLAND.finditer(html)}


def strings(value) -> list[str]:
    """Every string anywhere inside a parsed JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for inner in value.values() for text in strings(inner)]
    if isinstance(value, list):
        return [text for inner in value for text in strings(inner)]
    return []


@pytest.fixture
def hostile_names(country_a, country_b):
    """Both countries carry a name an attacker set in the admin, and have scores so every chart is drawn."""
    for country in (country_a, country_b):
        country.name = f"{country.name} {PAYLOAD}"
        country.save(update_fields=["name"])
    run = score_run_create()
    scores_create(country=country_a, overall=[40, 45, 50, 55], run=run)
    scores_create(country=country_b, overall=[20, 22, 30, 35], run=run)
    return country_a, country_b


def test_a_country_name_with_a_closing_script_tag_stays_inside_the_overview_map_data(client, victor, hostile_names):
    """The overview's map island holds the hostile name as data, and the raw markup appears nowhere in the page."""
    client.force_login(victor)
    html = client.get(reverse("indicators:overview")).content.decode()
    assert PAYLOAD not in html
    assert "<img src=x" not in html
    figure = islands(html)["map-figure"]
    assert any(PAYLOAD in text for text in strings(figure["data"]))


def test_hostile_names_stay_inside_the_trend_and_compare_chart_data(client, victor, hostile_names):
    """The country page's trend and compare islands parse back to the hostile names, unbroken."""
    country_a, country_b = hostile_names
    client.force_login(victor)
    url = reverse("indicators:country_detail", args=[country_a.iso3]) + f"?compare={country_b.iso3}"
    html = client.get(url).content.decode()
    assert "<img src=x" not in html
    found = islands(html)
    assert {"trend-figure", "compare-figure"} <= set(found)
    names = [trace.get("name", "") for trace in found["compare-figure"]["data"]]
    assert country_a.name in names and country_b.name in names


def test_the_compact_serialiser_escapes_every_character_that_could_close_a_script_element():
    """spec_to_json never emits <, > or & literally, yet round-trips the text."""
    spec = {"data": [{"name": PAYLOAD + " & more"}], "layout": {}}
    text = charts.spec_to_json(spec)
    assert not set("<>&") & set(text)
    assert json.loads(text) == spec


def test_no_template_embeds_unescaped_json_in_a_script_element():
    """A guard for new pages: JSON islands come from json_script or spec_script, never from |safe inside <script>."""
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "<script" in line and "|safe" in line:
                offenders.append(f"{path.relative_to(settings.BASE_DIR)}:{number}")
    assert not offenders, f"JSON placed in <script> with |safe: {offenders}"
