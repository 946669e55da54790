"""The generic assessment CSV that analysts upload: one assessment per row, every field given explicitly."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from indicators.importers.base import (
    AssessmentRecord,
    ParserContext,
    ParseResult,
    file_row,
    require_columns,
)
from indicators.importers.reading import UnreadableFile, read_table
from indicators.models import ASSESSMENT_EVIDENCE_MAX_CHARS, ASSESSMENT_SOURCE_MAX_CHARS

REQUIRED_COLUMNS = ("iso3", "indicator", "date", "severity", "confidence", "source")
OPTIONAL_COLUMNS = ("evidence",)
# Spellings accepted for the same columns, so a file exported from elsewhere needs no renaming.
COLUMN_ALIASES = {"indicator_code": "indicator", "observed_on": "date", "country": "iso3"}
EARLIEST_DATE = dt.date(1900, 1, 1)
CONFIDENCES = ("low", "medium", "high")
ISO3 = re.compile(r"[A-Z]{3}")
TEMPLATE_HEADER = ",".join((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))


def parse_generic_csv(raw: bytes, context: ParserContext) -> ParseResult:
    """Validate every cell of a generic assessment CSV; countries are checked against the database by the service."""
    result = ParseResult()
    try:
        frame = read_table(raw)
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return result
    frame = frame.rename(columns=lambda column: COLUMN_ALIASES.get(column.strip().lower(), column.strip().lower()))
    result.rows_read = len(frame)
    if not require_columns(frame, REQUIRED_COLUMNS, result):
        return result
    frame = frame.reset_index(drop=True).fillna("")
    has_evidence = "evidence" in frame.columns
    first_row_of: dict[tuple[str, str, dt.date], int] = {}
    for position, values in enumerate(frame.itertuples(index=False)):
        row = file_row(position)
        cells = values._asdict()
        iso3 = cells["iso3"].strip().upper()
        if not ISO3.fullmatch(iso3):
            result.error(row, "iso3", "unknown country: an ISO-3 code is three letters", cells["iso3"])
        indicator = cells["indicator"].strip()
        if indicator not in context.indicator_codes:
            result.error(row, "indicator", "unknown indicator code in the active framework", indicator)
        observed_on = _date(cells["date"], row, result, context.today)
        severity = _severity(cells["severity"], row, result)
        confidence = cells["confidence"].strip().lower()
        if confidence not in CONFIDENCES:
            result.error(row, "confidence", "confidence must be low, medium or high", cells["confidence"])
        source, evidence = _source_and_evidence(cells, row, result, has_evidence=has_evidence)
        if row in result.invalid_rows:
            continue
        # The same rule as the API's batches: one assessment per country, indicator and date in one file.
        key = (iso3, indicator, observed_on)
        if key in first_row_of:
            result.error(
                row,
                "indicator",
                f"indicator {indicator} on {observed_on:%Y-%m-%d} for {iso3} is already in row {first_row_of[key]} "
                "of this batch",
            )
            continue
        first_row_of[key] = row
        result.records.append(
            AssessmentRecord(
                iso3=iso3,
                indicator=indicator,
                observed_on=observed_on,
                severity=severity,
                confidence=confidence,
                source=source,
                evidence=evidence,
                row=row,
                country_column="iso3",
            )
        )
    return result


def _source_and_evidence(cells: dict, row: int, result: ParseResult, *, has_evidence: bool) -> tuple[str, str]:
    """The row's source (required) and evidence (optional), each within the limits every entry path shares."""
    source = cells["source"].strip()
    if not source:
        result.error(row, "source", "name the source of this assessment")
    elif len(source) > ASSESSMENT_SOURCE_MAX_CHARS:
        result.error(row, "source", f"the source is longer than {ASSESSMENT_SOURCE_MAX_CHARS} characters")
    evidence = cells["evidence"].strip() if has_evidence else ""
    if len(evidence) > ASSESSMENT_EVIDENCE_MAX_CHARS:
        result.error(
            row,
            "evidence",
            f"the evidence is {len(evidence):,} characters; at most {ASSESSMENT_EVIDENCE_MAX_CHARS:,} are accepted",
        )
    return source, evidence


def _date(value: str, row: int, result: ParseResult, today: dt.date) -> dt.date | None:
    text = value.strip()
    try:
        observed_on = dt.date.fromisoformat(text)
    except ValueError:
        result.error(row, "date", "not a date; write it as YYYY-MM-DD", text)
        return None
    if observed_on > today:
        result.error(row, "date", "the date is in the future", text)
    elif observed_on < EARLIEST_DATE:
        result.error(row, "date", "the date is before 1900", text)
    return observed_on


def _severity(value: str, row: int, result: ParseResult) -> int | None:
    text = value.strip()
    number = pd.to_numeric(text, errors="coerce")
    if pd.isna(number):
        result.error(row, "severity", "not a number; severity is 0, 1, 2 or 3", text)
        return None
    if number not in (0, 1, 2, 3):
        result.error(row, "severity", "severity must be 0, 1, 2 or 3 (none, low, moderate, serious)", text)
        return None
    return int(number)
