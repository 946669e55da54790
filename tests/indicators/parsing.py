"""Shared by the parser tests: the framework's indicator codes, a parser context on a fixed day, CSV bytes from rows,
and a parser's records keyed by country, indicator and year."""

from __future__ import annotations

import csv
import datetime as dt

from indicators.crosswalk import REFERENCE_DIR, CountryCrosswalk
from indicators.importers.base import ParserContext

TODAY = dt.date(2026, 6, 1)
INDICATOR_CODES = frozenset(row["code"] for row in csv.DictReader((REFERENCE_DIR / "un_foa_2014.csv").open()))


def parser_context() -> ParserContext:
    return ParserContext(crosswalk=CountryCrosswalk.default(), indicator_codes=INDICATOR_CODES, today=TODAY)


def table(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def by_key(result) -> dict[tuple[str, str, int], int]:
    return {(r.iso3, r.indicator, r.observed_on.year): r.severity for r in result.records}
