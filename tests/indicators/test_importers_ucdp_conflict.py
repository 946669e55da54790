"""The UCDP/PRIO armed-conflict parser: per claim country and year the highest intensity (1.1) and onsets (8.1), and
when the list's silence may be read as "no conflict" and "no onset"."""

from __future__ import annotations

import pytest

from indicators.importers import PARSERS
from indicators.importers.base import ParserContext
from tests.indicators.parsing import by_key, parser_context, table


@pytest.fixture(scope="module")
def context() -> ParserContext:
    return parser_context()


def test_ucdp_conflict_aggregates_per_location_and_marks_onsets(context):
    header = "conflict_id,location,side_a,side_b,incompatibility,year,intensity_level,start_date2,gwno_loc"
    result = PARSERS["ucdp_conflict"](
        table(
            header,
            "1,Sudan,Government of Sudan,SPLM,1,2011,1,2011-05-01,625",
            "2,Sudan,Government of Sudan,JEM,1,2011,2,2003-02-01,625",
            '3,"India, Pakistan",Government of India,Government of Pakistan,1,1971,2,1971-12-03,"750, 770"',
        ),
        context,
    )
    assert result.errors == []
    severities = by_key(result)
    assert severities[("SDN", "1.1", 2011)] == 3
    assert severities[("SDN", "8.1", 2011)] == 2
    assert severities[("IND", "1.1", 1971)] == 3
    assert severities[("PAK", "8.1", 1971)] == 3


def test_ucdp_conflict_ends_a_conflict_the_year_the_list_stops_naming_the_country(context):
    """UCDP/PRIO lists every conflict-year with 25+ battle deaths: the year after a country's last listed one is 'no
    conflict' (0) before 1989, so the conflict does not count as current for 36 more months; a listed year without a
    new conflict, and the year after the last listed one, are 'no onset' (0), so the onset does not stay the current
    trigger."""
    header = "conflict_id,location,side_a,side_b,incompatibility,year,intensity_level,start_date2,gwno_loc"
    result = PARSERS["ucdp_conflict"](
        table(
            header,
            "1,Congo,Government of Congo,Ninjas,2,1983,1,1983-11-01,484",
            "2,Sudan,Government of Sudan,SPLM,1,1980,2,1980-05-01,625",
            "2,Sudan,Government of Sudan,SPLM,1,1981,1,1980-05-01,625",
            "3,Mali,Government of Mali,MNLA,1,2014,1,2014-01-01,432",
        ),
        context,
    )
    assert result.errors == []
    severities = by_key(result)
    assert (severities[("COG", "1.1", 1983)], severities[("COG", "8.1", 1983)]) == (2, 2)
    assert (severities[("COG", "1.1", 1984)], severities[("COG", "8.1", 1984)]) == (0, 0)
    assert ("COG", "1.1", 1985) not in severities  # only the year after: the 0 then ages like any assessment
    assert (severities[("SDN", "1.1", 1981)], severities[("SDN", "8.1", 1981)]) == (2, 0)
    assert (severities[("SDN", "1.1", 1982)], severities[("SDN", "8.1", 1982)]) == (0, 0)
    # The file's last year: nothing is known after it.
    assert {key for key in severities if key[0] == "MLI"} == {("MLI", "1.1", 2014), ("MLI", "8.1", 2014)}
    ended = next(r for r in result.records if (r.iso3, r.indicator, r.observed_on.year) == ("COG", "1.1", 1984))
    assert "no armed conflict" in ended.evidence and "claim of the country's government" in ended.evidence
    assert ended.row == 2


def test_ucdp_conflict_leaves_no_conflict_from_1989_to_the_country_year_file(context):
    """gwno_loc is the country whose government's claim is disputed, not always where the fighting was; from 1989
    the UCDP country-year file records each year's fighting on the country's soil, so the list records no 'no
    conflict' of its own there (it would contradict that file), only 'no onset'."""
    header = "conflict_id,location,side_a,side_b,incompatibility,year,intensity_level,start_date2,gwno_loc"
    result = PARSERS["ucdp_conflict"](
        table(
            header,
            "1,Congo,Government of Congo,Ninjas,2,1993,1,1993-11-01,484",
            "2,Mali,Government of Mali,MNLA,1,2014,1,2014-01-01,432",
        ),
        context,
    )
    severities = by_key(result)
    assert ("COG", "1.1", 1994) not in severities
    assert severities[("COG", "8.1", 1994)] == 0


def test_ucdp_conflict_records_no_conflict_for_a_country_named_as_a_party(context):
    """A country that a conflict of the year names as a primary or secondary side had a conflict, wherever the list
    locates it: no 'no conflict' for it that year (its government started none over its own claims: 'no onset')."""
    header = (
        "conflict_id,location,side_a,side_b,incompatibility,year,intensity_level,start_date2,gwno_loc,"
        "gwno_a,gwno_a_2nd,gwno_b,gwno_b_2nd"
    )
    result = PARSERS["ucdp_conflict"](
        table(
            header,
            "1,Chad,Government of Chad,FROLINAT,2,1986,1,1986-01-01,483,483,,,",
            "1,Congo,Government of Congo,Rebels,2,1986,1,1986-01-01,484,484,,,",
            "2,Libya,Government of Libya,Government of Chad,1,1987,1,1987-01-01,620,620,,483,",
            '3,Sudan,Government of Sudan,SPLM,1,1987,1,1987-01-01,625,625,"484",,',
            "4,Mali,Government of Mali,MNLA,1,1988,1,1988-01-01,432,432,,,",
        ),
        context,
    )
    assert result.errors == []
    severities = by_key(result)
    assert ("TCD", "1.1", 1987) not in severities  # a primary party of the Libyan conflict
    assert ("COG", "1.1", 1987) not in severities  # a secondary party of the Sudanese one
    assert (severities[("TCD", "8.1", 1987)], severities[("COG", "8.1", 1987)]) == (0, 0)
    assert (severities[("LBY", "1.1", 1988)], severities[("SDN", "1.1", 1988)]) == (0, 0)


def test_ucdp_conflict_with_skip_invalid_a_rejected_row_is_never_no_conflict(context):
    """A row rejected under --skip-invalid says nothing either way: its country-year (its year, when its country
    cannot be read) gets no 'no conflict' and no 'no onset'."""
    header = "conflict_id,location,side_a,side_b,incompatibility,year,intensity_level,start_date2,gwno_loc"
    result = PARSERS["ucdp_conflict"](
        table(
            header,
            "1,Sudan,Government of Sudan,SPLM,1,1980,2,1980-05-01,625",
            "1,Sudan,Government of Sudan,SPLM,1,1981,7,1980-05-01,625",
            "2,Congo,Government of Congo,Ninjas,2,1980,1,1980-01-01,484",
            "3,Atlantis,Government of Atlantis,Rebels,2,1981,1,1981-01-01,999",
            "4,Chad,Government of Chad,FROLINAT,2,1983,1,1983-01-01,483",
            "4,Chad,Government of Chad,FROLINAT,2,1984,1,1983-01-01,483",
            "4,Chad,Government of Chad,FROLINAT,2,1984,1,1984-13-01,483",
            "5,Mali,Government of Mali,MNLA,1,2014,1,2014-01-01,432",
        ),
        context,
    )
    assert sorted((error.row, error.column) for error in result.errors) == [
        (3, "intensity_level"),
        (5, "gwno_loc"),
        (8, "start_date2"),
    ]
    severities = by_key(result)
    assert severities[("SDN", "1.1", 1980)] == 3
    assert not {key for key in severities if key[0] == "SDN" and key[2] == 1981}  # Sudan's own rejected row
    assert not {key for key in severities if key[0] == "COG" and key[2] == 1981}  # a row of an unknown country
    # Chad 1984 is listed, but its rejected row might have been an onset: no 'no onset'.
    assert severities[("TCD", "1.1", 1984)] == 2 and ("TCD", "8.1", 1984) not in severities
    assert (severities[("TCD", "1.1", 1985)], severities[("TCD", "8.1", 1985)]) == (0, 0)


def test_ucdp_conflict_reports_a_bad_intensity(context):
    header = "conflict_id,location,side_a,side_b,year,intensity_level,start_date2,gwno_loc"
    result = PARSERS["ucdp_conflict"](table(header, "1,Sudan,Gov,Reb,2011,7,2011-05-01,625"), context)
    assert [(e.row, e.column) for e in result.errors] == [(2, "intensity_level")]
    assert result.records == []
