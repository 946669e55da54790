"""A text/csv request parser that hands the raw bytes on: the importers' generic CSV parser reads them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


@dataclass(frozen=True)
class CsvBody:
    """The undecoded body of a text/csv request."""

    raw: bytes


def read_limited(stream, limit: int) -> bytes:
    """Read at most `limit` bytes, refusing a larger body before it is held in memory whole."""
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise ParseError(f"The CSV is larger than {limit} bytes; split it.")
    return raw


class CsvParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return CsvBody(raw=read_limited(stream, settings.ASSESSMENT_UPLOAD_MAX_BYTES))
