"""A text/csv request parser: the body becomes a list of row dicts keyed by the header line."""

from __future__ import annotations

import codecs
import csv
import io

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


def csv_rows_read(text: str) -> list[dict[str, str]]:
    """Rows of a CSV text keyed by its (trimmed, lower-cased) header; refuses an empty file or a missing header."""
    if "\x00" in text:
        raise ParseError("The CSV contains NUL bytes; send a plain UTF-8 text file.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not any(name and name.strip() for name in reader.fieldnames):
        raise ParseError("The CSV is empty; the first line must name the columns.")
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            rows.append({key: (value or "").strip() for key, value in row.items() if key and isinstance(value, str)})
            if len(rows) > settings.API_BULK_MAX_ROWS:
                raise ParseError(f"The CSV has more than {settings.API_BULK_MAX_ROWS} rows; split it.")
    except csv.Error as exc:
        raise ParseError(f"The CSV is malformed at line {reader.line_num}: {exc}.") from exc
    return rows


class CsvParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            codecs.lookup(encoding)
            text = stream.read().decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(f"The CSV is not valid {encoding} text.") from exc
        return csv_rows_read(text)
