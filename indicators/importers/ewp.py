"""Early Warning Project parsers: model predictors (1960-2010, and 2024 in the forecasts file) -> 9.1 and 2.2.

The forecasts file's risk probability is never turned into an assessment (see mappings.SOURCES["ewp_forecasts"]);
`ewp_reference_ranking` reads it as the reference ranking that compare_rankings sets against ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.importers.base import (
    ParserContext,
    ParseResult,
    code_resolver,
    file_row,
    numeric_column,
    require_columns,
)
from indicators.importers.country_year import CountryYearSpec, parse_country_year
from indicators.importers.reading import UnreadableFile, read_table

FORECAST_RISK = "risk.2025and2026.from2024"
FORECAST_RANK = "rank.2025and2026.from2025"


def _derive(frame: pd.DataFrame, numbers: dict[str, pd.Series]) -> dict[str, pd.Series]:
    ongoing = numbers["mk_ongoing_count_log2"]
    ever = numbers["mk_ever"]
    mass_killing = pd.Series(0.0, index=frame.index).where(ever.fillna(0) == 0, 1.0).where(~(ongoing > 0), 2.0)
    mass_killing = mass_killing.where(ongoing.notna() | ever.notna())
    return {"discrimpop": numbers["discrimpop"], "mass_killing": mass_killing}


def _evidence(frame: pd.DataFrame, numbers: dict[str, pd.Series]):
    def describe(mapping, value, year, index) -> str:
        name = frame["ewp_name"][index]
        if mapping.variable == "discrimpop":
            return f"EWP {year}, {name}: {value:.1%} of the population subject to political discrimination (EPR)."
        words = {2.0: "a mass-killing episode ongoing", 1.0: "a past mass-killing episode", 0.0: "no mass killing"}
        return f"EWP {year}, {name}: {words[value]} (EWP mass-killing episode list)."

    return describe


def _spec(source: str, extra_numeric: tuple[str, ...] = ()) -> CountryYearSpec:
    return CountryYearSpec(
        source=source,
        country_column="ccode",
        year_column="year",
        code_system="ewp",
        numeric_columns=("discrimpop", "mk_ongoing_count_log2", "mk_ever", *extra_numeric),
        text_columns=("ewp_name",),
        derive=_derive,
        evidence=_evidence,
        finish=_reference_ranking if extra_numeric else None,
    )


def _reference_ranking(frame, table, numbers, result: ParseResult) -> None:
    risk = numbers[FORECAST_RISK]
    for position in risk.index[risk.notna() & ((risk < 0) | (risk > 1))]:
        result.error(file_row(position), FORECAST_RISK, "a probability must be between 0 and 1", risk[position])
    ranking = [
        {"iso3": iso3, "risk": float(risk[index]), "ewp_rank": int(numbers[FORECAST_RANK][index])}
        for index, iso3 in zip(table.index, table["iso3"], strict=True)
        if not pd.isna(risk[index]) and not pd.isna(numbers[FORECAST_RANK][index])
    ]
    result.extra["reference_ranking"] = sorted(ranking, key=lambda entry: -entry["risk"])


EWP_PREDICTORS = _spec("ewp_predictors")
EWP_FORECASTS = _spec("ewp_forecasts", (FORECAST_RISK, FORECAST_RANK))


def parse_ewp_predictors(raw: bytes, context: ParserContext) -> ParseResult:
    """EWP predictors (predictors_1960_2010.csv, or the forecasts file's 2024 rows) -> 9.1 and 2.2."""
    return parse_country_year(raw, EWP_PREDICTORS, context)


def parse_ewp_forecasts(raw: bytes, context: ParserContext) -> ParseResult:
    """EWP 2025 forecasts file: its 2024 predictors -> 9.1 and 2.2; the risk ranking kept as a reference only."""
    return parse_country_year(raw, EWP_FORECASTS, context)


@dataclass(frozen=True)
class ReferenceEntry:
    iso3: str
    name: str
    risk: float
    rank: int


def ewp_reference_ranking(raw: bytes, context: ParserContext) -> tuple[list[ReferenceEntry], ParseResult]:
    """EWP's 2025-26 risk ranking from the forecasts file, countries resolved through the crosswalk."""
    result = ParseResult()
    try:
        frame = read_table(raw)
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return [], result
    if not require_columns(frame, ("ccode", "year", "ewp_name", FORECAST_RISK), result):
        return [], result
    frame = frame.reset_index(drop=True)
    risk = numeric_column(frame, FORECAST_RISK, result)
    years = numeric_column(frame, "year", result)
    resolve = code_resolver(context.crosswalk, "ewp")
    entries = []
    for position in frame.index:
        if pd.isna(risk[position]) or pd.isna(years[position]):
            continue
        resolution = resolve(str(frame["ccode"][position]), int(years[position]))
        if resolution.iso3 is None:
            result.error(file_row(position), "ccode", "unknown country code", frame["ccode"][position])
            continue
        entries.append((resolution.iso3, str(frame["ewp_name"][position]), float(risk[position])))
    entries.sort(key=lambda entry: -entry[2])
    return [ReferenceEntry(iso3, name, risk, rank) for rank, (iso3, name, risk) in enumerate(entries, 1)], result
