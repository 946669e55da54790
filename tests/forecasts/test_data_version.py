"""A new forecast model is part of the data version, so no conditional GET answers 304 with an older forecast."""

import pytest

from indicators.data_version import data_version
from tests.forecasts.factories import published_model

pytestmark = pytest.mark.django_db


def test_publishing_a_forecast_model_changes_the_data_version():
    """The version token before a model is published differs from the one after it."""
    before = data_version().token
    published_model({}, version=1)
    after = data_version().token
    assert before != after
    published_model({}, version=2)
    assert data_version().token != after
