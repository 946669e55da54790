"""Country crosswalk: ISO-3 <-> Gleditsch-Ward <-> Correlates of War <-> World Bank <-> V-Dem, with historical states.

Pure Python (csv + pathlib, no ORM) so importers and tests can use it without a database. The two CSVs in
``indicators/reference/`` are the source of truth; every lookup returns ``None`` for a code it cannot map to exactly
one tracked country, so callers report the code instead of guessing.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
COUNTRIES_CSV = REFERENCE_DIR / "countries.csv"
HISTORICAL_STATES_CSV = REFERENCE_DIR / "historical_states.csv"

UN_STATUSES = frozenset({"member", "observer", "territory"})
CODE_SYSTEMS = frozenset({"gw", "cow", "wb", "vdem", "ewp"})

# Spellings used by the datasets we import (UCDP, EWP, V-Dem, PTS, Polity5, WGI) and common English variants that do
# not match a tracked name after normalisation. Keys are normalised with `normalise_name`; no fuzzy matching happens.
NAME_ALIASES: dict[str, str] = {
    # Americas
    "united states of america": "USA",
    "usa": "USA",
    "us": "USA",
    "bahamas the": "BHS",
    "antigua barbuda": "ATG",
    "st kitts and nevis": "KNA",
    "st lucia": "LCA",
    "st vincent and the grenadines": "VCT",
    "surinam": "SUR",
    "venezuela rb": "VEN",
    "venezuela bolivarian republic of": "VEN",
    "bolivia plurinational state of": "BOL",
    # Europe
    "czech republic": "CZE",
    "slovak republic": "SVK",
    "macedonia": "MKD",
    "macedonia former yugoslav republic of": "MKD",
    "bosnia herzegovina": "BIH",
    "serbia yugoslavia": "SRB",
    "rumania": "ROU",
    "moldova republic of": "MDA",
    "belarus byelorussia": "BLR",
    "russian federation": "RUS",
    "russia soviet union": "RUS",
    "soviet union": "RUS",
    "ussr": "RUS",
    "german federal republic": "DEU",
    "germany west": "DEU",
    "west germany": "DEU",
    "italy sardinia": "ITA",
    "vatican": "VAT",
    "vatican city": "VAT",
    "vatican city state": "VAT",
    "turkey": "TUR",
    "turkey ottoman empire": "TUR",
    # Africa
    "cape verde": "CPV",
    "gambia the": "GMB",
    "the gambia": "GMB",
    "ivory coast": "CIV",
    "burkina faso upper volta": "BFA",
    "congo": "COG",
    "congo rep": "COG",
    "congo brazzaville": "COG",
    "republic of congo": "COG",
    "congo dem rep": "COD",
    "congo kinshasa": "COD",
    "dr congo": "COD",
    "dr congo zaire": "COD",
    "democratic republic of congo": "COD",
    "congo democratic republic of zaire": "COD",
    "congo the democratic republic of the": "COD",
    "zaire": "COD",
    "tanzania tanganyika": "TZA",
    "tanzania united republic of": "TZA",
    "zimbabwe rhodesia": "ZWE",
    "swaziland": "SWZ",
    "kingdom of eswatini swaziland": "SWZ",
    "madagascar malagasy": "MDG",
    "egypt arab rep": "EGY",
    # Asia
    "iran persia": "IRN",
    "iran islamic rep": "IRN",
    "iran islamic republic of": "IRN",
    "syrian arab republic": "SYR",
    "yemen rep": "YEM",
    "yemen north yemen": "YEM",
    "yemen arab republic of yemen": "YEM",
    "arab republic of yemen": "YEM",
    "kyrgyz republic": "KGZ",
    "kyrgystan": "KGZ",
    "lao pdr": "LAO",
    "lao people s democratic republic": "LAO",
    "korea rep": "KOR",
    "korea republic of": "KOR",
    "republic of korea": "KOR",
    "korea dem rep": "PRK",
    "korea dem people s rep": "PRK",
    "korea people s republic of": "PRK",
    "korea democratic people s republic of": "PRK",
    "burma": "MMR",
    "burma myanmar": "MMR",
    "myanmar burma": "MMR",
    "sri lanka ceylon": "LKA",
    "cambodia kampuchea": "KHM",
    "viet nam": "VNM",
    "vietnam north vietnam": "VNM",
    "vietnam democratic republic of": "VNM",
    "democratic republic of vietnam": "VNM",
    "brunei darussalam": "BRN",
    "east timor": "TLS",
    "taiwan china": "TWN",
    "taiwan province of china": "TWN",
    "hong kong sar china": "HKG",
    "palestine state of": "PSE",
    "palestine west bank": "PSE",
    "west bank and gaza": "PSE",
    # Oceania
    "micronesia fed sts": "FSM",
    "micronesia federated states of": "FSM",
    "federated states of micronesia": "FSM",
    "samoa western samoa": "WSM",
}

# Entities the datasets score that deliberately map to no tracked country (sub-national, occupied-area or
# supra-national units, or non-sovereign territories); importers skip them without reporting an unknown name.
UNTRACKED_NAMES: frozenset[str] = frozenset(
    {
        "crimea",
        "european union",
        "gaza hamas",
        "israel in occupied territories",
        "israel in pre 1967 borders",
        "russia occupied areas ukraine",
        "somaliland",
        "zanzibar",
        "palestine gaza",
        "puerto rico",
        "abkhazia",
        "south ossetia",
    }
)


def normalise_name(name: str) -> str:
    """Casefold, strip accents and punctuation, and collapse spaces so spelling variants compare equal."""
    decomposed = unicodedata.normalize("NFKD", name.replace("&", " and "))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^0-9a-z]+", " ", ascii_only.casefold()).split()
    return " ".join(words)


@dataclass(frozen=True)
class CountryRecord:
    """One tracked country or territory, as in ``countries.csv``."""

    iso3: str
    name: str
    region: str
    subregion: str
    gw_code: int | None
    cow_code: int | None
    wb_code: str | None
    un_status: str


@dataclass(frozen=True)
class HistoricalState:
    """A dissolved, renamed or dataset-specific code, as in ``historical_states.csv``; an empty successor is kept
    empty."""

    system: str
    code: str
    name: str
    start_year: int | None
    end_year: int | None
    successor_iso3: str | None
    note: str

    def applies_to(self, year: int | None) -> bool:
        """A dated row applies to years in its inclusive range; without a year only an undated alias applies."""
        if year is None:
            return self.start_year is None and self.end_year is None
        if self.start_year is not None and year < self.start_year:
            return False
        return self.end_year is None or year <= self.end_year


def _optional_int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value else None


def _optional_str(value: str) -> str | None:
    value = value.strip()
    return value or None


def _code_key(code: int | str) -> str:
    # Codes arrive as ints, floats from pandas ("345.0") or strings; compare them as canonical text.
    if isinstance(code, float):
        if not code.is_integer():
            return str(code)
        code = int(code)
    text = str(code).strip().upper()
    if re.fullmatch(r"-?\d+\.0+", text):
        text = text.split(".")[0]
    return text


class CountryCrosswalk:
    """Resolves dataset country codes and names to tracked ISO-3 codes, using historical states when a year is
    given."""

    def __init__(self, countries: list[CountryRecord], historical_states: list[HistoricalState]):
        self._countries = sorted(countries, key=lambda c: c.iso3)
        self._historical = list(historical_states)
        self._by_iso3: dict[str, CountryRecord] = {}
        self._current: dict[str, dict[str, str]] = {"gw": {}, "cow": {}, "wb": {}}
        self._names: dict[str, str] = {}
        self._history: dict[tuple[str, str], list[HistoricalState]] = defaultdict(list)
        for country in self._countries:
            self._index_country(country)
        for state in self._historical:
            self._index_historical_state(state)
        for alias, iso3 in NAME_ALIASES.items():
            if iso3 not in self._by_iso3:
                raise ValueError(f"name alias {alias!r} points at untracked {iso3}")
            self._names.setdefault(alias, iso3)

    def _index_country(self, country: CountryRecord) -> None:
        """Index a country by ISO-3, by each dataset code and by name; a code used twice is refused."""
        if country.iso3 in self._by_iso3:
            raise ValueError(f"duplicate ISO-3 code {country.iso3} in the country list")
        if country.un_status not in UN_STATUSES:
            raise ValueError(f"{country.iso3}: un_status {country.un_status!r} is not one of {sorted(UN_STATUSES)}")
        self._by_iso3[country.iso3] = country
        for system, code in (("gw", country.gw_code), ("cow", country.cow_code), ("wb", country.wb_code)):
            if code is None:
                continue
            key = _code_key(code)
            if key in self._current[system]:
                raise ValueError(f"{system} code {key} is used by both {self._current[system][key]} and {country.iso3}")
            self._current[system][key] = country.iso3
        self._names[normalise_name(country.name)] = country.iso3

    def _index_historical_state(self, state: HistoricalState) -> None:
        if state.system not in CODE_SYSTEMS:
            raise ValueError(f"historical state {state.name}: unknown system {state.system!r}")
        if state.successor_iso3 is not None and state.successor_iso3 not in self._by_iso3:
            raise ValueError(f"historical state {state.name}: successor {state.successor_iso3} is not tracked")
        self._history[(state.system, _code_key(state.code))].append(state)

    @classmethod
    def from_csv(cls, countries_csv: Path, historical_states_csv: Path) -> CountryCrosswalk:
        """Load a crosswalk from the two reference CSVs."""
        with countries_csv.open(newline="", encoding="utf-8") as handle:
            countries = [
                CountryRecord(
                    iso3=row["iso3"].strip(),
                    name=row["name"].strip(),
                    region=row["region"].strip(),
                    subregion=row["subregion"].strip(),
                    gw_code=_optional_int(row["gw_code"]),
                    cow_code=_optional_int(row["cow_code"]),
                    wb_code=_optional_str(row["wb_code"]),
                    un_status=row["un_status"].strip(),
                )
                for row in csv.DictReader(handle)
            ]
        with historical_states_csv.open(newline="", encoding="utf-8") as handle:
            historical = [
                HistoricalState(
                    system=row["system"].strip(),
                    code=_code_key(row["code"]),
                    name=row["name"].strip(),
                    start_year=_optional_int(row["start_year"]),
                    end_year=_optional_int(row["end_year"]),
                    successor_iso3=_optional_str(row["successor_iso3"]),
                    note=row["note"].strip(),
                )
                for row in csv.DictReader(handle)
            ]
        return cls(countries, historical)

    @classmethod
    def default(cls) -> CountryCrosswalk:
        """The crosswalk built from the reference CSVs shipped with the app (loaded once per process)."""
        return _default_crosswalk()

    def countries(self) -> list[CountryRecord]:
        """Every tracked country and territory, sorted by ISO-3 code."""
        return list(self._countries)

    def country(self, iso3: str) -> CountryRecord | None:
        """The tracked record for an ISO-3 code, or None."""
        return self._by_iso3.get(iso3.strip().upper())

    def historical_states(self) -> list[HistoricalState]:
        """Every row of the historical-states table, in file order."""
        return list(self._historical)

    def historical_state(self, system: str, code: int | str, year: int | None = None) -> HistoricalState | None:
        """The first historical row that applies to this code in this year, so importers can see a country-year came via
        history (e.g. East Germany folded into DEU) and avoid double counting."""
        applicable = [s for s in self._history.get((system, _code_key(code)), []) if s.applies_to(year)]
        return applicable[0] if applicable else None

    def iso3_from_gw(self, code: int, year: int | None = None) -> str | None:
        """ISO-3 for a Gleditsch-Ward code (as used by UCDP, EWP predictors, Polity5 ``GWn``)."""
        return self._resolve("gw", code, year)

    def iso3_from_cow(self, code: int, year: int | None = None) -> str | None:
        """ISO-3 for a Correlates of War code (as used by V-Dem ``COWcode``, PTS ``COW_Code_N``, Polity5 ``cown``)."""
        return self._resolve("cow", code, year)

    def iso3_from_wb(self, code: str, year: int | None = None) -> str | None:
        """ISO-3 for a World Bank code, including older codes that WGI and PTS still use (ZAR, ROM, KSV, WBG...)."""
        return self._resolve("wb", code, year)

    def iso3_from_ewp(self, code: int, year: int | None = None) -> str | None:
        """ISO-3 for an Early Warning Project ``ccode``: Gleditsch-Ward except COW's 255 (Germany) and 679 (Yemen)."""
        key = _code_key(code)
        if self._history.get(("ewp", key)):
            return self._resolve("ewp", key, year)
        return self._resolve("gw", key, year)

    def iso3_from_vdem(self, text_id: str, cow_code: int | None = None, year: int | None = None) -> str | None:
        """ISO-3 for a V-Dem ``country_text_id``; V-Dem-only units (SML, ZZB, PSG) and dissolved states go through the
        historical table, and an unknown id falls back to ``cow_code``."""
        key = _code_key(text_id)
        rows = self._history.get(("vdem", key), [])
        if rows:
            applicable = [s for s in rows if s.applies_to(year)]
            if applicable:
                return self._unique_successor(applicable)
        if key in self._by_iso3:
            return key
        if rows:
            # A documented V-Dem unit outside its range must not fall through to a COW code that means something else.
            return None
        if cow_code is not None:
            return self.iso3_from_cow(cow_code, year)
        return None

    def iso3_from_name(self, name: str) -> str | None:
        """ISO-3 for a name via tracked names and the explicit alias table after normalisation, never fuzzy matching.

        Continuing states resolve (USSR -> RUS) but dissolved or absorbed ones (East Germany) return None, since a name
        carries no year."""
        key = normalise_name(name)
        if key in UNTRACKED_NAMES:
            return None
        return self._names.get(key) or self._names.get(key.removeprefix("the "))

    def is_untracked_name(self, name: str) -> bool:
        """True for dataset entities that are known and deliberately not tracked (e.g. Crimea, Gaza (Hamas))."""
        return normalise_name(name) in UNTRACKED_NAMES

    def _resolve(self, system: str, code: int | str, year: int | None) -> str | None:
        key = _code_key(code)
        applicable = [s for s in self._history.get((system, key), []) if s.applies_to(year)]
        if applicable:
            return self._unique_successor(applicable)
        return self._current.get(system, {}).get(key)

    @staticmethod
    def _unique_successor(states: list[HistoricalState]) -> str | None:
        successors = {s.successor_iso3 for s in states}
        if len(successors) == 1:
            return successors.pop()
        return None


@cache
def _default_crosswalk() -> CountryCrosswalk:
    return CountryCrosswalk.from_csv(COUNTRIES_CSV, HISTORICAL_STATES_CSV)
