"""The framework and country reference data loaded by migration."""

from pathlib import Path

import pytest
from django.db.models import Count

from indicators.framework import FrameworkFileError, framework_records_read
from indicators.models import Country, FrameworkVersion, Indicator, RiskFactor

pytestmark = pytest.mark.django_db

EXPECTED_GROUPS = {
    **{number: "common" for number in range(1, 9)},
    9: "genocide",
    10: "genocide",
    11: "crimes_against_humanity",
    12: "crimes_against_humanity",
    13: "war_crimes",
    14: "war_crimes",
}


def test_the_active_framework_has_14_risk_factors_and_142_indicators():
    framework = FrameworkVersion.objects.get(is_active=True)
    assert framework.risk_factors.count() == 14
    assert framework.indicators.count() == 142


def test_each_risk_factor_belongs_to_the_right_crime_group():
    assert dict(RiskFactor.objects.values_list("number", "crime_group")) == EXPECTED_GROUPS


def test_every_risk_factor_has_indicators_numbered_from_one():
    counts = dict(RiskFactor.objects.annotate(n=Count("indicators")).values_list("number", "n"))
    assert all(counts[number] >= 6 for number in range(1, 15))
    assert Indicator.objects.get(code="7.4").risk_factor.number == 7


def test_at_least_195_countries_have_iso3_and_gleditsch_ward_codes():
    assert Country.objects.exclude(gw_code=None).exclude(iso3="").count() >= 195


def test_every_country_has_a_desk():
    assert not Country.objects.filter(desk=None).exists()


def test_contested_territories_analysts_track_are_present():
    assert set(Country.objects.filter(iso3__in=["XKX", "TWN", "ESH", "PSE"]).values_list("iso3", flat=True)) == {
        "XKX",
        "TWN",
        "ESH",
        "PSE",
    }


def test_country_codes_match_the_crosswalk():
    germany = Country.objects.get(iso3="DEU")
    assert (germany.gw_code, germany.cow_code) == (260, 255)


def write_csv(path: Path, body: str) -> Path:
    path.write_text("code,risk_factor,risk_factor_name,crime_group,short_title,wording_status\n" + body)
    return path


def test_framework_file_with_an_unknown_crime_group_is_refused_naming_row_and_column(tmp_path):
    path = write_csv(tmp_path / "f.csv", "1.1,1,Conflict,common,A,checked\n1.2,1,Conflict,piracy,B,checked\n")
    with pytest.raises(FrameworkFileError, match=r"row 3, column crime_group: unknown group 'piracy'"):
        framework_records_read(path)


def test_framework_file_with_a_code_outside_its_factor_is_refused(tmp_path):
    path = write_csv(tmp_path / "f.csv", "2.1,1,Conflict,common,A,checked\n")
    with pytest.raises(FrameworkFileError, match="does not belong to risk factor 1"):
        framework_records_read(path)


def test_framework_file_missing_a_column_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("code,risk_factor\n1.1,1\n")
    with pytest.raises(FrameworkFileError, match="missing column"):
        framework_records_read(path)
