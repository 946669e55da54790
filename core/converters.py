"""URL converters every app's routes share."""

from __future__ import annotations

import re

from django.urls import register_converter


class Iso3Converter:
    """A country's ISO-3 code in a path: three letters, either case (or digits, as in synthetic benchmark codes).
    Anything else (a NUL byte, which PostgreSQL refuses in a query, four letters, punctuation) matches no route and
    answers 404 before a view looks it up."""

    regex = "[A-Za-z0-9]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


def is_iso3(value: str) -> bool:
    """Whether a value from a query string has the shape of an ISO-3 code (the same rule as the path converter)."""
    return re.fullmatch(Iso3Converter.regex, value) is not None


register_converter(Iso3Converter, "iso3")
