"""V-Dem country-year parser: physical violence, exclusion by social group, CSO repression, censorship, coups."""

from __future__ import annotations

from indicators.importers.base import ParserContext, ParseResult
from indicators.importers.country_year import CountryYearSpec, parse_country_year

VDEM = CountryYearSpec(
    source="vdem",
    country_column="country_text_id",
    year_column="year",
    code_system="vdem",
    numeric_columns=("v2x_clphy", "v2xpe_exlsocgr", "v2csreprss", "v2mecenefm", "e_pt_coup"),
)


def parse_vdem(raw: bytes, context: ParserContext) -> ParseResult:
    """V-Dem v14 country-year -> 2.1, 9.1, 6.2, 7.6, 8.4; keyed by country_text_id and year."""
    return parse_country_year(raw, VDEM, context)
