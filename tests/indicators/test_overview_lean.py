"""The overview is sized for a person: the highest-risk countries first with every one a click away, and pages
travel compressed."""

import gzip
import re

import pytest
from django.urls import reverse

from indicators.models import CountryScore, Methodology
from indicators.views.dashboard import RANKING_ROWS_SHOWN
from tests.factories import CountryFactory
from tests.indicators.score_rows import score_run_create

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("indicators:overview")


@pytest.fixture
def many_scored(desk_a):
    """Ten more scored countries than the ranking opens with, overall scores 1 to 60."""
    run = score_run_create()
    methodology = Methodology.objects.get(is_active=True)
    count = RANKING_ROWS_SHOWN + 10
    for number in range(1, count + 1):
        country = CountryFactory(name=f"Land {number:02d}", desk=desk_a)
        CountryScore.objects.create(
            country=country, month="2026-01-01", methodology=methodology, run=run, overall=float(number),
            band="low", common=1.0, genocide=1.0, crimes_against_humanity=1.0, war_crimes=1.0, coverage=0.5,
        )  # fmt: skip
    return count


def _ranked_names(body: str) -> list[str]:
    ranking = body.split('id="ranking"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a>', ranking)


def test_the_ranking_opens_on_the_highest_risk_countries_and_offers_all_of_them(client, victor, many_scored):
    """The first page lists the top rows by risk, says how many more there are, and links to the full list."""
    client.force_login(victor)

    body = client.get(OVERVIEW).content.decode()

    names = _ranked_names(body)
    assert len(names) == RANKING_ROWS_SHOWN
    assert names[0] == f"Land {many_scored}"
    assert f"Show all {many_scored} countries" in body
    assert 'href="?rows=all#ranking"' in body


def test_the_full_ranking_lists_every_country_and_keeps_the_sort(client, victor, many_scored):
    """With rows=all every country is listed, and the sort links keep the full list."""
    client.force_login(victor)

    body = client.get(OVERVIEW, {"rows": "all", "sort": "country"}).content.decode()

    names = _ranked_names(body)
    assert len(names) == many_scored
    assert names[:2] == ["Land 01", "Land 02"]
    assert "Show all" not in body
    assert "rows=all&amp;sort=-country" in body


def test_the_map_still_shows_every_country_when_the_ranking_is_cut(client, victor, many_scored):
    """Only the table is cut: the map colours every scored country."""
    client.force_login(victor)

    response = client.get(OVERVIEW)

    assert response.content.decode().count('"locations":[') == 1
    assert len(response.context["scores"]) == many_scored


def test_pages_are_sent_compressed_to_browsers_that_accept_it(client, victor, many_scored):
    """A browser that accepts gzip gets the overview at a fraction of its size, and it decodes to the same page."""
    client.force_login(victor)

    plain = client.get(OVERVIEW)
    packed = client.get(OVERVIEW, HTTP_ACCEPT_ENCODING="gzip")

    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) * 4 < len(plain.content)
    assert b"Show all" in gzip.decompress(packed.content)
