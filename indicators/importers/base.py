"""Pure building blocks shared by every parser: records, row errors, file decoding and country-year validation.

Row numbers are line numbers of the file as a spreadsheet shows them: the header is row 1, the first data row is row 2.
Nothing here touches the database; services.py does the I/O around it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
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


class UnreadableFile(Exception):
    """The file cannot be read as a table at all; carries the located error."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


# The one CSV reader: the API's bulk endpoint, the upload page and `import_data` all read files through read_table,
# so every path refuses the same files with the same messages.

# Files that are not CSV text, recognised by their first bytes, so the refusal can say what the file is.
NOT_TEXT_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook)"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel .xls workbook"),
    (b"%PDF-", "a PDF document"),
)
BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Python's csv module refuses cells over 128 KB with its own error; the parsers apply their own, clearer limits.
csv.field_size_limit(64 * 1024 * 1024)


def _refuse(row: int | None, column: str | None, message: str) -> UnreadableFile:
    return UnreadableFile(RowError(row=row, column=column, message=message))


def _split_fields(line: str) -> list[str]:
    """The fields of one line as csv reads them; a line csv cannot read is split on commas."""
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return line.split(",")


def _locate(text_before: str, header_line: str) -> tuple[int, str | None]:
    """Row (1-based line) and column name of the position that follows `text_before`."""
    row = text_before.count("\n") + 1
    current = text_before.rsplit("\n", 1)[-1].replace("\r", "")
    index = len(_split_fields(current)) - 1 if current else 0
    columns = _split_fields(header_line.replace("\r", ""))
    return row, (columns[index].strip() if index < len(columns) else f"field {index + 1}")


def _looks_like_utf16_without_bom(raw: bytes) -> bool:
    sample = raw[:4096]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4)


def decode_text(raw: bytes, *, encoding: str) -> str:
    """Bytes to text: UTF-8 with or without a BOM, UTF-16/32 with a BOM, or the encoding a source declares (e.g.
    Latin-1). Compressed or binary files, UTF-16 without a BOM, NUL bytes and bytes invalid in the encoding are
    refused with a message that names what was found and where (row and column)."""
    for signature, what in NOT_TEXT_SIGNATURES:
        if raw.startswith(signature):
            raise _refuse(None, None, f"the file is {what}, not CSV text; upload the uncompressed CSV file itself")
    declared = encoding
    for mark, codec in BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            raw, encoding = raw[len(mark) :], codec
            break
    else:
        if b"\x00" in raw and _looks_like_utf16_without_bom(raw):
            raise _refuse(
                None,
                None,
                "the file looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or as UTF-16 with a "
                "byte-order mark)",
            )
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode(encoding, errors="replace")
        header = raw.split(b"\n", 1)[0].decode(encoding, errors="replace")
        row, column = _locate(before, header)
        shown = encoding.upper() if encoding == declared else f"{encoding.upper()} (as its byte-order mark says)"
        raise _refuse(
            row, column, f"the file is not valid {shown} text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        ) from exc
    if "\x00" in text:
        position = text.index("\x00")
        row, column = _locate(text[:position], text.split("\n", 1)[0])
        raise _refuse(
            row, column, "the file contains a NUL byte (0x00), which CSV text never has; it may be a binary file"
        )
    return text


def _line_ends_normalised(text: str) -> str:
    """Windows line ends become \\n; a file that uses only carriage returns (old Mac) has them as its line ends."""
    text = text.replace("\r\n", "\n")
    if "\n" not in text.rstrip("\r") and "\r" in text:
        text = text.replace("\r", "\n")
    return text


def _stray_carriage_return(text: str) -> int | None:
    """Position of the first carriage return outside double quotes (line ends are already \\n), or None."""
    position = text.find("\r")
    quotes, counted_to = 0, 0
    while position != -1:
        quotes += text.count('"', counted_to, position)
        counted_to = position
        if quotes % 2 == 0:
            return position
        position = text.find("\r", position + 1)
    return None


def _check_structure(text: str) -> None:
    """Refuse what a table cannot hold: a carriage return inside a field that is not quoted, or a header that
    repeats a column."""
    stray = _stray_carriage_return(text)
    if stray is not None:
        row, column = _locate(text[:stray], text.split("\n", 1)[0])
        raise _refuse(
            row,
            column,
            "a carriage return inside a field that is not in double quotes; quote the field or remove the stray "
            "character",
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        names = [name.strip().lower() for name in header]
        seen: dict[str, int] = {}
        for position, name in enumerate(names, 1):
            if name and name in seen:
                raise _refuse(
                    HEADER_ROW,
                    header[position - 1].strip(),
                    f"the header repeats the column {header[position - 1].strip()!r} (columns {seen[name]} and "
                    f"{position}); each column may appear once",
                )
            seen.setdefault(name, position)
        for _ in reader:
            pass
    except csv.Error as exc:
        raise _refuse(
            reader.line_num,
            None,
            "a carriage return or line break inside a field that is not in double quotes; quote the field or "
            "remove the stray character",
        ) from exc


def read_table(raw: bytes, *, encoding: str = "utf-8", usecols: Callable[[str], bool] | None = None) -> pd.DataFrame:
    """Read CSV bytes into a DataFrame of strings (missing values as NaN), refusing files that are not CSV text,
    repeated header columns, stray line breaks, and empty or ragged files, each with its row."""
    text = _line_ends_normalised(decode_text(raw, encoding=encoding))
    if not text.strip():
        raise UnreadableFile(RowError(row=HEADER_ROW, column=None, message="the file is empty"))
    _check_structure(text)
    try:
        with warnings.catch_warnings():
            # A first data row longer than the header would silently become the index; make it an error instead.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, usecols=usecols, skipinitialspace=True, index_col=False)
    except pd.errors.ParserWarning as exc:
        row, fields, expected = _first_ragged_row(text)
        raise UnreadableFile(
            RowError(row=row, column=None, message=f"the row has {fields} fields but the header has {expected}")
        ) from exc
    except pd.errors.ParserError as exc:
        row = _line_from_parser_error(str(exc))
        raise UnreadableFile(
            RowError(row=row, column=None, message=f"the row does not match the header: {exc}".strip())
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise UnreadableFile(RowError(row=HEADER_ROW, column=None, message="the file has no header row")) from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _first_ragged_row(text: str) -> tuple[int | None, int, int]:
    rows = csv.reader(io.StringIO(text))
    expected = len(next(rows, []))
    for row_number, fields in enumerate(rows, FIRST_DATA_ROW):
        if len(fields) != expected:
            return row_number, len(fields), expected
    return None, expected, expected


def _line_from_parser_error(message: str) -> int | None:
    words = message.replace(",", " ").split()
    for index, word in enumerate(words[:-1]):
        if word == "line" and words[index + 1].isdigit():
            return int(words[index + 1])
    return None


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
    confidence = SOURCES[source].confidence
    label = SOURCES[source].label
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
                AssessmentRecord(
                    iso3=iso3,
                    indicator=mapping.indicator,
                    observed_on=dt.date(year, 12, 31),
                    severity=severity,
                    confidence=confidence,
                    source=f"{label} ({year})",
                    evidence=evidence(mapping, value, year, index),
                    row=file_row(int(index)),
                    country_column=country_column,
                )
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
