"""What the page modules share: the crime-group labels, a country by code or 404, a methodology's bands."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import Http404

from indicators.filters import CRIME_GROUP_CHOICES
from indicators.models import Country, Methodology
from indicators.scoring.core import band_thresholds_of
from indicators.selectors import country_get

CRIME_GROUP_LABELS = dict(CRIME_GROUP_CHOICES)


def country_or_404(iso3: str) -> Country:
    try:
        return country_get(iso3=iso3)
    except Country.DoesNotExist as exc:
        raise Http404(f"No country with ISO-3 code {iso3!r}.") from exc


def thresholds_of(methodology: Methodology | None) -> Mapping[str, float]:
    return band_thresholds_of(methodology.parameters if methodology is not None else None)
