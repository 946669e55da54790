"""What every network write shares: import settings, the versioned fields, and the checks on countries, roles,
dates and sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import can_edit_network
from indicators.models import Country

FTM_SOURCE = "ftm"
FTM_MAPPING_VERSION = "ftm-1"
MAX_STORED_ERRORS = 2000
BATCH_SIZE = 2000
UPLOAD_DIR_NAME = "imports"

Progress = Callable[[int, int, str], None]

ACTOR_FIELDS = (
    "kind",
    "ftm_schema",
    "name",
    "properties",
    "sources",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
)
RELATIONSHIP_FIELDS = (
    "kind",
    "ftm_schema",
    "source_id",
    "target_id",
    "label",
    "properties",
    "sources",
    "confidence",
    "valid_from",
    "valid_to",
    "withdrawn",
)


# ------------------------------------------------------------------------------------------------------------------
# Recording actors and relationships


def _countries(codes: Iterable[str]) -> list[Country]:
    codes = sorted({code.strip().upper() for code in codes if code and code.strip()})
    found = Country.objects.select_related("desk").in_bulk(codes, field_name="iso3")
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError({"countries": f"Unknown country code: {', '.join(missing)}."})
    return [found[code] for code in codes]


def _check_edit(user, countries: list[Country], *, what: str) -> None:
    if not countries:
        raise ValidationError({"countries": f"A {what} must concern at least one country."})
    if not can_edit_network(user, countries):
        names = ", ".join(country.name for country in countries)
        raise PermissionDenied(f"Only analysts of the desk for {names} (or administrators) edit this {what}.")


def _check_dates(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": "The end of validity is before its start."})


def _clean_sources(sources: Iterable[str]) -> list[str]:
    cleaned = [source.strip()[:500] for source in sources if source and source.strip()]
    if not cleaned:
        raise ValidationError({"sources": "Name at least one source."})
    return cleaned
