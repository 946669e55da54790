"""The admin keeps country codes to the shape every country address takes, so no country becomes unlinkable."""

import pytest
from django.urls import reverse

from indicators.admin import CountryAdminForm

pytestmark = pytest.mark.django_db


def _form(iso3: str) -> CountryAdminForm:
    return CountryAdminForm({"iso3": iso3, "name": "Testland", "region": "Test", "un_status": "member"})


@pytest.mark.parametrize("iso3", ["AB-", "A B", "é12", "AB"])
def test_a_code_that_is_not_three_letters_is_refused(iso3):
    form = _form(iso3)
    form.is_valid()
    assert "iso3" in form.errors


def test_a_lower_case_code_is_kept_in_capitals_and_its_page_links(db):
    form = _form("qxq")
    assert form.is_valid(), form.errors
    country = form.save()
    assert country.iso3 == "QXQ"
    assert reverse("indicators:country_detail", args=[country.iso3]) == "/countries/QXQ/"
