"""The one CSV reader: the API's bulk endpoint, the upload page and `import_data` all read files through read_table,
so every path refuses the same files (compressed, binary, badly encoded, ragged) with the same located messages."""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Callable

import pandas as pd

from indicators.importers.base import FIRST_DATA_ROW, HEADER_ROW, RowError


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
    # A NUL in the header is itself refused; the name shown (and stored with the import) leaves it out.
    columns = _split_fields(header_line.replace("\r", "").replace("\x00", ""))
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
