"""seed_demo's real-data step: queued for the worker when the data folder exists, idempotent, inline on request."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Assessment, DatasetImport

UCDP_HEADER = (
    "country_id_cy,country_cy,year_cy,sb_total_deaths_best_cy,ns_total_deaths_best_cy,"
    "os_any_govt_killings_best_cy,os_total_deaths_best_cy"
)


@pytest.fixture
def data_dir(tmp_path, settings):
    """A miniature data folder laid out like ../shared/data, with two small files the test writes itself."""
    root = tmp_path / "data"
    (root / "ucdp").mkdir(parents=True)
    (root / "ucdp" / "organizedviolencecy_v25_1.csv").write_text(
        UCDP_HEADER + "\n775,Myanmar,2021,2500,0,1200,1300\n380,Sweden,2021,0,0,0,0\n"
    )
    (root / "polity5").mkdir()
    (root / "polity5" / "wgi_voice_accountability.csv").write_text(
        "wb_country,wb_code,year,Estimate,StdErr,GWn\nEritrea,ERI,2020,-2.1,0.2,531\n"
    )
    settings.ATROCITY_WATCH_DATA_DIR = root
    settings.VAR_DIR = tmp_path / "var"
    return root


@pytest.fixture(autouse=True)
def without_demo_assessments(monkeypatch):
    """The demo's own year of assessments is seed_demo's other step (tested with it); leave it out here."""
    from indicators.management.commands.seed_demo import Command

    monkeypatch.setattr(Command, "_assessments", lambda self, users: 0)


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--force", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_queues_the_real_data_imports_and_is_idempotent(data_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seed()
    assert callbacks, "the imports must be sent to the worker after commit, not run inline"
    imports = DatasetImport.objects.order_by("pk")
    # The UCDP country-year file feeds the Framework (ucdp_country_year) and the forecast (ucdp_one_sided).
    assert [(item.source, item.status) for item in imports] == [
        ("ucdp_country_year", "succeeded"),
        ("wgi", "succeeded"),
        ("ucdp_one_sided", "succeeded"),
    ]
    created = Assessment.objects.filter(dataset_import__isnull=False).count()
    assert created == 9
    with django_capture_on_commit_callbacks(execute=True):
        output = seed()
    assert DatasetImport.objects.count() == 3
    assert Assessment.objects.filter(dataset_import__isnull=False).count() == created
    assert "3 datasets imported" in output


@pytest.mark.django_db
def test_seed_demo_import_now_imports_inline(data_dir):
    """In this process, as terminal imports (with a heartbeat, so the reaper fails them if the terminal dies)."""
    output = seed("--import-now")
    assert DatasetImport.objects.filter(status="succeeded").count() == 3  # ucdp_country_year, wgi, ucdp_one_sided
    assert not DatasetImport.objects.filter(inline=True, heartbeat_at__isnull=True).exists()
    assert DatasetImport.objects.filter(inline=True).count() == 3
    assert "ucdp_country_year" in output and "Created 8 assessments" in output


@pytest.mark.django_db
def test_seed_demo_without_a_data_folder_says_so(tmp_path, settings):
    settings.ATROCITY_WATCH_DATA_DIR = tmp_path / "absent"
    assert "No real data" in seed()
    # Only the networks app's fictional demonstration network is imported, as demonstration mode allows.
    assert list(DatasetImport.objects.values_list("source", flat=True)) == ["ftm"]


@pytest.mark.django_db
def test_ctrl_c_in_seed_demo_import_now_fails_the_import_with_a_sentence(data_dir, monkeypatch):
    """Ctrl-C mid-import: a sentence and exit code 130, as import_data gives, not a traceback; the import is failed
    as interrupted."""
    from indicators.importers import services

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "_check_countries", interrupt)
    with pytest.raises(CommandError, match="Interrupted .Ctrl-C.") as stopped:
        seed("--import-now")
    assert stopped.value.returncode == 130
    interrupted = DatasetImport.objects.get()
    assert interrupted.status == DatasetImport.Status.FAILED
    assert interrupted.error_summary == services.INTERRUPTED_REASON
