"""A file imported again under a newer mapping version: imported anew, said so, and the older import stops counting.

Assessments are append-only, so the older import's rows stay recorded; scoring reads only the newest mapping's.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from indicators.importers import duplicates, services
from indicators.importers.services import dataset_import_run, dataset_imports_enqueue_real_data
from indicators.models import Assessment, DatasetImport, Indicator, Methodology
from indicators.scoring.core import MethodologyParameters, scores_compute
from indicators.scoring.evidence import assessments_frame_read, indicator_frame
from indicators.signals import assessments_imported
from tests.factories import CountryFactory

UCDP_HEADER = (
    "country_id_cy,country_cy,year_cy,sb_total_deaths_best_cy,ns_total_deaths_best_cy,"
    "os_any_govt_killings_best_cy,os_total_deaths_best_cy"
)
OLD = "2000.1"


@pytest.fixture
def countries(db):
    return {
        iso3: CountryFactory(iso3=iso3, name=name, gw_code=gw)
        for iso3, name, gw in (("MMR", "Myanmar", 775), ("SWE", "Sweden", 380))
    }


@pytest.fixture
def old_mapping(monkeypatch):
    """While active, imports record (and compare against) an older mapping version."""
    for module in (services, duplicates):
        monkeypatch.setattr(module, "MAPPING_VERSION", OLD)
    return monkeypatch


def _ucdp(tmp_path):
    path = tmp_path / "ucdp.csv"
    path.write_text(f"{UCDP_HEADER}\n775,Myanmar,2021,2500,0,1200,1300\n380,Sweden,2021,0,0,0,0\n")
    return path


def _old_import(tmp_path, old_mapping, countries) -> DatasetImport:
    """The file imported under the old mapping, which (say) rated Sweden's 2021 conflict at 2 and also recorded its
    2020 at 3, a cell the current mapping leaves out."""
    earlier = dataset_import_run(source="ucdp_country_year", path_or_file=_ucdp(tmp_path))
    old_mapping.undo()
    conflict = Indicator.objects.get(code="1.1", framework__is_active=True)
    for year, severity in ((2021, 2), (2020, 3)):
        Assessment.objects.create(
            country=countries["SWE"],
            indicator=conflict,
            observed_on=dt.date(year, 12, 31),
            severity=severity,
            confidence="high",
            source=f"UCDP ({year})",
            dataset_import=earlier,
        )
    return earlier


def test_the_same_bytes_under_a_newer_mapping_import_again_and_say_so(tmp_path, old_mapping, countries):
    earlier = _old_import(tmp_path, old_mapping, countries)
    out = StringIO()
    call_command("import_data", "ucdp_country_year", str(_ucdp(tmp_path)), stdout=out, stderr=StringIO())
    again = DatasetImport.objects.latest("pk")
    assert again.pk != earlier.pk and again.status == DatasetImport.Status.SUCCEEDED and again.rows_created == 8
    assert again.summary["remaps"] == {"import": earlier.pk, "mapping_version": OLD}
    assert f"Re-import under a newer mapping ({OLD} -> " in out.getvalue()
    assert f"of import #{earlier.pk}" in out.getvalue()
    # Under the same (newer) mapping, the bytes are a duplicate again.
    assert dataset_import_run(source="ucdp_country_year", path_or_file=_ucdp(tmp_path)).pk == again.pk


def test_the_import_page_says_it_is_a_re_import_under_a_newer_mapping(tmp_path, old_mapping, countries, client, ada):
    earlier = _old_import(tmp_path, old_mapping, countries)
    again = dataset_import_run(source="ucdp_country_year", path_or_file=_ucdp(tmp_path))
    client.force_login(ada)
    page = client.get(f"/imports/{again.pk}/").content.decode()
    assert "Re-import under a newer mapping" in page and f"import #{earlier.pk}" in page


def _scores(assessments: pd.DataFrame, parameters: MethodologyParameters) -> pd.DataFrame:
    frames = scores_compute(
        assessments.reset_index(drop=True),
        indicator_frame(Methodology.objects.get(is_active=True)),
        parameters,
        end_month=dt.date(2022, 6, 1),
    )
    return frames.country_scores.sort_values(["country_id", "month"]).reset_index(drop=True)


def test_a_re_mapped_import_is_all_that_counts_under_every_methodology(tmp_path, old_mapping, countries, monkeypatch):
    """The newer import's record of a cell wins on its own (same source and date, recorded later), but a cell only
    the older mapping recorded would count beside it (Sweden 2020 at 3 through 2021): the older import's assessments
    are left out of scoring, under v1 (the latest assessment of an indicator) as under v2/v3 (fusion per source)."""
    earlier = _old_import(tmp_path, old_mapping, countries)
    again = dataset_import_run(source="ucdp_country_year", path_or_file=_ucdp(tmp_path))
    read = assessments_frame_read()
    assert set(read["id"]) == set(Assessment.objects.filter(dataset_import=again).values_list("pk", flat=True))
    monkeypatch.setattr("indicators.scoring.evidence.superseded_import_ids", lambda ids: set())
    everything = assessments_frame_read()
    assert set(everything["id"]) > set(read["id"])
    newer_only = everything[everything["id"].isin(read["id"])]
    rules = [MethodologyParameters.from_dict(m.parameters) for m in Methodology.objects.filter(version__in=(1, 2, 3))]
    assert len(rules) == 3 and earlier.pk != again.pk
    for rule in rules:
        scored = _scores(read, rule)
        pd.testing.assert_frame_equal(scored, _scores(newer_only, rule))
        assert not scored.equals(_scores(everything, rule)), "the older import's extra cell would have counted"


@pytest.mark.django_db
def test_real_data_is_imported_again_after_a_mapping_bump(tmp_path, settings, old_mapping, countries):
    """An upgrading deployment: seed_demo's real-data step re-imports every file imported under an older mapping."""
    data = tmp_path / "data"
    (data / "ucdp").mkdir(parents=True)
    _ucdp(tmp_path).rename(data / "ucdp" / "organizedviolencecy_v25_1.csv")
    settings.VAR_DIR = tmp_path / "var"

    def ucdp_imports() -> list:
        # The same file also feeds the forecast (ucdp_one_sided), whose mapping does not change here.
        imports = dataset_imports_enqueue_real_data(data_dir=data, now=True)
        return [item for item in imports if item.source == "ucdp_country_year"]

    (first,) = ucdp_imports()
    assert first.mapping_version == OLD
    assert [item.pk for item in ucdp_imports()] == [first.pk]
    old_mapping.undo()
    (second,) = ucdp_imports()
    assert second.pk != first.pk and second.summary["remaps"]["import"] == first.pk
    assert [item.pk for item in ucdp_imports()] == [second.pk]


def test_a_country_only_the_older_mapping_assessed_is_recomputed_too(
    tmp_path, old_mapping, countries, django_capture_on_commit_callbacks
):
    """The re-import's scores and alerts are recomputed for the countries it assesses and for those only the older
    import assessed: their scores must drop the older rows now, not at the next full run."""
    earlier = _old_import(tmp_path, old_mapping, countries)
    norway = CountryFactory(iso3="NOR", name="Norway", gw_code=385)
    Assessment.objects.create(
        country=norway,
        indicator=Indicator.objects.get(code="1.1", framework__is_active=True),
        observed_on=dt.date(2021, 12, 31),
        severity=1,
        confidence="high",
        source="UCDP (2021)",
        dataset_import=earlier,
    )
    received = []

    def listener(sender, dataset_import, country_ids, **kwargs):
        received.append(set(country_ids))

    assessments_imported.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            again = dataset_import_run(source="ucdp_country_year", path_or_file=_ucdp(tmp_path))
    finally:
        assessments_imported.disconnect(listener)
    assert received == [{countries["MMR"].pk, countries["SWE"].pk, norway.pk}]
    assert again.status == DatasetImport.Status.SUCCEEDED


def test_an_analysts_own_csv_is_not_imported_again_after_a_mapping_bump(tmp_path, old_mapping, countries, ada):
    """An analyst's CSV states its severities itself (no mapping), so the same bytes stay a duplicate."""
    path = tmp_path / "own.csv"
    path.write_text("iso3,indicator,date,severity,confidence,source,evidence\nMMR,2.1,2021-01-01,2,high,Desk,ok\n")
    first = dataset_import_run(source="csv", path_or_file=path, started_by=ada)
    old_mapping.undo()
    again = dataset_import_run(source="csv", path_or_file=path, started_by=ada)
    assert again.pk == first.pk and getattr(again, "reused", False)
    assert Assessment.objects.filter(indicator__code="2.1", country=countries["MMR"]).count() == 1


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (DatasetImport.Status.SUCCEEDED, "its assessments no longer count."),
        (DatasetImport.Status.FAILED, "this re-import failed, so import #{earlier} still counts."),
        (DatasetImport.Status.QUEUED, "import #{earlier} stops counting once this one has succeeded."),
    ],
)
def test_the_import_page_says_whether_the_older_import_still_counts(
    tmp_path, old_mapping, countries, client, ada, status, words
):
    earlier = _old_import(tmp_path, old_mapping, countries)
    pending = DatasetImport.objects.create(
        source="ucdp_country_year",
        file_name="ucdp.csv",
        checksum=earlier.checksum,
        mapping_version="2099.1",
        status=status,
        summary={"remaps": {"import": earlier.pk, "mapping_version": OLD}},
    )
    client.force_login(ada)
    page = client.get(f"/imports/{pending.pk}/").content.decode()
    assert words.format(earlier=earlier.pk) in page
