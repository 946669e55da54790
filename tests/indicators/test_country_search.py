"""Finding a country by name, ISO-3 code or a common alias: the pure matcher, the search page and its index."""

import pytest
from django.urls import reverse

from indicators.country_search import countries_matching, normalise

COUNTRIES = [
    ("CIV", "Côte d'Ivoire"),
    ("COD", "Democratic Republic of the Congo"),
    ("COG", "Republic of the Congo"),
    ("MMR", "Myanmar"),
    ("SDN", "Sudan"),
    ("SSD", "South Sudan"),
]


def codes(query):
    return [match.iso3 for match in countries_matching(query, COUNTRIES)]


def test_burma_finds_myanmar_and_says_which_name_matched():
    """An alias leads to the country and the match names the alias."""
    [match] = countries_matching("Burma", COUNTRIES)
    assert (match.iso3, match.matched) == ("MMR", "Burma")


@pytest.mark.parametrize(
    ("query", "expected"),
    [("DRC", ["COD"]), ("ivory coast", ["CIV"]), ("cote d", ["CIV"]), ("sdn", ["SDN"]), ("mmr", ["MMR"])],
)
def test_aliases_accents_and_codes_are_understood(query, expected):
    """Case, accents and apostrophes do not matter; an ISO-3 code finds its country first."""
    assert codes(query)[: len(expected)] == expected


def test_better_matches_come_first():
    """An exact name beats a name that merely contains the words; both Congos match "congo"."""
    assert codes("sudan") == ["SDN", "SSD"]
    assert set(codes("congo")) == {"COD", "COG"}


def test_an_empty_or_unknown_query_matches_nothing():
    """Blank queries and gibberish give no match rather than every country."""
    assert codes("  ") == []
    assert codes("zzzz") == []
    assert normalise("Côte d’Ivoire") == "cote divoire"


@pytest.mark.django_db
def test_the_search_page_opens_the_one_matching_country(client, victor):
    """Without JavaScript, searching "Burma" opens Myanmar's page."""
    client.force_login(victor)
    response = client.get(reverse("indicators:country_search"), {"q": "Burma"})
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:country_detail", args=["MMR"])


@pytest.mark.django_db
def test_the_search_page_lists_several_matches(client, victor):
    """A query matching several countries lists them with links."""
    client.force_login(victor)
    response = client.get(reverse("indicators:country_search"), {"q": "congo"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Democratic Republic of the Congo" in body and "Republic of the Congo" in body
    assert 'href="/countries/COG/"' in body


@pytest.mark.django_db
def test_the_search_index_carries_aliases_and_page_links(client, victor):
    """The type-ahead's index lists every country with its aliases and the link to its page."""
    client.force_login(victor)
    countries = {row["iso3"]: row for row in client.get(reverse("indicators:country_search_index")).json()["countries"]}
    assert "Burma" in countries["MMR"]["aliases"]
    assert countries["COD"]["url"] == "/countries/COD/"
    assert len(countries) > 190


@pytest.mark.django_db
def test_search_needs_a_role(client, nobody):
    """Someone without a role is refused, as on every page."""
    client.force_login(nobody)
    assert client.get(reverse("indicators:country_search_index")).status_code == 403
