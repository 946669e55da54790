"""Pure building blocks shared by every parser: records, row errors and country-year validation (files are read
by reading.read_table).

Row numbers are line numbers of the file as a spreadsheet shows them: the header is row 1, the first data row is row 2.
Nothing here touches the database; services.py does the I/O around it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.crosswalk import CountryCrosswalk
from indicators.importers.mappings import SOURCES, VariableMapping

HEADER_ROW = 1
FIRST_DATA_ROW = 2
# Polity5 starts in 1776; anything earlier is a typo, not history.
EARLIEST_YEAR = 1700


@dataclass(frozen=True)
class RowError:
    """One problem in the input, located by row and column so the uploader can fix it."""

    row: int | None
    column: str | None
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value}

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"row {self.row}" if self.row else "", self.column or "") if part)
        shown = f" (value {self.value!r})" if self.value else ""
        return f"{where}: {self.message}{shown}" if where else f"{self.message}{shown}"


@dataclass(frozen=True)
class AssessmentRecord:
    """A validated assessment ready to be written; `row` and `country_column` locate it for later checks."""

    iso3: str
    indicator: str
    observed_on: dt.date
    severity: int
    confidence: str
    source: str
    evidence: str
    row: int
    country_column: str


@dataclass
class ParseResult:
    """What a parser made of a file: records, row-level errors, and notes on rows deliberately left out."""

    records: list[AssessmentRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    invalid_rows: set[int] = field(default_factory=set)
    untracked: Counter = field(default_factory=Counter)
    merged: list[str] = field(default_factory=list)
    out_of_window: int = 0
    empty_rows: int = 0
    extra: dict = field(default_factory=dict)
    unreadable: bool = False

    @property
    def fatal(self) -> bool:
        """True when the file as a whole cannot be trusted (unreadable, or a bad header), even with skip-invalid."""
        return self.unreadable or any(error.row in (None, HEADER_ROW) for error in self.errors)

    def refuse(self, error: RowError) -> None:
        """Record why the file cannot be read as a table at all."""
        self.errors.append(error)
        self.unreadable = True

    def error(self, row: int | None, column: str | None, message: str, value: object = "") -> None:
        self.errors.append(RowError(row=row, column=column, message=message, value="" if value is None else str(value)))
        if row is not None and row >= FIRST_DATA_ROW:
            self.invalid_rows.add(row)

    def unresolved(self) -> dict[str, int]:
        """Country codes that matched nothing in the crosswalk, with how many rows carried them."""
        counts: Counter = Counter()
        for error in self.errors:
            if error.message.startswith("unknown country"):
                counts[error.value] += 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict:
        return {
            "unresolved_codes": self.unresolved(),
            "untracked": dict(sorted(self.untracked.items())),
            "merged": self.merged,
            "out_of_window": self.out_of_window,
            "empty_rows": self.empty_rows,
            "records_by_indicator": dict(sorted(Counter(r.indicator for r in self.records).items())),
            **self.extra,
        }


@dataclass(frozen=True)
class ParserContext:
    """What a parser may consult: the crosswalk, the active indicator codes, and today's date."""

    crosswalk: CountryCrosswalk
    indicator_codes: frozenset[str]
    today: dt.date


def file_row(index: int) -> int:
    """The spreadsheet row of the DataFrame's positional index."""
    return index + FIRST_DATA_ROW


def require_columns(frame: pd.DataFrame, required: tuple[str, ...], result: ParseResult) -> bool:
    """Report every missing header column (row 1); False when any is missing."""
    missing = [column for column in required if column not in frame.columns]
    for column in missing:
        result.error(
            HEADER_ROW,
            column,
            f"the header has no column {column!r}; expected columns include {', '.join(required)}",
        )
    return not missing


def numeric_column(frame: pd.DataFrame, column: str, result: ParseResult) -> pd.Series:
    """The column as floats; each non-empty value that is not a number is reported with its row."""
    raw = frame[column]
    values = pd.to_numeric(raw.str.strip(), errors="coerce")
    bad = raw.notna() & raw.str.strip().ne("") & values.isna()
    for position in np.flatnonzero(bad.to_numpy()):
        result.error(file_row(int(position)), column, "not a number", raw.iloc[position])
    return values.astype(float)


def year_column(frame: pd.DataFrame, column: str, result: ParseResult, today: dt.date) -> pd.Series:
    """Validated years: whole numbers from 1800 up to the last finished year (a year-end date cannot be future)."""
    raw = frame[column]
    values = pd.to_numeric(raw.str.strip(), errors="coerce")
    for position in np.flatnonzero(values.isna().to_numpy()):
        value = raw.iloc[position]
        message = "the year is missing" if pd.isna(value) or not str(value).strip() else "the year is not a number"
        result.error(file_row(int(position)), column, message, "" if pd.isna(value) else value)
    present = values.notna()
    not_whole = present & (values != values.round())
    too_early = present & (values < EARLIEST_YEAR)
    too_late = present & (values > today.year)
    unfinished = present & (values == today.year)
    for position in np.flatnonzero(not_whole.to_numpy()):
        result.error(file_row(int(position)), column, "the year is not a whole number", raw.iloc[position])
    for position in np.flatnonzero((too_early | too_late).to_numpy()):
        result.error(
            file_row(int(position)),
            column,
            f"the year is out of range ({EARLIEST_YEAR}-{today.year - 1})",
            raw.iloc[position],
        )
    for position in np.flatnonzero(unfinished.to_numpy()):
        result.error(
            file_row(int(position)),
            column,
            f"the year {today.year} is not over, so a year-end observation would be dated in the future",
            raw.iloc[position],
        )
    return values


@dataclass(frozen=True)
class Resolution:
    """How one dataset country code resolved: a tracked ISO-3, a known untracked entity, or unknown."""

    iso3: str | None
    untracked: str | None = None
    # True when the code is the tracked country's own current code (it wins over coexisting historical codes).
    primary: bool = True


def resolve_countries(
    frame: pd.DataFrame,
    *,
    codes: pd.Series,
    years: pd.Series,
    column: str,
    resolver: Callable[[str, int], Resolution],
    result: ParseResult,
    column_for: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """Resolve every row's country code for its year; unknown codes become row errors, untracked ones are counted.

    Returns a frame with columns iso3, primary, indexed like `frame`, for rows that resolved to a tracked country.
    """
    cache: dict[tuple[str, int], Resolution] = {}
    iso3: list[str | None] = []
    primary: list[bool] = []
    for index, code, year in zip(frame.index.tolist(), codes.tolist(), years.tolist(), strict=True):
        if pd.isna(code) or not str(code).strip():
            result.error(file_row(index), column, "the country code is missing")
            iso3.append(None)
            primary.append(False)
            continue
        if pd.isna(year):
            iso3.append(None)
            primary.append(False)
            continue
        key = (str(code).strip(), int(year))
        if key not in cache:
            cache[key] = resolver(*key)
        resolution = cache[key]
        if resolution.iso3 is None and resolution.untracked is not None:
            result.untracked[f"{_display_code(key[0])} {resolution.untracked}"] += 1
        elif resolution.iso3 is None:
            result.error(
                file_row(index),
                column_for(key[0]) if column_for else column,
                f"unknown country code for {key[1]}: not in the country crosswalk (add it there, never guess)",
                _display_code(key[0]),
            )
        iso3.append(resolution.iso3)
        primary.append(resolution.primary)
    return pd.DataFrame({"iso3": iso3, "primary": primary}, index=frame.index)


def keep_one_row_per_country_year(
    table: pd.DataFrame, *, code_column: str, result: ParseResult, raw_codes: pd.Series
) -> pd.DataFrame:
    """Where two codes fold into one tracked country in one year (e.g. GW 260 West and 265 East Germany -> DEU), keep
    the tracked country's own code and list the others as merged, so a country-year is never counted twice."""
    ordered = table.assign(_secondary=~table["primary"]).sort_values(["_secondary"], kind="stable")
    duplicated = ordered.duplicated(subset=["iso3", "year"], keep="first")
    for index in ordered.index[duplicated.to_numpy()]:
        result.merged.append(
            f"row {file_row(int(index))}: {code_column} {raw_codes.loc[index]} in {int(table.loc[index, 'year'])} "
            f"folds into {table.loc[index, 'iso3']}, already given by another row; not imported twice"
        )
    return ordered.loc[~duplicated.to_numpy()].drop(columns="_secondary").sort_index()


def country_year_records(
    table: pd.DataFrame,
    *,
    source: str,
    mappings: tuple[VariableMapping, ...],
    values: dict[str, pd.Series],
    country_column: str,
    evidence: Callable[[VariableMapping, float, int, object], str],
    result: ParseResult,
    context: ParserContext,
) -> None:
    """Turn valid, resolved country-year rows into records: one per mapping with a value, dated 31 December."""
    for mapping in mappings:
        if mapping.indicator not in context.indicator_codes:
            result.error(None, mapping.variable, f"the mapping points at unknown indicator {mapping.indicator}")
            continue
        series = values[mapping.variable].reindex(table.index)
        for index, iso3, year, value in zip(
            table.index.tolist(), table["iso3"].tolist(), table["year"].tolist(), series.tolist(), strict=True
        ):
            severity = mapping.severity(value)
            if severity is None:
                continue
            year = int(year)
            result.records.append(
                annual_record(
                    source,
                    (iso3, mapping.indicator, year),
                    severity,
                    evidence(mapping, value, year, index),
                    row=file_row(int(index)),
                    country_column=country_column,
                )
            )


def annual_record(
    source: str, where: tuple[str, str, int], severity: int, evidence: str, *, row: int | None, country_column: str
) -> AssessmentRecord:
    """One dataset's assessment of a country-year: `where` is (iso3, indicator, year); dated 31 December of the year,
    with the source's confidence and its label and year as the source."""
    iso3, indicator, year = where
    return AssessmentRecord(
        iso3=iso3,
        indicator=indicator,
        observed_on=dt.date(year, 12, 31),
        severity=severity,
        confidence=SOURCES[source].confidence,
        source=f"{SOURCES[source].label} ({year})",
        evidence=evidence,
        row=row,
        country_column=country_column,
    )


def window_and_validity(table: pd.DataFrame, result: ParseResult) -> pd.DataFrame:
    """Drop rows with errors and rows that resolved to no tracked country."""
    valid = table[~table.index.map(lambda index: file_row(int(index)) in result.invalid_rows)]
    return valid[valid["iso3"].notna()]


def default_evidence(mapping: VariableMapping, value: float, year: int, index: object = None) -> str:
    return f"{mapping.label}: {value:g} in {year} -> severity {mapping.severity(value)} (mapping {mapping.variable})."


# Codes of states that coexisted with the tracked country's own code and were later absorbed into it. When both appear
# for one year, the absorbed one is listed as merged instead of imported (crosswalk notes: "coexisted with").
ABSORBED_CODES: frozenset[tuple[str, str]] = frozenset(
    {
        ("gw", "265"),
        ("gw", "680"),
        ("gw", "751"),
        ("gw", "817"),
        ("cow", "265"),
        ("cow", "680"),
        ("cow", "817"),
        ("vdem", "DDR"),
        ("vdem", "YMD"),
        ("vdem", "VDR"),
    }
)


def _display_code(code: str) -> str:
    """A code as the uploader wrote it, without our internal prefixes and suffixes ("cow:265.0|x" -> "265")."""
    text = code.split("|")[0].partition(":")[2] or code.split("|")[0]
    return _numeric_code(text) or text


def _numeric_code(code: str) -> str | None:
    try:
        number = float(code)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() else None


def code_resolver(crosswalk: CountryCrosswalk, system: str) -> Callable[[str, int], Resolution]:
    """A resolver for one code system (gw, cow, wb, ewp, vdem) that tells unknown codes from known untracked ones."""
    lookups = {
        "gw": crosswalk.iso3_from_gw,
        "cow": crosswalk.iso3_from_cow,
        "wb": crosswalk.iso3_from_wb,
        "ewp": crosswalk.iso3_from_ewp,
        "vdem": lambda code, year: crosswalk.iso3_from_vdem(code, None, year),
    }
    lookup = lookups[system]
    history_systems = ("ewp", "gw") if system == "ewp" else (system,)

    def resolve(code: str, year: int) -> Resolution:
        key = code.strip().upper() if system in ("wb", "vdem") else _numeric_code(code)
        if key is None:
            return Resolution(None)
        iso3 = lookup(key, year)
        if iso3 is not None:
            absorbed = any((history, key) in ABSORBED_CODES for history in history_systems)
            return Resolution(iso3, primary=not absorbed)
        for history in history_systems:
            state = crosswalk.historical_state(history, key, year)
            if state is not None and state.successor_iso3 is None:
                return Resolution(None, untracked=state.name)
        return Resolution(None)

    return resolve
