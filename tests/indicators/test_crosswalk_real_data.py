"""The country crosswalk against the real datasets: every country-year of UCDP, EWP, V-Dem, PTS, WGI and Polity5
resolves to exactly one tracked country."""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indicators.crosswalk import (
    CountryCrosswalk,
)

RECENT_YEAR = 2010


@pytest.fixture(scope="module")
def crosswalk() -> CountryCrosswalk:
    return CountryCrosswalk.default()


def data_dir() -> Path:
    configured = os.environ.get("ATROCITY_WATCH_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


def read_rows(relative: str, encoding: str = "utf-8") -> Iterator[dict[str, str]]:
    path = data_dir() / relative
    if not path.exists():
        pytest.skip(f"real dataset {path} is not present (set ATROCITY_WATCH_DATA_DIR to the shared data folder)")
    with path.open(newline="", encoding=encoding) as handle:
        yield from csv.DictReader(handle)


def as_int(value: str | None) -> int | None:
    if value is None or value.strip() in {"", "NA", "nan"}:
        return None
    return int(float(value))


def ucdp_problems(cw: CountryCrosswalk) -> list[str]:
    problems, ledger = [], CountryYearLedger("UCDP")
    for row in read_rows("ucdp/organizedviolencecy_v25_1.csv"):
        year = int(row["year_cy"])
        if year < RECENT_YEAR:
            continue
        iso3 = cw.iso3_from_gw(int(row["country_id_cy"]), year)
        if iso3 is None:
            problems.append(f"UCDP gw {row['country_id_cy']} {row['country_cy']} {year}")
        elif cw.iso3_from_name(row["country_cy"]) != iso3:
            problems.append(f"UCDP name {row['country_cy']!r} does not resolve to {iso3}")
        problems.extend(ledger.claim(iso3, year, row["country_id_cy"]))
    return problems


def ewp_problems(cw: CountryCrosswalk) -> list[str]:
    problems, ledger = [], CountryYearLedger("EWP")
    documented = {s.code for s in cw.historical_states() if s.system in {"gw", "ewp"}}
    for row in read_rows("ewp/country_names.csv"):
        code = int(row["ccode"])
        if cw.iso3_from_ewp(code, RECENT_YEAR) is None and str(code) not in documented:
            problems.append(f"EWP ccode {code} {row['country']}")
    for row in read_rows("ewp/basedata_1934_2010.csv"):
        year = int(row["year"])
        if year >= RECENT_YEAR:
            iso3 = cw.iso3_from_ewp(int(row["ccode"]), year)
            if iso3 is None:
                problems.append(f"EWP ccode {row['ccode']} {row['country']} {year}")
            problems.extend(ledger.claim(iso3, year, row["ccode"]))
    for row in read_rows("ewp/forecasts_2025_from_2024_data.csv"):
        if cw.iso3_from_name(row["ewp_name"]) is None:
            problems.append(f"EWP 2025 forecast name {row['ewp_name']!r}")
    return problems


def vdem_problems(cw: CountryCrosswalk) -> list[str]:
    problems, ledger = [], CountryYearLedger("V-Dem")
    documented_units = {s.code for s in cw.historical_states() if s.system == "vdem" and s.successor_iso3 is None}
    for row in read_rows("vdem/vdemlite_v14_1970_2023.csv"):
        year = int(row["year"])
        if year < RECENT_YEAR:
            continue
        iso3 = cw.iso3_from_vdem(row["country_text_id"], year=year)
        if iso3 is None:
            if row["country_text_id"] not in documented_units:
                problems.append(f"V-Dem {row['country_text_id']} {row['country_name']} {year}")
            continue
        if cw.iso3_from_name(row["country_name"]) != iso3:
            problems.append(f"V-Dem name {row['country_name']!r} does not resolve to {iso3}")
        problems.extend(ledger.claim(iso3, year, row["country_text_id"]))
    return problems


def pts_problems(cw: CountryCrosswalk) -> list[str]:
    problems, ledger = [], CountryYearLedger("PTS")
    for row in read_rows("pts/PTS-2024.csv", encoding="latin-1"):
        year = int(row["Year"])
        scored = any(as_int(row[column]) is not None for column in ("PTS_A", "PTS_H", "PTS_S"))
        if year < RECENT_YEAR or not scored:
            continue
        cow, wb = as_int(row["COW_Code_N"]), row["WordBank_Code_A"].strip()
        by_cow = cw.iso3_from_cow(cow, year) if cow is not None else None
        by_wb = cw.iso3_from_wb(wb, year) if wb not in {"", "NA"} else None
        if by_cow and by_wb and by_cow != by_wb:
            problems.append(f"PTS {row['Country']} {year}: COW gives {by_cow}, World Bank gives {by_wb}")
        iso3 = by_cow or by_wb
        if iso3 is None:
            if not cw.is_untracked_name(row["Country"]):
                problems.append(f"PTS {row['Country']} cow={cow} wb={wb} {year}")
            continue
        if cw.iso3_from_name(row["Country"]) != iso3:
            problems.append(f"PTS name {row['Country']!r} does not resolve to {iso3}")
        problems.extend(ledger.claim(iso3, year, row["Country"]))
    return problems


def polity_problems(cw: CountryCrosswalk) -> list[str]:
    problems, ledger = [], CountryYearLedger("Polity5")
    for row in read_rows("polity5/polity5.csv"):
        year = int(row["year"])
        if year < RECENT_YEAR:
            continue
        gw, cow = as_int(row["GWn"]), as_int(row["cown"])
        by_gw = cw.iso3_from_gw(gw, year) if gw is not None else None
        by_cow = cw.iso3_from_cow(cow, year) if cow is not None else None
        if by_gw is None or by_gw != by_cow:
            problems.append(
                f"Polity5 {row['polity_annual_country']} {year}: GWn {gw} -> {by_gw}, cown {cow} -> {by_cow}"
            )
        problems.extend(ledger.claim(by_gw, year, str(gw)))
    return problems


def wgi_problems(cw: CountryCrosswalk) -> list[str]:
    problems, ledger = [], CountryYearLedger("WGI")
    for row in read_rows("polity5/wgi_voice_accountability.csv"):
        year = int(row["year"])
        if year < RECENT_YEAR:
            continue
        by_wb = cw.iso3_from_wb(row["wb_code"], year)
        gw, cow = as_int(row["GWn"]), as_int(row["cown"])
        if gw is None:
            # WGI's non-sovereign territories (Aruba, Puerto Rico...) are untracked unless listed, like Hong Kong.
            if by_wb is not None and cw.country(by_wb).un_status != "territory" and by_wb != "PSE":
                problems.append(f"WGI {row['wb_code']} has no GW code but resolves to member {by_wb}")
            continue
        expected = {by_wb, cw.iso3_from_gw(gw, year), cw.iso3_from_cow(cow, year) if cow is not None else by_wb}
        if None in expected or len(expected) != 1:
            problems.append(
                f"WGI {row['wb_code']} {row['wb_country']} {year}: wb/gw/cow give {sorted(map(str, expected))}"
            )
        problems.extend(ledger.claim(by_wb, year, row["wb_code"]))
    return problems


class CountryYearLedger:
    """Remembers which source code claimed each ISO-3 country-year, because two codes landing on one would double
    count it."""

    def __init__(self, dataset: str):
        self.dataset = dataset
        self.claims: dict[tuple[str, int], str] = {}

    def claim(self, iso3: str | None, year: int, source: object) -> list[str]:
        if iso3 is None:
            return []
        previous = self.claims.setdefault((iso3, year), str(source))
        if previous != str(source):
            return [f"{self.dataset}: {previous} and {source} both map to {iso3} in {year}"]
        return []


DATASET_CHECKS: dict[str, Callable[[CountryCrosswalk], list[str]]] = {
    "ucdp": ucdp_problems,
    "ewp": ewp_problems,
    "vdem": vdem_problems,
    "pts": pts_problems,
    "polity5": polity_problems,
    "wgi": wgi_problems,
}


@pytest.mark.parametrize("dataset", sorted(DATASET_CHECKS))
def test_crosswalk_resolves_every_recent_code_in_the_real_datasets(crosswalk, dataset):
    problems = DATASET_CHECKS[dataset](crosswalk)
    assert problems == [], "\n".join(sorted(set(problems))[:50])
