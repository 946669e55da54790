"""Political Terror Scale parser: the worst of the three report-based scores per country-year -> 2.1."""

from __future__ import annotations

import pandas as pd

from indicators.importers.base import ParserContext, ParseResult, Resolution, code_resolver, file_row
from indicators.importers.country_year import CountryYearSpec, parse_country_year

SCORE_COLUMNS = {"PTS_A": "Amnesty International", "PTS_H": "Human Rights Watch", "PTS_S": "US State Department"}


def _codes(frame: pd.DataFrame) -> pd.Series:
    # PTS leaves the COW code empty for entities COW does not list (Kosovo, Palestine, territories): fall back to the
    # World Bank code, then to the name through the crosswalk's explicit alias table.
    cow = frame["COW_Code_N"].str.strip()
    wb = frame["WordBank_Code_A"].str.strip()
    name = frame["Country"].str.strip()
    by_wb = ("wb:" + wb + "|" + name.fillna("")).where(wb.notna() & wb.ne(""), "name:" + name)
    return ("cow:" + cow).where(cow.notna() & cow.ne(""), by_wb)


def _resolver(context: ParserContext):
    by_cow = code_resolver(context.crosswalk, "cow")
    by_wb = code_resolver(context.crosswalk, "wb")

    def resolve(code: str, year: int) -> Resolution:
        system, _, value = code.partition(":")
        if system == "cow":
            return by_cow(value, year)
        if system == "wb":
            code, _, name = value.partition("|")
            resolution = by_wb(code, year)
            if resolution.iso3 is None and resolution.untracked is None and context.crosswalk.is_untracked_name(name):
                return Resolution(None, untracked=name)
            return resolution
        if context.crosswalk.is_untracked_name(value):
            return Resolution(None, untracked=value)
        return Resolution(context.crosswalk.iso3_from_name(value))

    return resolve


def _column_for(code: str) -> str:
    return {"cow": "COW_Code_N", "wb": "WordBank_Code_A"}.get(code.partition(":")[0], "Country")


def _derive(frame: pd.DataFrame, numbers: dict[str, pd.Series]) -> dict[str, pd.Series]:
    scores = pd.DataFrame({column: numbers[column] for column in SCORE_COLUMNS})
    return {"pts_worst": scores.max(axis=1, skipna=True)}


def _evidence(frame: pd.DataFrame, numbers: dict[str, pd.Series]):
    def describe(mapping, value, year, index) -> str:
        parts = [
            f"{reporter} {int(numbers[column][index])}"
            for column, reporter in SCORE_COLUMNS.items()
            if not pd.isna(numbers[column][index])
        ]
        return f"Political Terror Scale {year} ({', '.join(parts)}); worst {value:g} of 5."

    return describe


def _check_scale(frame, table, numbers, result: ParseResult) -> None:
    for column in SCORE_COLUMNS:
        values = numbers[column]
        for position in values.index[values.notna() & ~values.isin([1.0, 2.0, 3.0, 4.0, 5.0])]:
            result.error(file_row(position), column, "a PTS score must be 1, 2, 3, 4 or 5", values[position])
    if any(error.column in SCORE_COLUMNS for error in result.errors):
        bad_rows = {error.row for error in result.errors if error.column in SCORE_COLUMNS}
        result.records = [record for record in result.records if record.row not in bad_rows]


PTS = CountryYearSpec(
    source="pts",
    country_column="COW_Code_N",
    year_column="Year",
    code_system="cow",
    numeric_columns=tuple(SCORE_COLUMNS),
    text_columns=("Country", "WordBank_Code_A"),
    encoding="latin-1",
    derive=_derive,
    country_codes=_codes,
    resolver=_resolver,
    column_for=_column_for,
    evidence=_evidence,
    finish=_check_scale,
)


def parse_pts(raw: bytes, context: ParserContext) -> ParseResult:
    """PTS-2024 (latin-1): max(PTS_A, PTS_H, PTS_S) per country-year -> 2.1."""
    return parse_country_year(raw, PTS, context)
