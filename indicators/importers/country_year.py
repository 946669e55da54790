"""The common path of every country-year dataset: read, check the header, validate, resolve countries, map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from indicators.importers.base import (
    ParserContext,
    ParseResult,
    Resolution,
    code_resolver,
    country_year_records,
    default_evidence,
    keep_one_row_per_country_year,
    numeric_column,
    require_columns,
    resolve_countries,
    window_and_validity,
    year_column,
)
from indicators.importers.mappings import FIRST_YEAR, VariableMapping, mappings_for
from indicators.importers.reading import UnreadableFile, read_table


@dataclass(frozen=True)
class CountryYearSpec:
    """How one country-year file is laid out and which variables its mappings read."""

    source: str
    country_column: str
    year_column: str
    code_system: str
    numeric_columns: tuple[str, ...]
    text_columns: tuple[str, ...] = ()
    encoding: str = "utf-8"
    # Builds the mapping variables from the numeric columns; by default each mapping reads its own column.
    derive: Callable[[pd.DataFrame, dict[str, pd.Series]], dict[str, pd.Series]] | None = None
    # Builds the country code to resolve and the column to blame; by default the country column itself.
    country_codes: Callable[[pd.DataFrame], pd.Series] | None = None
    resolver: Callable[[ParserContext], Callable[[str, int], Resolution]] | None = None
    column_for: Callable[[str], str] | None = None
    evidence: Callable[[pd.DataFrame, dict[str, pd.Series]], Callable] | None = None
    finish: Callable[[pd.DataFrame, pd.DataFrame, dict[str, pd.Series], ParseResult], None] | None = None

    @property
    def required_columns(self) -> tuple[str, ...]:
        return (self.country_column, self.year_column, *self.numeric_columns, *self.text_columns)


def parse_country_year(raw: bytes, spec: CountryYearSpec, context: ParserContext) -> ParseResult:
    """Parse one country-year file into assessment records and located errors, without touching the database."""
    result = ParseResult()
    wanted = set(spec.required_columns) | set(spec.text_columns)
    try:
        frame = read_table(raw, encoding=spec.encoding, usecols=lambda column: column.strip() in wanted)
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return result
    result.rows_read = len(frame)
    if not require_columns(frame, spec.required_columns, result):
        return result
    frame = frame.reset_index(drop=True)
    numbers = {column: numeric_column(frame, column, result) for column in spec.numeric_columns}
    years = year_column(frame, spec.year_column, result, context.today)
    codes = spec.country_codes(frame) if spec.country_codes else frame[spec.country_column]
    mappings: tuple[VariableMapping, ...] = mappings_for(spec.source)
    variables = spec.derive(frame, numbers) if spec.derive else {m.variable: numbers[m.variable] for m in mappings}
    # Only rows inside the import window that carry a value are observations; the others are counted, not resolved,
    # so a dissolved state's empty rows after its dissolution (as PTS keeps them) are not unknown countries.
    informative = pd.concat([variables[m.variable] for m in mappings], axis=1).notna().any(axis=1)
    before_window = years.notna() & (years < FIRST_YEAR)
    result.out_of_window = int(before_window.sum())
    result.empty_rows = int((~informative & ~before_window).sum())
    considered = informative & ~before_window
    resolver = spec.resolver(context) if spec.resolver else code_resolver(context.crosswalk, spec.code_system)
    resolved = resolve_countries(
        frame.loc[considered],
        codes=codes.loc[considered],
        years=years.loc[considered],
        column=spec.country_column,
        resolver=resolver,
        result=result,
        column_for=spec.column_for,
    )
    table = resolved.assign(year=years.loc[considered])
    table = window_and_validity(table, result)
    table = keep_one_row_per_country_year(table, code_column=spec.country_column, result=result, raw_codes=codes)
    evidence = spec.evidence(frame, numbers) if spec.evidence else default_evidence
    country_year_records(
        table,
        source=spec.source,
        mappings=mappings,
        values=variables,
        country_column=spec.country_column,
        evidence=evidence,
        result=result,
        context=context,
    )
    if spec.finish:
        spec.finish(frame, table, numbers, result)
    return result
