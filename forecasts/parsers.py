"""Pure parsers of the forecast's sources: bytes in, validated country-year rows and located errors out.

`ewp_basedata` (the Early Warning Project's country-year base data) gives the outcomes; `ewp_structural` (EWP's model
matrix, `predictors_1960_2010.csv` or the `forecasts_2025_from_2024_data.csv` file) gives the structural predictors
under the names documented in `STRUCTURAL_VARIABLES`; `ucdp_one_sided` (UCDP's organised-violence country-year file)
gives one more, `UCDP_ONE_SIDED_VARIABLES`. Countries resolve through the crosswalk's EWP codes (the Gleditsch-Ward
numbers; UCDP's are Gleditsch-Ward); an entity the crosswalk knows but does not track (e.g. a dissolved state) is
counted, an unknown code is an error naming the row and column. Nothing here touches the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.importers.base import (
    HEADER_ROW,
    ParserContext,
    ParseResult,
    code_resolver,
    file_row,
    keep_one_row_per_country_year,
    numeric_column,
    require_columns,
    resolve_countries,
    year_column,
)
from indicators.importers.reading import UnreadableFile, read_table

BASEDATA_COLUMNS = ("year", "ccode", "mk_onset", "mk_ongoing", "mk_onset_count")


@dataclass(frozen=True)
class StructuralVariable:
    """One column of a structural source -> one documented predictor name."""

    column: str
    name: str
    meaning: str
    source_note: str


# EWP's model matrix, column by column. Each value is the country's situation in the row's year (known at its end).
# Every predictor of EWP's model is read except its time trend (year_sq); the targets (mk_onset, mk_onset_1,
# mk_onset_2, mk_onset_1or2) are deliberately not read: they are outcomes, which enter only as labels through
# ewp_basedata. year_sq says nothing about a country (it moves every country of a year alike, so it cannot change a
# year's ranking) and a trend fitted on past years extrapolates beyond them into the years forecast.
# mk_onset_prev_year of year Y is the onset of Y-1: on the real files it equals the base data's onset of Y-1 in all
# 7,045 rows that have a base-data row of Y-1 (the 98.8% once quoted was 7,045 of all 7,127 matched rows, counting the
# 82 with no Y-1 row as mismatches), so the features for T (dated T-1) carry the onset of T-2, as in EWP's own model.
STRUCTURAL_VARIABLES: tuple[StructuralVariable, ...] = (
    StructuralVariable("widetargeting", "wide_targeting", "an ongoing episode targets a wide group", "EWP episodes"),
    StructuralVariable("narrowtargeting", "narrow_targeting", "an ongoing episode targets a narrow group", "EWP"),
    StructuralVariable(
        "v2csgender_binary", "cso_women_restricted", "women's civil-society participation restricted", "V-Dem"
    ),
    StructuralVariable("v2mecenefm_binary", "media_censorship", "government censorship of the media", "V-Dem"),
    StructuralVariable("partyban.new.0", "party_ban_none", "no parties banned", "V-Dem"),
    StructuralVariable("partyban.new.1", "party_ban_some", "some parties banned", "V-Dem"),
    StructuralVariable("partyban.new.2", "party_ban_all", "all but the ruling party banned", "V-Dem"),
    StructuralVariable("minorityrule", "minority_rule", "power held by a minority group", "V-Dem"),
    StructuralVariable("judicialreform", "judicial_reform", "judiciary reformed to the executive's advantage", "V-Dem"),
    StructuralVariable("religiousfreedom", "religious_freedom", "freedom of religion (V-Dem scale)", "V-Dem"),
    StructuralVariable("pol_killing_approved", "political_killing_approved", "political killings practised", "V-Dem"),
    StructuralVariable("freediscussion", "free_discussion", "freedom of discussion (0-1)", "V-Dem"),
    StructuralVariable("social_inequality", "social_inequality", "social-group inequality in civil liberties", "V-Dem"),
    StructuralVariable("even_civilrights", "even_civil_rights", "civil liberties evenly respected", "V-Dem"),
    StructuralVariable("repress_civilsoc", "civil_society_repressed", "civil society repressed", "V-Dem"),
    StructuralVariable("social_power_dist", "social_power_unequal", "power distributed by social group", "V-Dem"),
    StructuralVariable("ses_power_dist", "economic_power_unequal", "power distributed by wealth (scale)", "V-Dem"),
    StructuralVariable("popsize.log2", "population_log2", "population, log2", "World Bank WDI"),
    StructuralVariable("gdppcgrowth", "gdp_pc_growth", "GDP per capita growth, percent", "World Bank WDI"),
    StructuralVariable("un_imr_sqrt", "infant_mortality_sqrt", "infant mortality per 1,000, square root", "UN"),
    StructuralVariable("efindex", "ethnic_fractionalisation", "ethnic fractionalisation (HIEF)", "HIEF"),
    StructuralVariable("discrimpop", "discriminated_share", "population share politically discriminated", "EPR"),
    StructuralVariable("reg.na", "region_americas", "region: Americas", "EWP"),
    StructuralVariable("reg.eap", "region_east_asia_pacific", "region: East Asia and Pacific", "EWP"),
    StructuralVariable("reg.sca", "region_south_central_asia", "region: South and Central Asia", "EWP"),
    StructuralVariable("reg.mna", "region_middle_east_north_africa", "region: Middle East and North Africa", "EWP"),
    StructuralVariable("reg.eur", "region_europe", "region: Europe", "EWP"),
    StructuralVariable("ios.iccpr1", "iccpr_ratified", "ICCPR optional protocol 1 ratified", "UN treaties"),
    StructuralVariable("battledeaths.log2", "battle_deaths_log2", "battle deaths, log2", "UCDP"),
    StructuralVariable("coup.try.5yr", "coup_attempt_5y", "a coup attempt in the last five years", "Powell-Thyne"),
    StructuralVariable("mk_ongoing_count_log2", "ongoing_episodes_log2", "ongoing mass-killing episodes, log2", "EWP"),
    StructuralVariable("mean_mk_onset_interaction", "neighbourhood_onsets", "mean onset rate interaction term", "EWP"),
    StructuralVariable(
        "mk_onset_prev_year", "onset_last_year", "a mass-killing onset in the year before this one", "EWP"
    ),
    StructuralVariable("newcountry", "new_state", "independent for less than two years", "EWP"),
    StructuralVariable("mk_ever", "mass_killing_ever", "a mass killing at any time up to this year", "EWP"),
    StructuralVariable("countryage.new.log2", "country_age_log2", "years since independence, log2", "EWP"),
    StructuralVariable("includesnonstate", "nonstate_episodes_counted", "EWP counts non-state-led episodes", "EWP"),
)


@dataclass(frozen=True)
class OutcomeRow:
    iso3: str
    year: int
    onset: bool
    ongoing: bool
    onset_count: int
    episodes: str
    row: int


@dataclass(frozen=True)
class StructuralRow:
    iso3: str
    year: int
    values: dict
    row: int


@dataclass
class ForecastParse:
    """A parse of a forecast source: the valid rows, the located errors (ParseResult), and the years covered."""

    result: ParseResult = field(default_factory=ParseResult)
    outcomes: list[OutcomeRow] = field(default_factory=list)
    structural: list[StructuralRow] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        rows = self.outcomes or self.structural
        return sorted({row.year for row in rows})


def _flag_column(values: pd.Series, raw: pd.Series, column: str, result: ParseResult) -> pd.Series:
    for position in np.flatnonzero((values.notna() & ~values.isin([0.0, 1.0])).to_numpy()):
        result.error(file_row(int(position)), column, "must be 0 or 1", raw.iloc[position])
    for position in np.flatnonzero((values.isna() & ~_blank(raw).ne(True) & raw.isna()).to_numpy()):
        result.error(file_row(int(position)), column, "the value is missing (0 or 1 expected)")
    return values


def _blank(raw: pd.Series) -> pd.Series:
    return raw.isna() | raw.astype(str).str.strip().eq("")


def _missing(frame: pd.DataFrame, column: str, values: pd.Series, result: ParseResult, expected: str) -> None:
    """Report every blank cell of a required column (numeric_column already reported the non-numbers)."""
    for position in np.flatnonzero(_blank(frame[column]).to_numpy()):
        result.error(file_row(int(position)), column, f"the value is missing ({expected} expected)")


def _read(raw: bytes, required: tuple[str, ...], wanted: set[str], parse: ForecastParse) -> pd.DataFrame | None:
    result = parse.result
    try:
        # Every column is read (not only the wanted ones) so a row with more fields than the header is refused.
        frame = read_table(raw)
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return None
    frame = frame[[column for column in frame.columns if column in wanted]]
    result.rows_read = len(frame)
    if not require_columns(frame, required, result):
        return None
    if frame.empty:
        result.error(HEADER_ROW, None, "the file has a header but no rows")
        return None
    return frame.reset_index(drop=True)


def _resolved_table(
    frame: pd.DataFrame,
    years: pd.Series,
    context: ParserContext,
    parse: ForecastParse,
    *,
    column: str = "ccode",
    system: str = "ewp",
):
    result = parse.result
    resolved = resolve_countries(
        frame,
        codes=frame[column],
        years=years,
        column=column,
        resolver=code_resolver(context.crosswalk, system),
        result=result,
    )
    table = resolved.assign(year=years)
    valid = table[_valid_mask(table, result) & table["iso3"].notna().to_numpy()]
    _duplicates(frame, valid, result, column)
    valid = valid[_valid_mask(valid, result)]
    return keep_one_row_per_country_year(valid, code_column=column, result=result, raw_codes=frame[column])


def _valid_mask(table: pd.DataFrame, result: ParseResult) -> np.ndarray:
    return np.array([file_row(int(index)) not in result.invalid_rows for index in table.index], dtype=bool)


def _duplicates(frame: pd.DataFrame, table: pd.DataFrame, result: ParseResult, column: str) -> None:
    """The same code twice in one year is an error (which row is right cannot be guessed); two codes folding into
    one tracked country are handled by keep_one_row_per_country_year."""
    codes = frame[column].reindex(table.index).astype(str).str.strip()
    keys = pd.DataFrame({"code": codes, "year": table["year"]})
    repeated = keys.duplicated(keep="first")
    for index in table.index[repeated.to_numpy()]:
        first = keys.index[(keys["code"] == codes[index]) & (keys["year"] == table.loc[index, "year"])][0]
        result.error(
            file_row(int(index)),
            column,
            f"country {codes[index]} in {int(table.loc[index, 'year'])} is already given in row {file_row(int(first))}",
            codes[index],
        )


def parse_ewp_basedata(raw: bytes, context: ParserContext) -> ForecastParse:
    """EWP base data (basedata_1934_2010.csv and later editions) -> one outcome per tracked country-year."""
    parse = ForecastParse()
    result = parse.result
    frame = _read(raw, BASEDATA_COLUMNS, {*BASEDATA_COLUMNS, "mk_ongoing_code"}, parse)
    if frame is None:
        return parse
    years = year_column(frame, "year", result, context.today)
    onset = _flag_column(numeric_column(frame, "mk_onset", result), frame["mk_onset"], "mk_onset", result)
    ongoing = _flag_column(numeric_column(frame, "mk_ongoing", result), frame["mk_ongoing"], "mk_ongoing", result)
    count = numeric_column(frame, "mk_onset_count", result)
    _missing(frame, "mk_onset_count", count, result, "a whole number")
    for position in np.flatnonzero((count.notna() & ((count < 0) | (count != count.round()))).to_numpy()):
        result.error(
            file_row(int(position)), "mk_onset_count", "must be a whole number, 0 or more", count.iloc[position]
        )
    disagree = onset.notna() & count.notna() & ((onset == 1) != (count >= 1))
    for position in np.flatnonzero(disagree.to_numpy()):
        result.error(
            file_row(int(position)),
            "mk_onset_count",
            f"says {int(count.iloc[position])} onsets but mk_onset is {int(onset.iloc[position])}",
            count.iloc[position],
        )
    onset_without_episode = (onset == 1) & (ongoing == 0)
    for position in np.flatnonzero(onset_without_episode.to_numpy()):
        result.error(file_row(int(position)), "mk_ongoing", "an onset year must also have an ongoing episode", "0")
    table = _resolved_table(frame, years, context, parse)
    episodes = frame["mk_ongoing_code"] if "mk_ongoing_code" in frame.columns else pd.Series("", index=frame.index)
    for index, iso3, year in zip(table.index, table["iso3"], table["year"], strict=True):
        code = episodes[index]
        parse.outcomes.append(
            OutcomeRow(
                iso3=iso3,
                year=int(year),
                onset=bool(onset[index]),
                ongoing=bool(ongoing[index]),
                onset_count=int(count[index]),
                episodes="" if pd.isna(code) else str(code).strip()[:200],
                row=file_row(int(index)),
            )
        )
    result.extra["years"] = [min(parse.years), max(parse.years)] if parse.outcomes else []
    result.extra["onsets"] = sum(1 for row in parse.outcomes if row.onset)
    return parse


def parse_ewp_structural(raw: bytes, context: ParserContext) -> ForecastParse:
    """EWP's model matrix -> the structural predictors of each tracked country-year, under documented names."""
    parse = ForecastParse()
    result = parse.result
    columns = tuple(variable.column for variable in STRUCTURAL_VARIABLES)
    frame = _read(raw, ("ccode", "year", *columns), {"ccode", "year", *columns}, parse)
    if frame is None:
        return parse
    years = year_column(frame, "year", result, context.today)
    numbers = {variable.name: numeric_column(frame, variable.column, result) for variable in STRUCTURAL_VARIABLES}
    table = _resolved_table(frame, years, context, parse)
    _append_structural(parse, table, numbers)
    return parse


# UCDP's organised-violence country-year file (organizedviolencecy, from 1989), read for one continuous predictor: the
# civilians deliberately killed in one-sided violence in the country-year by a government or a formally organised
# armed group (os_total_deaths_best_cy, UCDP's best estimate; a dyad enters UCDP's count from 25 deaths in a year), as
# log(1 + deaths). The Framework sees the same column only as indicator 11.1's 0-3 severity; the count itself tells
# 30 deaths from 30,000, and one-sided killing is the very act a mass killing is made of. Like every structural value
# it is dated its own year, so a forecast of T reads T-1 (or up to two years earlier when T-1 has no row); before 1989
# it is missing (median-filled with a missing flag, as any gap). Where two codes fold into one tracked country in a
# year, the tracked country's own code is kept (keep_one_row_per_country_year).
UCDP_ONE_SIDED_VARIABLES: tuple[StructuralVariable, ...] = (
    StructuralVariable(
        "os_total_deaths_best_cy",
        "one_sided_deaths_log1p",
        "civilians killed in one-sided violence by governments and organised armed groups, log(1 + deaths)",
        "UCDP organised violence, country-year",
    ),
)
UCDP_ONE_SIDED_COLUMNS = ("country_id_cy", "year_cy")


def parse_ucdp_one_sided(raw: bytes, context: ParserContext) -> ForecastParse:
    """UCDP organizedviolencecy -> each tracked country-year's one-sided violence deaths, log(1 + deaths)."""
    parse = ForecastParse()
    result = parse.result
    columns = tuple(variable.column for variable in UCDP_ONE_SIDED_VARIABLES)
    frame = _read(raw, (*UCDP_ONE_SIDED_COLUMNS, *columns), {*UCDP_ONE_SIDED_COLUMNS, *columns}, parse)
    if frame is None:
        return parse
    years = year_column(frame, "year_cy", result, context.today)
    numbers = {}
    for variable in UCDP_ONE_SIDED_VARIABLES:
        deaths = numeric_column(frame, variable.column, result)
        for position in np.flatnonzero((deaths < 0).to_numpy()):
            result.error(file_row(int(position)), variable.column, "deaths cannot be negative", deaths.iloc[position])
        numbers[variable.name] = np.log1p(deaths.where(deaths >= 0))
    table = _resolved_table(frame, years, context, parse, column="country_id_cy", system="gw")
    _append_structural(parse, table, numbers)
    return parse


def _append_structural(parse: ForecastParse, table: pd.DataFrame, numbers: dict[str, pd.Series]) -> None:
    """One StructuralRow per resolved country-year, with the values it has (a blank cell is no value)."""
    for index, iso3, year in zip(table.index, table["iso3"], table["year"], strict=True):
        values = {}
        for name, series in numbers.items():
            value = series[index]
            if not (value is None or math.isnan(value)):
                values[name] = float(value)
        parse.structural.append(StructuralRow(iso3=iso3, year=int(year), values=values, row=file_row(int(index))))
    parse.result.extra["years"] = [min(parse.years), max(parse.years)] if parse.structural else []


EWP_FORECAST_COLUMNS = ("year", "ccode", "risk_prev", "rank_prev")


def parse_ewp_out_of_sample(raw: bytes, context: ParserContext) -> tuple[pd.DataFrame, ParseResult]:
    """EWP's fully out-of-sample forecasts (ewp_out_of_sample_forecasts_1994_2010.csv): for each country-year T,
    risk_prev and rank_prev were made from T-1 data by a model trained on earlier years only. Rows without a
    forecast are dropped; the frame has iso3, year, ewp_risk, ewp_rank."""
    result = ParseResult()
    empty = pd.DataFrame(columns=["iso3", "year", "ewp_risk", "ewp_rank"])
    try:
        frame = read_table(raw, usecols=lambda column: column.strip() in EWP_FORECAST_COLUMNS)
    except UnreadableFile as exc:
        result.refuse(exc.error)
        return empty, result
    if not require_columns(frame, EWP_FORECAST_COLUMNS, result):
        return empty, result
    frame = frame.reset_index(drop=True)
    years = numeric_column(frame, "year", result)
    risk = numeric_column(frame, "risk_prev", result)
    rank = numeric_column(frame, "rank_prev", result)
    resolve = code_resolver(context.crosswalk, "ewp")
    rows = []
    for position in frame.index:
        if pd.isna(risk[position]) or pd.isna(years[position]):
            continue
        resolution = resolve(str(frame["ccode"][position]), int(years[position]))
        if resolution.iso3 is None:
            continue
        rows.append((resolution.iso3, int(years[position]), float(risk[position]), rank[position]))
    return pd.DataFrame(rows, columns=["iso3", "year", "ewp_risk", "ewp_rank"]), result
