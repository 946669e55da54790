"""Pure parsers: each source's mapping, crosswalk edge cases as importers see them, and every malformed-input path."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.crosswalk import CountryCrosswalk
from indicators.importers import PARSERS
from indicators.importers.base import ABSORBED_CODES, ParserContext
from indicators.importers.ewp import ewp_reference_ranking
from indicators.importers.mappings import MAPPINGS, SOURCES, dataset_mappings
from tests.indicators.parsing import INDICATOR_CODES, by_key, parser_context, table


@pytest.fixture(scope="module")
def context() -> ParserContext:
    return parser_context()


UCDP_HEADER = (
    "country_id_cy,country_cy,year_cy,sb_total_deaths_best_cy,ns_total_deaths_best_cy,"
    "os_any_govt_killings_best_cy,os_total_deaths_best_cy"
)


# --- the mapping table -------------------------------------------------------------------------------------------


def test_every_mapping_points_at_a_framework_indicator_and_gives_a_reason():
    for mapping in MAPPINGS:
        assert mapping.indicator in INDICATOR_CODES, mapping
        assert mapping.source in SOURCES
        assert len(mapping.reason) > 40, mapping.variable


def test_dataset_mappings_lists_every_source_with_readable_rules():
    listed = {entry["source"]: entry for entry in dataset_mappings()}
    assert set(listed) == set(SOURCES)
    ucdp = {m["variable"]: m for m in listed["ucdp_country_year"]["mappings"]}
    assert ucdp["sb_total_deaths_best_cy"]["indicator"] == "1.1"
    assert [rule["severity"] for rule in ucdp["sb_total_deaths_best_cy"]["rules"]] == [0, 1, 2, 3]
    assert ucdp["sb_total_deaths_best_cy"]["rules"][3]["rule"] == "1000 or more deaths"
    assert listed["vdem"]["dating"] == "31 December of the data year"


def test_every_source_has_a_parser():
    assert set(PARSERS) == set(SOURCES)


def test_absorbed_codes_cover_every_coexisting_historical_state():
    crosswalk = CountryCrosswalk.default()
    coexisting = {
        (state.system, state.code) for state in crosswalk.historical_states() if "coexisted with" in state.note.lower()
    }
    assert coexisting <= ABSORBED_CODES


# --- UCDP ----------------------------------------------------------------------------------------------------------


def test_ucdp_country_year_maps_deaths_to_conflict_violations_and_attacks_on_civilians(context):
    result = PARSERS["ucdp_country_year"](
        table(
            UCDP_HEADER, "775,Myanmar,2021,2500,0,1200,1300", "380,Sweden,2021,0,0,0,0", "90,Guatemala,2021,30,3,0,24"
        ),
        context,
    )
    assert result.errors == []
    severities = by_key(result)
    assert severities[("MMR", "1.1", 2021)] == 3
    assert severities[("MMR", "2.1", 2021)] == 3
    assert severities[("MMR", "11.1", 2021)] == 3
    assert severities[("SWE", "1.1", 2021)] == 0
    assert severities[("GTM", "1.1", 2021)] == 2
    assert severities[("GTM", "1.5", 2021)] == 1
    assert severities[("GTM", "11.1", 2021)] == 1
    record = next(r for r in result.records if r.iso3 == "MMR" and r.indicator == "1.1")
    assert record.observed_on == dt.date(2021, 12, 31)
    assert record.confidence == "high"
    assert "2500" in record.evidence


def test_ucdp_keeps_west_germany_and_drops_east_germany_in_the_same_year(context):
    result = PARSERS["ucdp_country_year"](
        table(UCDP_HEADER, "260,German Federal Republic,1989,0,0,0,0", "265,German Democratic Republic,1989,30,0,0,0"),
        context,
    )
    assert result.errors == []
    assert by_key(result)[("DEU", "1.1", 1989)] == 0
    assert len([r for r in result.records if r.indicator == "1.1"]) == 1
    assert "265" in result.merged[0] and "DEU" in result.merged[0]


def test_ucdp_east_germany_alone_becomes_germany(context):
    result = PARSERS["ucdp_country_year"](table(UCDP_HEADER, "265,German Democratic Republic,1989,30,0,0,0"), context)
    assert by_key(result)[("DEU", "1.1", 1989)] == 2


def test_ucdp_yemen_before_and_after_unification(context):
    result = PARSERS["ucdp_country_year"](
        table(
            UCDP_HEADER,
            "678,Yemen (North Yemen),1989,0,0,0,0",
            "680,South Yemen,1989,40,0,0,0",
            "678,Yemen,1994,1500,0,0,0",
        ),
        context,
    )
    severities = by_key(result)
    assert severities[("YEM", "1.1", 1989)] == 0
    assert severities[("YEM", "1.1", 1994)] == 3
    assert len(result.merged) == 1


def test_ucdp_ussr_is_russia_and_yugoslavia_is_reported_as_untracked_not_guessed(context):
    result = PARSERS["ucdp_country_year"](
        table(UCDP_HEADER, "365,Russia (Soviet Union),1990,0,0,0,0", "345,Yugoslavia,1991,2000,0,0,0"), context
    )
    assert result.errors == []
    assert by_key(result)[("RUS", "1.1", 1990)] == 0
    assert not any(r.observed_on.year == 1991 for r in result.records)
    assert result.untracked == {"345 Yugoslavia (SFRY)": 1}


def test_ucdp_serbia_code_345_after_1992_is_serbia(context):
    result = PARSERS["ucdp_country_year"](table(UCDP_HEADER, "345,Serbia (Yugoslavia),1999,1200,0,0,0"), context)
    assert by_key(result)[("SRB", "1.1", 1999)] == 3


def test_ucdp_unknown_country_code_is_reported_with_row_and_column(context):
    result = PARSERS["ucdp_country_year"](
        table(UCDP_HEADER, "380,Sweden,2020,0,0,0,0", "999,Atlantis,2020,0,0,0,0"), context
    )
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (3, "country_id_cy", "999")
    assert "unknown country" in error.message
    assert result.unresolved() == {"999": 1}


# --- V-Dem ---------------------------------------------------------------------------------------------------------

VDEM_HEADER = "country_name,country_text_id,year,v2x_clphy,v2xpe_exlsocgr,v2csreprss,v2mecenefm,e_pt_coup"


def test_vdem_maps_violence_exclusion_repression_censorship_and_coups(context):
    result = PARSERS["vdem"](
        table(VDEM_HEADER, "Syria,SYR,2022,0.065,0.927,-2.34,-2.996,", "Sweden,SWE,2022,0.98,0.1,3.1,3.0,0"), context
    )
    assert result.errors == []
    severities = by_key(result)
    assert [severities[("SYR", code, 2022)] for code in ("2.1", "9.1", "6.2", "7.6")] == [3, 3, 3, 3]
    assert ("SYR", "8.4", 2022) not in severities  # missing coup value: no assessment, not a 0
    assert [severities[("SWE", code, 2022)] for code in ("2.1", "9.1", "6.2", "7.6", "8.4")] == [0, 0, 0, 0, 0]
    assert {r.confidence for r in result.records} == {"medium"}


def test_vdem_coup_count_scores_a_successful_coup_as_serious(context):
    result = PARSERS["vdem"](table(VDEM_HEADER, "Burkina Faso,BFA,2022,0.5,0.3,0.5,0.5,2"), context)
    assert by_key(result)[("BFA", "8.4", 2022)] == 3


def test_vdem_south_vietnam_folds_into_vietnam_only_when_vietnam_is_absent(context):
    result = PARSERS["vdem"](
        table(VDEM_HEADER, "Vietnam,VNM,1972,0.2,0.5,0,0,0", "Republic of Vietnam,VDR,1972,0.5,0.5,0,0,1"), context
    )
    assert by_key(result)[("VNM", "8.4", 1972)] == 0
    assert len(result.merged) == 1


def test_vdem_yugoslavia_coded_as_serbia_before_1992_is_untracked(context):
    result = PARSERS["vdem"](
        table(VDEM_HEADER, "Serbia,SRB,1990,0.5,0.5,0,0,0", "Serbia,SRB,2000,0.5,0.5,0,0,0"), context
    )
    assert result.errors == []
    assert {r.observed_on.year for r in result.records} == {2000}
    assert sum(result.untracked.values()) == 1


def test_vdem_non_numeric_value_names_row_and_column(context):
    result = PARSERS["vdem"](table(VDEM_HEADER, "Syria,SYR,2022,0.065,lots,-2.34,-2.996,0"), context)
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "v2xpe_exlsocgr", "lots")
    assert result.records == []


# --- PTS -----------------------------------------------------------------------------------------------------------

PTS_HEADER = "Country,Country_OLD,Year,COW_Code_A,COW_Code_N,WordBank_Code_A,UN_Code_N,Region,PTS_A,PTS_H,PTS_S"


def test_pts_takes_the_worst_report_and_reads_latin_1(context):
    raw = (
        PTS_HEADER + "\nTürkiye,Turkey,2020,TUR,640,TUR,792,eca,4,3,5\nNorway,Norway,2020,NOR,385,NOR,578,eca,1,NA,1\n"
    ).encode("latin-1")
    result = PARSERS["pts"](raw, context)
    assert result.errors == []
    severities = by_key(result)
    assert severities[("TUR", "2.1", 2020)] == 3
    assert severities[("NOR", "2.1", 2020)] == 0
    assert "US State Department 5" in next(r.evidence for r in result.records if r.iso3 == "TUR")


def test_pts_uses_the_world_bank_code_when_cow_has_none_and_skips_untracked_entities(context):
    result = PARSERS["pts"](
        table(
            PTS_HEADER,
            "Kosovo,Kosovo,2015,,,KSV,,eca,2,NA,2",
            "Crimea,Crimea,2015,,,,,eca,4,NA,4",
            "German Democratic Republic,GDR,2000,GDR,265,,,eca,NA,NA,NA",
        ),
        context,
    )
    assert result.errors == []
    assert by_key(result) == {("XKX", "2.1", 2015): 1}
    assert result.empty_rows == 1
    assert sum(result.untracked.values()) == 1


def test_pts_score_outside_the_scale_is_an_error(context):
    result = PARSERS["pts"](table(PTS_HEADER, "Norway,Norway,2020,NOR,385,NOR,578,eca,7,NA,1"), context)
    assert [(e.row, e.column) for e in result.errors] == [(2, "PTS_A")]
    assert result.records == []


# --- Polity5 and WGI -----------------------------------------------------------------------------------------------

POLITY_HEADER = "polity_annual_country,year,polity,regtrans,GWn,cown"


def test_polity5_maps_regime_transitions_and_interruptions(context):
    result = PARSERS["polity5"](
        table(
            POLITY_HEADER,
            "Chile,1973,-7,-2,155,155",
            "Chile,1974,-7,,155,155",
            "Chile,1989,8,3,155,155",
            "Somalia,1991,-77,,520,520",
            "Chile,1900,5,,155,155",
        ),
        context,
    )
    assert result.errors == []
    severities = by_key(result)
    assert severities[("CHL", "1.4", 1973)] == 3
    assert severities[("CHL", "1.4", 1974)] == 0
    assert severities[("CHL", "1.4", 1989)] == 1
    assert severities[("SOM", "1.4", 1991)] == 3
    assert result.out_of_window == 1


def test_polity5_east_germany_before_the_gleditsch_ward_start_is_unresolved_not_guessed(context):
    result = PARSERS["polity5"](table(POLITY_HEADER, "Germany East,1946,-88,,265,265"), context)
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "GWn", "265")


def test_wgi_maps_voice_and_accountability_and_keeps_territories_out(context):
    header = "wb_country,wb_code,year,Estimate,StdErr,GWn"
    result = PARSERS["wgi"](
        table(header, "Eritrea,ERI,2020,-2.1,0.2,531", "Romania,ROM,2000,0.3,0.2,360", "Aruba,ABW,2020,1.2,0.3,"),
        context,
    )
    assert result.errors == []
    assert by_key(result) == {("ERI", "1.6", 2020): 3, ("ROU", "1.6", 2000): 1}
    assert list(result.untracked) == ["ABW territory outside the Gleditsch-Ward state system"]


# --- EWP -----------------------------------------------------------------------------------------------------------

EWP_HEADER = "ewp_name,year,discrimpop,mk_ongoing_count_log2,mk_ever,ccode"


def test_ewp_predictors_map_discrimination_and_mass_killing_history(context):
    result = PARSERS["ewp_predictors"](
        table(EWP_HEADER, "Sudan,2005,0.35,1,1,625", "Germany,2005,0,0,1,255", "Norway,2005,0,0,0,385"), context
    )
    assert result.errors == []
    severities = by_key(result)
    assert (severities[("SDN", "9.1", 2005)], severities[("SDN", "2.2", 2005)]) == (3, 3)
    assert (severities[("DEU", "9.1", 2005)], severities[("DEU", "2.2", 2005)]) == (0, 2)
    assert severities[("NOR", "2.2", 2005)] == 0


def test_ewp_yemen_679_is_yemen(context):
    result = PARSERS["ewp_predictors"](table(EWP_HEADER, "Yemen,2005,0.01,0,1,679"), context)
    assert by_key(result)[("YEM", "9.1", 2005)] == 1


def test_ewp_forecasts_import_the_2024_predictors_but_never_the_risk(context):
    header = EWP_HEADER + ",risk.2025and2026.from2024,rank.2025and2026.from2025"
    result = PARSERS["ewp_forecasts"](
        table(header, "Burma/Myanmar,2024,0.06,2,1,775,0.1041,1", "Norway,2024,0,0,0,385,0.001,150"), context
    )
    assert result.errors == []
    assert {r.indicator for r in result.records} == {"9.1", "2.2"}
    assert [entry["iso3"] for entry in result.extra["reference_ranking"]] == ["MMR", "NOR"]


def test_ewp_reference_ranking_orders_by_risk(context):
    header = "ewp_name,year,ccode,risk.2025and2026.from2024"
    ranking, result = ewp_reference_ranking(table(header, "Norway,2024,385,0.001", "Chad,2024,483,0.08"), context)
    assert [(entry.iso3, entry.rank) for entry in ranking] == [("TCD", 1), ("NOR", 2)]


# --- malformed input common to every source ----------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(set(PARSERS) - {"pts"}))
def test_wrong_encoding_is_reported_with_row_and_column(source, context):
    raw = b"a,b,c\n1,2,3\n4,\xff\xfe,6\n"
    result = PARSERS[source](raw, context)
    (error,) = result.errors
    assert (error.row, error.column) == (3, "b")
    assert "UTF-8" in error.message
    assert result.records == []


@pytest.mark.parametrize("source", sorted(PARSERS))
def test_bad_header_names_the_missing_column_in_row_1(source, context):
    result = PARSERS[source](table("country,when,value", "X,2020,1"), context)
    assert result.errors and all(error.row == 1 for error in result.errors)
    assert result.fatal
    assert result.records == []


@pytest.mark.parametrize("source", sorted(PARSERS))
def test_empty_file_is_refused(source, context):
    result = PARSERS[source](b"", context)
    assert result.fatal and "empty" in result.errors[0].message


def test_year_in_the_future_or_unfinished_is_out_of_range(context):
    result = PARSERS["ucdp_country_year"](
        table(UCDP_HEADER, "380,Sweden,2026,0,0,0,0", "380,Sweden,2031,0,0,0,0", "380,Sweden,1066,0,0,0,0"), context
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "year_cy"), (4, "year_cy"), (2, "year_cy")]
    assert result.records == []


def test_ragged_row_is_reported_with_its_row(context):
    result = PARSERS["csv"](
        table("iso3,indicator,date,severity,confidence,source", "SYR,2.1,2020-01-01,2,high,x,extra"), context
    )
    assert result.fatal
    assert result.errors[0].row == 2


# --- generic CSV ---------------------------------------------------------------------------------------------------

CSV_HEADER = "iso3,indicator,date,severity,confidence,source,evidence"


def test_generic_csv_reads_each_row_as_given(context):
    result = PARSERS["csv"](
        table(CSV_HEADER, 'qaa,2.1,2025-06-30,2,Medium,Field mission,"Detentions, beatings"'), context
    )
    assert result.errors == []
    (record,) = result.records
    assert (record.iso3, record.indicator, record.observed_on, record.severity, record.confidence) == (
        "QAA",
        "2.1",
        dt.date(2025, 6, 30),
        2,
        "medium",
    )
    assert record.evidence == "Detentions, beatings"


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("QAA,2.1,2025-06-30,high,medium,src,", "severity", "not a number"),
        ("QAA,2.1,2025-06-30,5,medium,src,", "severity", "0, 1, 2 or 3"),
        ("QAA,99.1,2025-06-30,1,medium,src,", "indicator", "unknown indicator"),
        ("QAA,2.1,30/06/2025,1,medium,src,", "date", "YYYY-MM-DD"),
        ("QAA,2.1,2027-01-01,1,medium,src,", "date", "future"),
        ("QAA,2.1,1899-12-31,1,medium,src,", "date", "before 1900"),
        ("QAA,2.1,2025-06-30,1,certain,src,", "confidence", "low, medium or high"),
        ("QAA,2.1,2025-06-30,1,medium,,", "source", "source"),
        ("Q1,2.1,2025-06-30,1,medium,src,", "iso3", "unknown country"),
    ],
)
def test_generic_csv_invalid_cell_is_located(row, column, fragment, context):
    result = PARSERS["csv"](table(CSV_HEADER, "QAA,2.1,2025-06-30,1,low,ok,", row), context)
    (error,) = result.errors
    assert (error.row, error.column) == (3, column)
    assert fragment in error.message
    assert [record.row for record in result.records] == [2]
