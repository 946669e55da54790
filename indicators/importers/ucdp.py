"""UCDP parsers: organized violence per country-year, and the UCDP/PRIO armed conflict list (conflict-year)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from indicators.importers.base import (
    ParserContext,
    ParseResult,
    annual_record,
    code_resolver,
    file_row,
    numeric_column,
    require_columns,
    year_column,
)
from indicators.importers.country_year import CountryYearSpec, parse_country_year
from indicators.importers.mappings import FIRST_YEAR, mappings_for
from indicators.importers.reading import UnreadableFile, read_table

COUNTRY_YEAR = CountryYearSpec(
    source="ucdp_country_year",
    country_column="country_id_cy",
    year_column="year_cy",
    code_system="gw",
    numeric_columns=(
        "sb_total_deaths_best_cy",
        "ns_total_deaths_best_cy",
        "os_any_govt_killings_best_cy",
        "os_total_deaths_best_cy",
    ),
)


def parse_ucdp_country_year(raw: bytes, context: ParserContext) -> ParseResult:
    """UCDP organizedviolencecy: deaths by violence type per country-year -> 1.1, 1.5, 2.1, 11.1."""
    return parse_country_year(raw, COUNTRY_YEAR, context)


CONFLICT_COLUMNS = ("conflict_id", "year", "gwno_loc", "intensity_level", "start_date2", "side_a", "side_b")
# The Gleditsch-Ward codes of the conflict's primary and secondary sides, read when the file has them: gwno_loc is the
# country whose government claims the issue in dispute, not always where the fighting was, so a "no conflict" year is
# only recorded for a country that no conflict of that year names as its location or as a party.
PARTY_COLUMNS = ("gwno_a", "gwno_a_2nd", "gwno_b", "gwno_b_2nd")
# The first year of the UCDP country-year file (organizedviolencecy), which records each year's state-based deaths on
# every country's soil, 0 included: from then on the conflict list records no "no conflict" year of its own, so it
# never contradicts a country-year with fighting (on v25.1 it would 181 times, 9 of them with 25 or more deaths).
COUNTRY_YEAR_FIRST_YEAR = 1989


@dataclass
class _Scan:
    """What the conflict list says per country-year: the listed cells (by gwno_loc), the countries named as location
    or party in each year, and the rejected rows' country-years (None where the row's country or year is unknown)."""

    cells: dict[tuple[str, int], list] = field(default_factory=dict)
    named: set[tuple[str, int]] = field(default_factory=set)
    rejected: set[tuple[str | None, int | None]] = field(default_factory=set)


def _check_values(frame: pd.DataFrame, result: ParseResult) -> tuple[pd.Series, pd.Series]:
    """The intensity (1 or 2) and the episode start date of every row, errors recorded for the bad ones."""
    intensity = numeric_column(frame, "intensity_level", result)
    for position in frame.index[intensity.notna() & ~intensity.isin([1.0, 2.0])]:
        result.error(
            file_row(position), "intensity_level", "intensity must be 1 (minor) or 2 (war)", intensity[position]
        )
    episode_start = pd.to_datetime(frame["start_date2"].str.strip(), errors="coerce", format="%Y-%m-%d")
    for position in frame.index[frame["start_date2"].notna() & episode_start.isna()]:
        result.error(file_row(position), "start_date2", "not a date (YYYY-MM-DD)", frame["start_date2"][position])
    return intensity, episode_start


def _codes(value) -> list[str]:
    return [] if pd.isna(value) else [part.strip() for part in str(value).split(",") if part.strip()]


def _locations(frame: pd.DataFrame, position, year: int, resolver, result: ParseResult) -> list[str] | None:
    """The ISO-3 codes of a row's location countries; None (an error recorded) when the row names none."""
    row = file_row(position)
    locations = _codes(frame["gwno_loc"][position])
    if not locations:
        result.error(row, "gwno_loc", "the location country code is missing")
        return None
    resolved = []
    for code in locations:
        resolution = resolver(code, year)
        if resolution.iso3 is None and resolution.untracked is not None:
            result.untracked[f"{code} {resolution.untracked}"] += 1
        elif resolution.iso3 is None:
            message = f"unknown country code for {year}: not in the country crosswalk (add it there, never guess)"
            result.error(row, "gwno_loc", message, code)
        else:
            resolved.append(resolution.iso3)
    return resolved


def _parties(frame: pd.DataFrame, position, year: int, resolver) -> set[str]:
    """The ISO-3 codes of the row's sides that the crosswalk knows (a side it cannot place is not an error here)."""
    codes = [code for column in PARTY_COLUMNS if column in frame.columns for code in _codes(frame[column][position])]
    return {iso3 for iso3 in (resolver(code, year).iso3 for code in codes) if iso3 is not None}


def _reject(scan: _Scan, frame: pd.DataFrame, position, year, resolver, today_year: int) -> None:
    """Record a rejected row's country-years: its silence proves nothing about them. A country the row does not name
    readably stands for every country (None), and an unreadable year for every year."""
    known_year = None if pd.isna(year) else int(year)
    codes = _codes(frame["gwno_loc"][position])
    resolutions = [resolver(code, known_year or today_year) for code in codes]
    places = {resolution.iso3 for resolution in resolutions if resolution.untracked is None}
    scan.rejected.update((iso3, known_year) for iso3 in (places or {None}))


def _conflict_cells(frame: pd.DataFrame, context: ParserContext, result: ParseResult) -> _Scan:
    """cells: (iso3, year) -> [highest intensity, highest onset intensity, first row, conflict descriptions]."""
    years = year_column(frame, "year", result, context.today)
    intensity, episode_start = _check_values(frame, result)
    resolver = code_resolver(context.crosswalk, "gw")
    scan = _Scan()
    for position in frame.index:
        row = file_row(position)
        resolved = None
        if row not in result.invalid_rows and not pd.isna(years[position]) and not pd.isna(intensity[position]):
            resolved = _locations(frame, position, int(years[position]), resolver, result)
        if resolved is None or row in result.invalid_rows:
            _reject(scan, frame, position, years[position], resolver, context.today.year)
            continue
        year = int(years[position])
        if year < FIRST_YEAR:
            result.out_of_window += 1
            continue
        scan.named.update((iso3, year) for iso3 in {*resolved, *_parties(frame, position, year, resolver)})
        _add_to_cells(scan.cells, frame, position, (year, resolved, row), (intensity, episode_start))
    return scan


def _add_to_cells(cells: dict, frame: pd.DataFrame, position, where, values) -> None:
    year, resolved, row = where
    intensity, episode_start = values
    level = int(intensity[position])
    onset = not pd.isna(episode_start[position]) and episode_start[position].year == year
    description = (
        f"{frame['side_a'][position]} vs {frame['side_b'][position]} (conflict {frame['conflict_id'][position]})"
    )
    for iso3 in dict.fromkeys(resolved):
        cell = cells.setdefault((iso3, year), [0, 0, row, []])
        cell[0] = max(cell[0], level)
        if onset:
            cell[1] = max(cell[1], level)
        cell[3].append(description)


def _ended(scan: _Scan) -> dict[tuple[str, int], tuple[int, bool]]:
    """(iso3, year) -> (row of the year before, whether 1.1 must stay silent), for each year up
    to the file's last that follows a listed one of the country but is not listed itself, and that no rejected row
    could have been about. UCDP/PRIO lists every state-based conflict with 25 or more battle deaths in a year, so no
    conflict over a claim of the country's government reached 25 deaths that year: 8.1 is 0 (no onset), and 1.1 is 0
    only before COUNTRY_YEAR_FIRST_YEAR and when no conflict names the country as a party either (see PARTY_COLUMNS).
    """
    cells = scan.cells
    if not cells:
        return {}
    last = max(year for _iso3, year in cells)
    ended = {}
    for (iso3, year), cell in cells.items():
        following = (iso3, year + 1)
        if year < last and following not in cells and not scan.rejected & _possible(following):
            ended[following] = (cell[2], following in scan.named or year + 1 >= COUNTRY_YEAR_FIRST_YEAR)
    return ended


def _possible(key: tuple[str, int]) -> set:
    iso3, year = key
    return {(iso3, year), (None, year), (iso3, None), (None, None)}


def parse_ucdp_conflict(raw: bytes, context: ParserContext) -> ParseResult:
    """UCDP/PRIO conflicts: per location country and year, the highest intensity (1.1) and any onset (8.1); the
    year after a country's last listed conflict-year is recorded as no onset (0) and, before 1989 and unless a
    conflict of that year names the country as a party, as no conflict (0).

    A conflict located in several countries (gwno_loc "651, 666") counts for each of them. With --skip-invalid, a
    rejected row's country-year (its year, if its country is unknown) gets no 0: its silence proves nothing.
    """
    result = ParseResult()
    try:
        frame = read_table(raw, usecols=lambda column: column.strip() in (*CONFLICT_COLUMNS, *PARTY_COLUMNS))
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return result
    result.rows_read = len(frame)
    if not require_columns(frame, CONFLICT_COLUMNS, result):
        return result
    scan = _conflict_cells(frame.reset_index(drop=True), context, result)
    for (iso3, year), (level, onset_level, row, descriptions) in sorted(scan.cells.items()):
        listed = "; ".join(descriptions[:5]) + (f"; and {len(descriptions) - 5} more" if len(descriptions) > 5 else "")
        intensity = f"UCDP/PRIO active armed conflict in {year}, intensity {level}: {listed}."
        onset = (
            f"UCDP/PRIO conflict or episode onset in {year}, intensity {onset_level}: {listed}."
            if onset_level
            else f"UCDP/PRIO lists no new conflict or episode starting in {year}; continuing: {listed}."
        )
        if not onset_level and scan.rejected & _possible((iso3, year)):
            onset = None  # a rejected row of the country-year might have been an onset
        _conflict_records(result, context, (iso3, year, row), (level, intensity), (onset_level, onset))
    for (iso3, year), (row, named) in sorted(_ended(scan).items()):
        claim = (
            f"UCDP/PRIO lists no armed conflict (25 or more battle deaths) over a claim of the country's government, "
            f"and none naming the country as a party, in {year}; it listed one in {year - 1}."
        )
        no_onset = (
            f"UCDP/PRIO lists no conflict (25 or more battle deaths) over a claim of the country's government in "
            f"{year}, so none started; it listed one in {year - 1}."
        )
        _conflict_records(result, context, (iso3, year, row), (None if named else 0, claim), (0, no_onset))
    return result


def _conflict_records(result: ParseResult, context: ParserContext, where, intensity, onset) -> None:
    """The 1.1 and 8.1 records of one country-year: `where` is (iso3, year, row), the others (value, evidence)."""
    iso3, year, row = where
    for mapping, (value, evidence) in zip(mappings_for("ucdp_conflict"), (intensity, onset), strict=True):
        if value is None or evidence is None:
            continue
        severity = mapping.severity(float(value))
        if severity is None or mapping.indicator not in context.indicator_codes:
            continue
        result.records.append(
            annual_record(
                "ucdp_conflict", (iso3, mapping.indicator, year), severity, evidence, row=row, country_column="gwno_loc"
            )
        )
