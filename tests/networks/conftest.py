import io

import pytest

from tests.api.conftest import persona_clients, token_client  # noqa: F401  (API fixtures for test_api.py)
from tests.networks.ftm_samples import ftm_file, small_network


def upload(raw: bytes, name: str = "network.ftm.json") -> io.BytesIO:
    handle = io.BytesIO(raw)
    handle.name = name
    return handle


@pytest.fixture
def imported_network(country_a, alice):
    """The small test network imported by alice (an analyst of QAA's desk)."""
    from networks.services import ftm_import_run

    return ftm_import_run(path_or_file=upload(ftm_file(*small_network())), started_by=alice)
