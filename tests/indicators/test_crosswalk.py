"""The country crosswalk: reference CSV integrity, GW/COW differences and historical states.

The real datasets are checked in test_crosswalk_real_data.py.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from indicators.crosswalk import (
    COUNTRIES_CSV,
    CountryCrosswalk,
    CountryRecord,
    HistoricalState,
    normalise_name,
)

# UN member states (193) as ISO-3, written out here so the test does not depend on the CSV it checks.
UN_MEMBERS = """
AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA BRA BRN BGR BFA BDI CPV KHM
CMR CAN CAF TCD CHL CHN COL COM COG CRI CIV HRV CUB CYP CZE PRK COD DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST SWZ ETH FJI
FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB GUY HTI HND HUN ISL IND IDN IRN IRQ IRL ISR ITA JAM JPN JOR KAZ KEN KIR
KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT MUS MEX FSM MCO MNG MNE MAR MOZ MMR NAM NRU
NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL PRT QAT KOR MDA ROU RUS RWA KNA LCA VCT WSM SMR STP
SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN SUR SWE CHE SYR TJK THA TLS TGO TON TTO TUN TUR TKM TUV UGA
UKR ARE GBR TZA USA URY UZB VUT VEN VNM YEM ZMB ZWE
""".split()
UN_OBSERVERS = {"VAT", "PSE"}


@pytest.fixture(scope="module")
def crosswalk() -> CountryCrosswalk:
    return CountryCrosswalk.default()


# --- reference file integrity -------------------------------------------------------------------------------------


def test_at_least_195_countries_have_iso3_and_gw_codes(crosswalk):
    with_gw = [c for c in crosswalk.countries() if c.iso3 and c.gw_code is not None]
    assert len(with_gw) >= 195


def test_all_un_members_present(crosswalk):
    assert len(UN_MEMBERS) == 193
    by_status = defaultdict(set)
    for country in crosswalk.countries():
        by_status[country.un_status].add(country.iso3)
    assert by_status["member"] == set(UN_MEMBERS)
    assert by_status["observer"] == UN_OBSERVERS


def test_tracked_territories_are_kosovo_taiwan_western_sahara_and_hong_kong(crosswalk):
    territories = {c.iso3 for c in crosswalk.countries() if c.un_status == "territory"}
    assert territories == {"XKX", "TWN", "ESH", "HKG"}


def test_iso3_codes_are_unique():
    with COUNTRIES_CSV.open(newline="", encoding="utf-8") as handle:
        codes = [row["iso3"] for row in csv.DictReader(handle)]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 3 and code.isupper() for code in codes)


@pytest.mark.parametrize("field", ["gw_code", "cow_code", "wb_code"])
def test_dataset_codes_are_unique_across_countries(crosswalk, field):
    codes = [getattr(c, field) for c in crosswalk.countries() if getattr(c, field) is not None]
    assert len(codes) == len(set(codes))


def test_regions_are_the_five_un_geoscheme_regions_with_a_subregion(crosswalk):
    assert {c.region for c in crosswalk.countries()} == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    assert all(c.subregion for c in crosswalk.countries())
    assert crosswalk.country("SSD").subregion == "Eastern Africa"
    assert crosswalk.country("SYR").subregion == "Western Asia"
    assert crosswalk.country("NRU").subregion == "Micronesia"


def test_countries_are_frozen_records(crosswalk):
    record = crosswalk.country("COD")
    assert isinstance(record, CountryRecord)
    assert record == CountryRecord(
        "COD", "Democratic Republic of the Congo", "Africa", "Middle Africa", 490, 490, "COD", "member"
    )
    with pytest.raises(AttributeError):
        record.iso3 = "ZAR"


def test_entities_without_a_code_keep_it_empty_rather_than_invented(crosswalk):
    western_sahara = crosswalk.country("ESH")
    assert (western_sahara.gw_code, western_sahara.cow_code, western_sahara.wb_code) == (None, None, None)
    assert crosswalk.country("PSE").gw_code is None
    assert crosswalk.country("VAT").cow_code is None


def test_every_historical_successor_is_a_tracked_country(crosswalk):
    tracked = {c.iso3 for c in crosswalk.countries()}
    successors = {s.successor_iso3 for s in crosswalk.historical_states() if s.successor_iso3}
    assert successors <= tracked


def test_a_historical_successor_pointing_at_an_untracked_country_is_rejected():
    country = CountryRecord("DEU", "Germany", "Europe", "Western Europe", 260, 255, "DEU", "member")
    bad = HistoricalState("gw", "265", "German Democratic Republic", 1949, 1990, "DDR", "")
    with pytest.raises(ValueError, match="not tracked"):
        CountryCrosswalk([country], [bad])


def test_two_countries_sharing_a_gw_code_are_rejected():
    first = CountryRecord("AAA", "A", "Europe", "Western Europe", 260, None, None, "member")
    second = CountryRecord("BBB", "B", "Europe", "Western Europe", 260, None, None, "member")
    with pytest.raises(ValueError, match="gw code 260"):
        CountryCrosswalk([first, second], [])


# --- Gleditsch-Ward vs Correlates of War ------------------------------------------------------------------------------


def test_germany_gleditsch_ward_260_and_cow_255_both_map_to_deu(crosswalk):
    assert crosswalk.iso3_from_gw(260) == "DEU"
    assert crosswalk.iso3_from_cow(255) == "DEU"
    assert crosswalk.iso3_from_gw(260, 2020) == "DEU"
    assert crosswalk.iso3_from_cow(255, 2020) == "DEU"


def test_west_germany_cow_260_maps_to_deu_before_1990_only(crosswalk):
    assert crosswalk.iso3_from_cow(260, 1970) == "DEU"
    assert crosswalk.iso3_from_cow(260, 2000) is None


def test_serbia_gw_340_maps_to_srb(crosswalk):
    assert crosswalk.iso3_from_gw(340) == "SRB"
    assert crosswalk.iso3_from_gw(340, 2020) == "SRB"


def test_serbia_cow_345_maps_to_srb_and_gw_345_only_with_a_year_after_1991(crosswalk):
    assert crosswalk.iso3_from_cow(345) == "SRB"
    assert crosswalk.iso3_from_gw(345) is None
    assert crosswalk.iso3_from_gw(345, 2000) == "SRB"
    # UCDP keeps 345 for Serbia after Montenegro's independence.
    assert crosswalk.iso3_from_gw(345, 2020) == "SRB"


def test_yemen_gw_678_and_cow_679_map_to_yem(crosswalk):
    assert crosswalk.iso3_from_gw(678) == "YEM"
    assert crosswalk.iso3_from_cow(679) == "YEM"
    assert crosswalk.iso3_from_cow(678) is None
    assert crosswalk.iso3_from_cow(678, 1980) == "YEM"


def test_russia_365_and_vietnam_816_are_the_same_in_both_systems(crosswalk):
    for code, iso3 in ((365, "RUS"), (816, "VNM")):
        assert crosswalk.iso3_from_gw(code) == iso3
        assert crosswalk.iso3_from_cow(code) == iso3


@pytest.mark.parametrize(
    ("iso3", "gw", "cow"),
    [("KIR", 970, 946), ("NRU", 971, 970), ("TON", 972, 955), ("TUV", 973, 947)],
)
def test_pacific_microstates_use_different_gw_and_cow_codes(crosswalk, iso3, gw, cow):
    assert crosswalk.iso3_from_gw(gw) == iso3
    assert crosswalk.iso3_from_cow(cow) == iso3
    record = crosswalk.country(iso3)
    assert (record.gw_code, record.cow_code) == (gw, cow)


def test_gw_970_is_kiribati_but_cow_970_is_nauru(crosswalk):
    assert crosswalk.iso3_from_gw(970) == "KIR"
    assert crosswalk.iso3_from_cow(970) == "NRU"


@pytest.mark.parametrize(
    ("gw", "iso3"), [(221, "MCO"), (223, "LIE"), (232, "AND"), (331, "SMR"), (327, "VAT"), (347, "XKX"), (713, "TWN")]
)
def test_gleditsch_ward_microstates_and_contested_states_resolve(crosswalk, gw, iso3):
    assert crosswalk.iso3_from_gw(gw) == iso3


def test_unknown_gw_code_returns_none(crosswalk):
    assert crosswalk.iso3_from_gw(999) is None
    assert crosswalk.iso3_from_gw(999, 2020) is None


def test_unknown_cow_and_wb_codes_return_none(crosswalk):
    assert crosswalk.iso3_from_cow(1) is None
    assert crosswalk.iso3_from_wb("QQQ") is None


def test_codes_read_by_pandas_as_floats_or_text_resolve_like_ints(crosswalk):
    assert crosswalk.iso3_from_gw(260.0) == "DEU"
    assert crosswalk.iso3_from_gw("260") == "DEU"
    assert crosswalk.iso3_from_cow("679.0") == "YEM"


# --- historical states ----------------------------------------------------------------------------------------------


def test_east_germany_265_maps_to_deu_only_via_history_within_its_years(crosswalk):
    assert crosswalk.iso3_from_gw(265) is None
    assert crosswalk.iso3_from_gw(265, 1980) == "DEU"
    assert crosswalk.iso3_from_cow(265, 1980) == "DEU"
    assert crosswalk.iso3_from_gw(265, 1995) is None
    state = crosswalk.historical_state("gw", 265, 1980)
    assert state.name == "German Democratic Republic"


def test_soviet_union_365_resolves_to_russia_by_continuity(crosswalk):
    assert crosswalk.iso3_from_gw(365, 1980) == "RUS"
    assert crosswalk.historical_state("gw", 365, 1980).name == "Soviet Union"
    assert crosswalk.historical_state("gw", 365, 2000) is None


def test_yugoslavia_before_1992_has_no_unique_successor_so_gw_and_cow_345_return_none(crosswalk):
    assert crosswalk.iso3_from_gw(345, 1985) is None
    assert crosswalk.iso3_from_cow(345, 1985) is None
    assert crosswalk.historical_state("gw", 345, 1985).successor_iso3 is None


def test_serbia_and_montenegro_1992_to_2006_resolves_to_srb(crosswalk):
    assert crosswalk.iso3_from_gw(345, 1995) == "SRB"
    assert crosswalk.iso3_from_cow(345, 2003) == "SRB"


def test_czechoslovakia_has_no_successor_in_any_year(crosswalk):
    for year in (None, 1980, 1992, 2000):
        assert crosswalk.iso3_from_gw(315, year) is None
        assert crosswalk.iso3_from_cow(315, year) is None


@pytest.mark.parametrize(
    ("code", "year", "iso3"),
    [
        (817, 1970, "VNM"),
        (680, 1980, "YEM"),
        (511, 1964, "TZA"),
        (625, 2000, "SDN"),
        (530, 1985, "ETH"),
        (751, 1948, "IND"),
    ],
)
def test_absorbed_and_split_states_resolve_within_their_years(crosswalk, code, year, iso3):
    assert crosswalk.iso3_from_gw(code, year) == iso3


def test_absorbed_states_do_not_resolve_without_a_year(crosswalk):
    assert crosswalk.iso3_from_gw(817) is None
    assert crosswalk.iso3_from_gw(680) is None


def test_tibet_and_georgian_breakaway_states_map_to_nothing(crosswalk):
    assert crosswalk.iso3_from_gw(711, 1940) is None
    assert crosswalk.iso3_from_gw(396, 2015) is None
    assert crosswalk.iso3_from_gw(397, 2015) is None


def test_papal_states_327_is_not_vatican_city_before_1870(crosswalk):
    assert crosswalk.iso3_from_gw(327, 1850) is None
    assert crosswalk.iso3_from_gw(327, 2000) == "VAT"


# --- World Bank, V-Dem, EWP and names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "iso3"),
    [("ROU", "ROU"), ("ROM", "ROU"), ("COD", "COD"), ("ZAR", "COD"), ("XKX", "XKX"), ("KSV", "XKX"), ("WBG", "PSE")],
)
def test_world_bank_current_and_former_codes_resolve(crosswalk, code, iso3):
    assert crosswalk.iso3_from_wb(code) == iso3


def test_world_bank_codes_of_untracked_territories_return_none(crosswalk):
    assert crosswalk.iso3_from_wb("PRI") is None
    assert crosswalk.iso3_from_wb("YUG") is None
    assert crosswalk.iso3_from_wb("YUG", 2000) == "SRB"


@pytest.mark.parametrize(
    ("text_id", "year", "iso3"),
    [("XKX", 2020, "XKX"), ("PSE", 2020, "PSE"), ("DDR", 1980, "DEU"), ("YMD", 1980, "YEM"), ("VDR", 1970, "VNM")],
)
def test_vdem_text_ids_including_historical_states_resolve(crosswalk, text_id, year, iso3):
    assert crosswalk.iso3_from_vdem(text_id, year=year) == iso3


@pytest.mark.parametrize("text_id", ["SML", "ZZB", "PSG"])
def test_vdem_units_inside_tracked_countries_return_none_to_avoid_double_counting(crosswalk, text_id):
    assert crosswalk.iso3_from_vdem(text_id, year=2020) is None
    assert crosswalk.iso3_from_vdem(text_id, cow_code=511, year=2020) is None


def test_vdem_serbia_before_1992_is_yugoslavia_and_returns_none(crosswalk):
    assert crosswalk.iso3_from_vdem("SRB", year=1985) is None
    assert crosswalk.iso3_from_vdem("SRB", year=2010) == "SRB"


def test_vdem_unknown_text_id_falls_back_to_its_cow_code(crosswalk):
    assert crosswalk.iso3_from_vdem("XYZ", cow_code=255, year=2020) == "DEU"
    assert crosswalk.iso3_from_vdem("XYZ") is None


def test_ewp_ccode_uses_cow_255_and_679_but_gw_elsewhere(crosswalk):
    assert crosswalk.iso3_from_ewp(255, 1970) == "DEU"
    assert crosswalk.iso3_from_ewp(679, 2005) == "YEM"
    assert crosswalk.iso3_from_ewp(678, 1980) == "YEM"
    assert crosswalk.iso3_from_ewp(345, 2008) == "SRB"
    assert crosswalk.iso3_from_ewp(970) == "KIR"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Congo, Dem. Rep.", "COD"),
        ("Congo-Kinshasa", "COD"),
        ("DR Congo (Zaire)", "COD"),
        ("Congo", "COG"),
        ("Burma", "MMR"),
        ("Ivory Coast", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("CÔTE D’IVOIRE", "CIV"),
        ("Russia (Soviet Union)", "RUS"),
        ("Yemen (North Yemen)", "YEM"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("The Gambia", "GMB"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Antigua & Barbuda", "ATG"),
    ],
)
def test_names_and_dataset_spellings_resolve(crosswalk, name, iso3):
    assert crosswalk.iso3_from_name(name) == iso3


def test_names_of_dissolved_states_and_near_misses_return_none(crosswalk):
    for name in ("Czechoslovakia", "East Germany", "Yugoslavia", "Germny", "Congo Republic of the Democratic", ""):
        assert crosswalk.iso3_from_name(name) is None


def test_known_untracked_entities_are_recognised_by_name(crosswalk):
    assert crosswalk.is_untracked_name("Gaza (Hamas)")
    assert crosswalk.iso3_from_name("Somaliland") is None
    assert not crosswalk.is_untracked_name("Somalia")


def test_every_tracked_name_resolves_to_its_own_iso3(crosswalk):
    for country in crosswalk.countries():
        assert crosswalk.iso3_from_name(country.name) == country.iso3, country.name


def test_name_normalisation_strips_accents_punctuation_and_case():
    assert normalise_name("  Côte d’Ivoire ") == "cote d ivoire"
    assert normalise_name("Antigua & Barbuda") == "antigua and barbuda"
