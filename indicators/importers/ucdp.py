"""UCDP parsers: organized violence per country-year, and the UCDP/PRIO armed conflict list (conflict-year)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.importers.base import (
    AssessmentRecord,
    ParserContext,
    ParseResult,
    code_resolver,
    file_row,
    numeric_column,
    require_columns,
    year_column,
)
from indicators.importers.country_year import CountryYearSpec, parse_country_year
from indicators.importers.mappings import FIRST_YEAR, SOURCES, mappings_for
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


def _locations(frame: pd.DataFrame, position, year: int, resolver, result: ParseResult) -> list[str] | None:
    """The ISO-3 codes of a row's location countries; None (an error recorded) when the row names none."""
    row = file_row(position)
    locations = [part.strip() for part in str(frame["gwno_loc"][position]).split(",") if part.strip()]
    if frame["gwno_loc"].isna()[position] or not locations:
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


def _conflict_cells(frame: pd.DataFrame, context: ParserContext, result: ParseResult) -> dict[tuple[str, int], list]:
    """(iso3, year) -> [highest intensity, highest onset intensity, first row, conflict descriptions]."""
    years = year_column(frame, "year", result, context.today)
    intensity, episode_start = _check_values(frame, result)
    resolver = code_resolver(context.crosswalk, "gw")
    cells: dict[tuple[str, int], list] = {}
    for position in frame.index:
        row = file_row(position)
        if row in result.invalid_rows or pd.isna(years[position]) or pd.isna(intensity[position]):
            continue
        year = int(years[position])
        resolved = _locations(frame, position, year, resolver, result)
        if resolved is None or row in result.invalid_rows:
            continue
        if year < FIRST_YEAR:
            result.out_of_window += 1
            continue
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
    return cells


def _ended(cells: dict[tuple[str, int], list]) -> dict[tuple[str, int], int]:
    """(iso3, year) -> row of the year before, for each year up to the file's last that follows a listed one of the
    country but is not listed itself. UCDP/PRIO lists every state-based conflict with 25 or more battle deaths in a
    year, so the country had none that year: recording it ends the assessment of the conflict that stopped."""
    if not cells:
        return {}
    last = max(year for _iso3, year in cells)
    return {
        (iso3, year + 1): cell[2]
        for (iso3, year), cell in cells.items()
        if year < last and (iso3, year + 1) not in cells
    }


def parse_ucdp_conflict(raw: bytes, context: ParserContext) -> ParseResult:
    """UCDP/PRIO conflicts: per location country and year, the highest intensity (1.1) and any onset (8.1); the
    year after a country's last listed conflict-year is recorded as no conflict and no onset (0).

    A conflict located in several countries (gwno_loc "651, 666") counts for each of them.
    """
    result = ParseResult()
    try:
        frame = read_table(raw, usecols=lambda column: column.strip() in CONFLICT_COLUMNS)
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return result
    result.rows_read = len(frame)
    if not require_columns(frame, CONFLICT_COLUMNS, result):
        return result
    cells = _conflict_cells(frame.reset_index(drop=True), context, result)
    for (iso3, year), (level, onset_level, row, descriptions) in sorted(cells.items()):
        listed = "; ".join(descriptions[:5]) + (f"; and {len(descriptions) - 5} more" if len(descriptions) > 5 else "")
        intensity = f"UCDP/PRIO active armed conflict in {year}, intensity {level}: {listed}."
        onset = (
            f"UCDP/PRIO conflict or episode onset in {year}, intensity {onset_level}: {listed}."
            if onset_level
            else f"UCDP/PRIO lists no new conflict or episode starting in {year}; continuing: {listed}."
        )
        _conflict_records(result, context, (iso3, year, row), (level, intensity), (onset_level, onset))
    for (iso3, year), row in sorted(_ended(cells).items()):
        words = f"UCDP/PRIO lists no armed conflict (25 or more battle deaths) located in the country in {year}; "
        words += f"it listed one in {year - 1}."
        _conflict_records(result, context, (iso3, year, row), (0, words), (0, words))
    return result


def _conflict_records(result: ParseResult, context: ParserContext, where, intensity, onset) -> None:
    """The 1.1 and 8.1 records of one country-year: `where` is (iso3, year, row), the others (value, evidence)."""
    iso3, year, row = where
    source = SOURCES["ucdp_conflict"]
    for mapping, (value, evidence) in zip(mappings_for("ucdp_conflict"), (intensity, onset), strict=True):
        severity = mapping.severity(float(value))
        if severity is None or mapping.indicator not in context.indicator_codes:
            continue
        result.records.append(
            AssessmentRecord(
                iso3=iso3,
                indicator=mapping.indicator,
                observed_on=dt.date(year, 12, 31),
                severity=severity,
                confidence=source.confidence,
                source=f"{source.label} ({year})",
                evidence=evidence,
                row=row,
                country_column="gwno_loc",
            )
        )
