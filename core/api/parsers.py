"""Request parsers: JSON with a nesting limit, and a text/csv parser that hands the raw bytes on to the one CSV
reader (the importers' generic CSV parser reads them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser

# No request this API accepts nests deeper than a bulk array of objects holding lists; 32 leaves ample room.
JSON_MAX_DEPTH = 32


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


def json_depth(value) -> int:
    """How deeply a parsed JSON value nests (a scalar is 0, [] and {} are 1), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((inner, depth + 1) for inner in item.values())
            deepest = max(deepest, depth + 1)
        elif isinstance(item, list):
            stack.extend((inner, depth + 1) for inner in item)
            deepest = max(deepest, depth + 1)
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies nested too deeply for the decoder (RecursionError) or for any real
    request with a clear 400 instead of a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"The JSON nests too deeply; at most {JSON_MAX_DEPTH} levels are accepted.") from exc
        if json_depth(data) > JSON_MAX_DEPTH:
            raise ParseError(f"The JSON nests too deeply; at most {JSON_MAX_DEPTH} levels are accepted.")
        return data
