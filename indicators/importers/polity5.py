"""Polity5 (regime transitions -> 1.4) and WGI Voice and Accountability (-> 1.6) parsers."""

from __future__ import annotations

import pandas as pd

from indicators.importers.base import ParserContext, ParseResult, Resolution, code_resolver
from indicators.importers.country_year import CountryYearSpec, parse_country_year
from indicators.importers.mappings import mappings_for

# Values of `polity` that are not scores but interruption codes: foreign interruption, interregnum, transition.
POLITY_SPECIAL = (-66.0, -77.0, -88.0)
# A year without any transition code; deliberately outside every regtrans category so it takes the default severity 0
# (regtrans 0 itself means "little change" within a coded transition, which is not the same thing).
NO_TRANSITION = -999.0
REGTRANS_WORDS = {
    3.0: "major democratic transition",
    2.0: "minor democratic transition",
    1.0: "positive regime change",
    0.0: "little or no change in a transition",
    -1.0: "negative regime change",
    -2.0: "adverse regime transition",
    -66.0: "foreign interruption",
    -77.0: "interregnum or collapse of central authority",
    -88.0: "transition period",
    96.0: "state disintegration",
    97.0: "state transformation",
    98.0: "state demise",
    99.0: "state creation",
}


def _regime_change(frame: pd.DataFrame, numbers: dict[str, pd.Series]) -> dict[str, pd.Series]:
    (mapping,) = mappings_for("polity5")
    regtrans = numbers["regtrans"]
    polity = numbers["polity"]
    special = polity.where(polity.isin(POLITY_SPECIAL))
    # Both codes can describe one year; the one with the higher severity speaks for it. No code at all is "no change".
    regtrans_severity = regtrans.map(mapping.severity).astype(float)
    special_severity = special.map(mapping.severity).astype(float)
    take_special = special.notna() & (regtrans.isna() | (special_severity > regtrans_severity))
    code = regtrans.where(~take_special, special).fillna(NO_TRANSITION)
    return {"regime_change": code.where(polity.notna() | regtrans.notna())}


def _polity_evidence(frame: pd.DataFrame, numbers: dict[str, pd.Series]):
    def describe(mapping, value, year, index) -> str:
        if value == NO_TRANSITION:
            return f"Polity5 {year}: no regime transition coded (polity {numbers['polity'][index]:g})."
        return f"Polity5 {year}: {REGTRANS_WORDS.get(value, f'code {value:g}')} (code {value:g})."

    return describe


POLITY5 = CountryYearSpec(
    source="polity5",
    country_column="GWn",
    year_column="year",
    code_system="gw",
    numeric_columns=("regtrans", "polity"),
    derive=_regime_change,
    evidence=_polity_evidence,
)


def parse_polity5(raw: bytes, context: ParserContext) -> ParseResult:
    """Polity5 country-year: regime transitions and interruption codes -> 1.4; keyed by Gleditsch-Ward (GWn)."""
    return parse_country_year(raw, POLITY5, context)


def _wgi_resolver(context: ParserContext):
    by_wb = code_resolver(context.crosswalk, "wb")

    def resolve(code: str, year: int) -> Resolution:
        wb_code, _, outside = code.partition("|")
        resolution = by_wb(wb_code, year)
        if resolution.iso3 is None and resolution.untracked is None and outside:
            return Resolution(None, untracked="territory outside the Gleditsch-Ward state system")
        return resolution

    return resolve


def _wgi_evidence(frame: pd.DataFrame, numbers: dict[str, pd.Series]):
    def describe(mapping, value, year, index) -> str:
        error = numbers["StdErr"][index]
        spread = "" if pd.isna(error) else f" (standard error {error:.2f})"
        return f"WGI Voice and Accountability {year}: estimate {value:.2f}{spread}."

    return describe


WGI = CountryYearSpec(
    source="wgi",
    country_column="wb_code",
    year_column="year",
    code_system="wb",
    numeric_columns=("Estimate", "StdErr"),
    text_columns=("GWn",),
    # WGI also rates territories (Aruba, Macao, Puerto Rico...); democracyData leaves GWn empty for them, which is how
    # we tell a deliberately untracked territory from a code the crosswalk is missing.
    country_codes=lambda frame: frame["wb_code"].str.strip() + frame["GWn"].isna().map({True: "|outside", False: ""}),
    resolver=_wgi_resolver,
    derive=lambda frame, numbers: {"Estimate": numbers["Estimate"]},
    evidence=_wgi_evidence,
)


def parse_wgi(raw: bytes, context: ParserContext) -> ParseResult:
    """WGI Voice and Accountability estimate -> 1.6; keyed by World Bank code."""
    return parse_country_year(raw, WGI, context)
