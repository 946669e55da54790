"""Dataset importers: one pure parser per source (bytes in, assessment records and located errors out).

`PARSERS` names every source the import_data command, the upload page and seed_demo understand; mappings.py holds the
documented variable -> indicator -> severity table they apply.
"""

from __future__ import annotations

from collections.abc import Callable

from indicators.importers.base import ParserContext, ParseResult
from indicators.importers.ewp import parse_ewp_forecasts, parse_ewp_predictors
from indicators.importers.generic_csv import parse_generic_csv
from indicators.importers.polity5 import parse_polity5, parse_wgi
from indicators.importers.pts import parse_pts
from indicators.importers.ucdp import parse_ucdp_conflict, parse_ucdp_country_year
from indicators.importers.vdem import parse_vdem

PARSERS: dict[str, Callable[[bytes, ParserContext], ParseResult]] = {
    "ucdp_country_year": parse_ucdp_country_year,
    "ucdp_conflict": parse_ucdp_conflict,
    "vdem": parse_vdem,
    "pts": parse_pts,
    "polity5": parse_polity5,
    "wgi": parse_wgi,
    "ewp_predictors": parse_ewp_predictors,
    "ewp_forecasts": parse_ewp_forecasts,
    "csv": parse_generic_csv,
}

# The files of ATROCITY_WATCH_DATA_DIR each source reads when seed_demo imports real data, in import order.
REAL_DATA_FILES: tuple[tuple[str, str], ...] = (
    ("ucdp_country_year", "ucdp/organizedviolencecy_v25_1.csv"),
    ("ucdp_conflict", "ucdp/UcdpPrioConflict_v25_1.csv"),
    ("vdem", "vdem/vdemlite_v14_1970_2023.csv"),
    ("pts", "pts/PTS-2024.csv"),
    ("polity5", "polity5/polity5.csv"),
    ("wgi", "polity5/wgi_voice_accountability.csv"),
    ("ewp_predictors", "ewp/predictors_1960_2010.csv"),
    ("ewp_forecasts", "ewp/forecasts_2025_from_2024_data.csv"),
    # Registered by the forecasts app (core.extensions.importer_sources): structural predictors first, so that the
    # retraining an outcomes import asks for already finds them.
    ("ewp_structural", "ewp/predictors_1960_2010.csv"),
    ("ewp_structural", "ewp/forecasts_2025_from_2024_data.csv"),
    ("ucdp_one_sided", "ucdp/organizedviolencecy_v25_1.csv"),
    ("ewp_basedata", "ewp/basedata_1934_2010.csv"),
)

__all__ = ["PARSERS", "REAL_DATA_FILES", "ParseResult", "ParserContext"]
