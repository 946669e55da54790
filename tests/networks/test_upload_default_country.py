"""The shared upload page and `import_data` take a default country for FtM files, as the network's own page does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from indicators.importers.services import dataset_import_execute
from indicators.models import DatasetImport
from networks.models import Actor
from tests.networks.ftm_samples import ftm_file

pytestmark = pytest.mark.django_db

NAMELESS_ORIGIN = {"id": "drifter", "schema": "Person", "properties": {"name": ["Drifter Test"]}}


def _upload(raw: bytes, name: str = "network.ftm.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type="application/json")


def test_the_upload_page_attributes_an_ftm_file_to_the_default_country(client, alice, country_a, settings, tmp_path):
    """Alice chooses FtM and Alphaland: the actor that names no country lands in Alphaland's network."""
    settings.VAR_DIR = tmp_path / "var"
    client.force_login(alice)
    page = client.get(reverse("indicators:imports:upload")).content.decode()
    assert 'name="default_country"' in page and "records that name no country" in page
    response = client.post(
        reverse("indicators:imports:upload"),
        {"source": "ftm", "file": _upload(ftm_file(NAMELESS_ORIGIN)), "default_country": "QAA"},
    )
    assert response.status_code == 302
    dataset_import = DatasetImport.objects.get(source="ftm")
    assert dataset_import.summary["default_country"] == "QAA"
    dataset_import_execute(dataset_import=dataset_import)
    assert [c.iso3 for c in Actor.objects.get(ftm_id="drifter").countries.all()] == ["QAA"]


def test_a_source_without_a_default_country_refuses_one_beside_the_field(client, alice, country_a, settings, tmp_path):
    """The generic CSV names its country on every row: a default country is refused, and nothing is queued."""
    settings.VAR_DIR = tmp_path / "var"
    client.force_login(alice)
    response = client.post(
        reverse("indicators:imports:upload"),
        {"source": "csv", "file": _upload(b"iso3\n", "a.csv"), "default_country": "QAA"},
    )
    assert response.status_code == 400
    assert "takes no default country" in response.content.decode()
    assert not DatasetImport.objects.exists()


def test_import_data_takes_a_default_country_for_ftm(country_a, tmp_path):
    """`manage.py import_data ftm <path> --default-country QAA` attributes the countryless actor to QAA."""
    path = tmp_path / "network.ftm.json"
    path.write_bytes(ftm_file(NAMELESS_ORIGIN))
    call_command("import_data", "ftm", str(path), "--default-country", "QAA", stdout=open("/dev/null", "w"))
    assert [c.iso3 for c in Actor.objects.get(ftm_id="drifter").countries.all()] == ["QAA"]
