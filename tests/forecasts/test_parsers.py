"""Pure parsers of the forecast's sources: EWP base data (every malformed-file path), the model matrix and UCDP's
one-sided violence."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from forecasts.parsers import (
    STRUCTURAL_VARIABLES,
    parse_ewp_basedata,
    parse_ewp_out_of_sample,
    parse_ewp_structural,
    parse_ucdp_one_sided,
)
from indicators.crosswalk import CountryCrosswalk
from indicators.importers.base import ParserContext

HEADER = "year,country,ccode,mk_onset,mk_ongoing,mk_onset_count,mk_ongoing_code"


@pytest.fixture(scope="module")
def context() -> ParserContext:
    return ParserContext(crosswalk=CountryCrosswalk.default(), indicator_codes=frozenset(), today=dt.date(2026, 6, 1))


def table(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def located(parse) -> list[tuple[int | None, str | None]]:
    return [(error.row, error.column) for error in parse.result.errors]


def test_base_data_rows_become_outcomes_of_tracked_countries(context):
    parse = parse_ewp_basedata(
        table(
            HEADER,
            "2009,Sudan,625,0,1,0,sdn2003s1",
            "2010,Sudan,625,1,1,1,sdn2003s1;sdn2010ns1",
            "2010,Norway,385,0,0,0,",
        ),
        context,
    )
    assert parse.result.errors == []
    outcomes = {(row.iso3, row.year): row for row in parse.outcomes}
    assert outcomes[("SDN", 2010)].onset and outcomes[("SDN", 2010)].ongoing
    assert outcomes[("SDN", 2010)].episodes == "sdn2003s1;sdn2010ns1"
    assert not outcomes[("SDN", 2009)].onset
    assert not outcomes[("NOR", 2010)].ongoing
    assert parse.years == [2009, 2010]


def test_base_data_without_a_required_column_names_it_in_the_header(context):
    parse = parse_ewp_basedata(table("year,ccode,mk_onset,mk_ongoing", "2010,625,0,1"), context)
    assert parse.result.fatal
    assert (1, "mk_onset_count") in located(parse)
    assert parse.outcomes == []


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("2010,Sudan,625,2,1,1,", "mk_onset", "must be 0 or 1"),
        ("2010,Sudan,625,yes,1,1,", "mk_onset", "not a number"),
        ("2010,Sudan,625,,1,0,", "mk_onset", "the value is missing"),
        ("2010,Sudan,625,0,1,-1,", "mk_onset_count", "whole number"),
        ("2010,Sudan,625,1,1,0,", "mk_onset_count", "says 0 onsets but mk_onset is 1"),
        ("2010,Sudan,625,1,0,1,", "mk_ongoing", "must also have an ongoing episode"),
        ("20x0,Sudan,625,0,1,0,", "year", "the year is not a number"),
        ("2030,Sudan,625,0,1,0,", "year", "out of range"),
        ("2010,Atlantis,9999,0,0,0,", "ccode", "unknown country code"),
        ("2010,Sudan,,0,0,0,", "ccode", "the country code is missing"),
    ],
)
def test_each_malformed_base_data_row_is_named_by_row_and_column(context, row, column, message):
    parse = parse_ewp_basedata(table(HEADER, "2009,Norway,385,0,0,0,", row), context)
    errors = [error for error in parse.result.errors if error.row == 3]
    assert errors, parse.result.errors
    assert errors[0].column == column
    assert message in errors[0].message
    assert 3 in parse.result.invalid_rows
    assert [outcome.iso3 for outcome in parse.outcomes] == ["NOR"]


def test_base_data_giving_one_country_twice_in_a_year_is_an_error_on_the_second_row(context):
    parse = parse_ewp_basedata(table(HEADER, "2010,Sudan,625,0,1,0,", "2010,Sudan,625,1,1,1,"), context)
    assert (3, "ccode") in located(parse)
    assert "already given in row 2" in parse.result.errors[0].message


def test_an_empty_or_ragged_base_data_file_is_refused_as_a_whole(context):
    assert parse_ewp_basedata(b"", context).result.fatal
    assert parse_ewp_basedata(table(HEADER), context).result.fatal
    ragged = parse_ewp_basedata(table(HEADER, "2010,Sudan,625,0,1,0,,extra,fields"), context)
    assert ragged.result.fatal and ragged.outcomes == []


def test_a_base_data_file_in_the_wrong_encoding_names_the_row_and_column(context):
    raw = table(HEADER, "2010,Sudan,625,0,1,0,").replace(b"Sudan", b"S\xfcdan")
    parse = parse_ewp_basedata(raw, context)
    assert parse.result.fatal
    assert located(parse) == [(2, "country")]


def test_structural_rows_keep_documented_names_and_leave_missing_values_out(context):
    columns = [variable.column for variable in STRUCTURAL_VARIABLES]
    values = ["1"] * len(columns)
    values[columns.index("gdppcgrowth")] = "unknown"
    header = ",".join(["ccode", "year", *columns])
    parse = parse_ewp_structural(table(header, ",".join(["625", "2010", *values])), context)
    assert (parse.result.errors[0].row, parse.result.errors[0].column) == (2, "gdppcgrowth")
    values[columns.index("gdppcgrowth")] = "NA"  # R's missing value, as EWP writes it
    parse = parse_ewp_structural(table(header, ",".join(["625", "2010", *values])), context)
    assert parse.result.errors == []
    [row] = parse.structural
    assert row.iso3 == "SDN" and row.year == 2010
    assert "gdp_pc_growth" not in row.values
    assert row.values["population_log2"] == 1.0


def test_ewp_out_of_sample_forecasts_resolve_to_countries_and_drop_rows_without_a_forecast(context):
    raw = table(
        ",year,ewp_name,ccode,mk_onset,risk_prev,rank_prev",
        "1,1994,Sudan,625,0,0.05,3",
        "2,1994,Norway,385,0,NA,NA",
    )
    frame, result = parse_ewp_out_of_sample(raw, context)
    assert list(frame["iso3"]) == ["SDN"]
    assert frame.iloc[0]["ewp_risk"] == 0.05


UCDP_HEADER = "country_id_cy,country_cy,year_cy,sb_total_deaths_best_cy,os_total_deaths_best_cy"


def test_ucdp_one_sided_deaths_become_log_one_plus_deaths_of_the_gleditsch_ward_country(context):
    parse = parse_ucdp_one_sided(
        table(UCDP_HEADER, "625,Sudan,2003,1200,4305", "385,Norway,2003,0,0", "517,Rwanda,1994,50,"), context
    )
    assert parse.result.errors == []
    rows = {(row.iso3, row.year): row.values for row in parse.structural}
    assert math.isclose(rows[("SDN", 2003)]["one_sided_deaths_log1p"], math.log(4306))
    assert rows[("NOR", 2003)] == {"one_sided_deaths_log1p": 0.0}  # an observed zero, not a gap
    assert rows[("RWA", 1994)] == {}  # a blank cell is no value


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("625,Sudan,2003,1,-5", "os_total_deaths_best_cy"),
        ("625,Sudan,2003,1,many", "os_total_deaths_best_cy"),
        ("99999,Nowhere,2003,1,5", "country_id_cy"),
        ("625,Sudan,year,1,5", "year_cy"),
    ],
)
def test_each_malformed_ucdp_one_sided_row_is_named_by_row_and_column(context, row, column):
    parse = parse_ucdp_one_sided(table(UCDP_HEADER, "385,Norway,2003,0,0", row), context)
    assert (3, column) in located(parse)


def test_a_ucdp_file_without_the_one_sided_column_names_it_in_the_header(context):
    parse = parse_ucdp_one_sided(table("country_id_cy,year_cy,sb_total_deaths_best_cy", "625,2003,1"), context)
    assert parse.result.fatal
    assert "os_total_deaths_best_cy" in parse.result.errors[0].message
