"""Finding a country by what people call it: its name, its ISO-3 code or a common alias ("Burma", "DRC", "Ivory
Coast"). Pure: countries in, ranked matches out; the header search and every country pick-list use it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Names in the news, in older datasets and in other governments' usage, by ISO-3 code. The reference names are the
# short English names; these are the ones an analyst types instead.
ALIASES: dict[str, tuple[str, ...]] = {
    "ARE": ("UAE", "Emirates"),
    "BIH": ("Bosnia", "Herzegovina"),
    "BRN": ("Brunei Darussalam",),
    "CAF": ("CAR", "Centrafrique"),
    "CIV": ("Ivory Coast", "Cote d'Ivoire"),
    "COD": ("DRC", "DR Congo", "Congo-Kinshasa", "Zaire", "Congo (Kinshasa)"),
    "COG": ("Congo-Brazzaville", "Congo (Brazzaville)", "Congo Republic"),
    "CPV": ("Cape Verde",),
    "CZE": ("Czech Republic",),
    "FSM": ("Federated States of Micronesia",),
    "GBR": ("UK", "Britain", "Great Britain"),
    "GMB": ("The Gambia",),
    "IRN": ("Persia", "Islamic Republic of Iran"),
    "KOR": ("Republic of Korea", "ROK"),
    "LAO": ("Lao PDR", "Lao People's Democratic Republic"),
    "MDA": ("Republic of Moldova",),
    "MKD": ("Macedonia", "FYROM"),
    "MMR": ("Burma",),
    "NLD": ("Holland",),
    "PRK": ("DPRK", "Democratic People's Republic of Korea"),
    "PSE": ("Gaza", "West Bank", "Occupied Palestinian Territory", "State of Palestine"),
    "RUS": ("Russian Federation",),
    "STP": ("São Tomé and Príncipe",),
    "SWZ": ("Swaziland",),
    "SYR": ("Syrian Arab Republic",),
    "TLS": ("East Timor",),
    "TUR": ("Turkey", "Turkiye"),
    "TZA": ("United Republic of Tanzania",),
    "USA": ("US", "United States of America", "America"),
    "VAT": ("Vatican",),
    "VEN": ("Bolivarian Republic of Venezuela",),
    "VNM": ("Viet Nam",),
    "XKX": ("Kosova",),
}


def normalise(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: "Côte d'Ivoire" -> "cote divoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    plain = re.sub(r"['’]", "", plain)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


@dataclass(frozen=True)
class CountryMatch:
    iso3: str
    name: str
    matched: str  # the alias that matched, or "" when the name or code did
    rank: int


def _rank(query: str, term: str) -> int | None:
    """0 exact, 1 prefix, 2 a word's prefix, 3 anywhere; None when the term does not contain the query."""
    if term == query:
        return 0
    if term.startswith(query):
        return 1
    if any(word.startswith(query) for word in term.split()):
        return 2
    if query in term:
        return 3
    return None


def countries_matching(query: str, countries: Iterable[tuple[str, str]], *, limit: int = 10) -> list[CountryMatch]:
    """The (iso3, name) pairs that match the query, best first: the code, then names and aliases by how well."""
    wanted = normalise(query)
    if not wanted:
        return []
    matches = []
    for iso3, name in countries:
        if wanted == iso3.lower():
            matches.append(CountryMatch(iso3=iso3, name=name, matched="", rank=-1))
            continue
        best: tuple[int, str] | None = None
        for term, label in ((name, ""), *((alias, alias) for alias in ALIASES.get(iso3, ()))):
            rank = _rank(wanted, normalise(term))
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, label)
        if best is not None:
            matches.append(CountryMatch(iso3=iso3, name=name, matched=best[1], rank=best[0]))
    matches.sort(key=lambda match: (match.rank, match.name))
    return matches[:limit]


def aliases_of(iso3: str) -> tuple[str, ...]:
    return ALIASES.get(iso3, ())
