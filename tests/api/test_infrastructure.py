"""Shared API behaviour: one error shape for every 4xx, no 5xx for bad input, ordered capped pages, CSV, throttling."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from atrocity_watch.api.pagination import OrderedPageNumberPagination
from indicators.models import Country


def assert_error_shape(response, status):
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error


def test_unknown_api_path_answers_404_in_the_error_shape(persona_clients):
    error = assert_error_shape(persona_clients["alice"].get("/api/v1/no-such-thing/"), 404)
    assert "/api/v1/no-such-thing/" in error["message"]


def test_unknown_country_answers_404_in_the_error_shape(persona_clients):
    assert_error_shape(persona_clients["victor"].get("/api/v1/countries/ZZZ/"), 404)


def test_anonymous_request_answers_401_in_the_error_shape(client, db):
    error = assert_error_shape(client.get("/api/v1/countries/"), 401)
    assert error["code"] == "not_authenticated"


def test_account_without_role_answers_403_in_the_error_shape(persona_clients):
    assert_error_shape(persona_clients["nobody"].get("/api/v1/countries/"), 403)


def test_method_not_allowed_answers_405_in_the_error_shape(persona_clients):
    assert_error_shape(persona_clients["ada"].delete("/api/v1/countries/QAA/"), 405)


def test_malformed_json_answers_400_not_500(persona_clients, country_a):
    response = persona_clients["alice"].post("/api/v1/assessments/", "{not json", content_type="application/json")
    assert_error_shape(response, 400)


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        {"country": ["QAA"], "indicator": {"x": 1}, "observed_on": 5, "severity": True, "confidence": None},
        {"country": "QAA", "indicator": "7.4", "observed_on": "2026-13-45", "severity": 2.5, "confidence": "high"},
    ],
)
def test_wrong_types_give_400_with_field_errors(persona_clients, country_a, body):
    error = assert_error_shape(persona_clients["alice"].post("/api/v1/assessments/", body, format="json"), 400)
    assert error["code"] in ("invalid", "parse_error")


def test_invalid_filter_value_gives_400_naming_the_filter(persona_clients):
    error = assert_error_shape(persona_clients["victor"].get("/api/v1/assessments/?observed_after=yesterday"), 400)
    assert "observed_after" in error["fields"]


def test_page_size_over_the_maximum_is_refused_rather_than_silently_capped(persona_clients, settings):
    """A client asking for more rows than a page holds is told so (issue 13: it used to get fewer without notice)."""
    settings.API_MAX_PAGE_SIZE = 7
    error = assert_error_shape(persona_clients["victor"].get("/api/v1/countries/?page_size=1000"), 400)
    assert "from 1 to 7" in error["fields"]["page_size"][0]
    assert len(persona_clients["victor"].get("/api/v1/countries/?page_size=7").json()["results"]) == 7


def test_page_past_the_end_answers_404_in_the_error_shape(persona_clients):
    assert_error_shape(persona_clients["victor"].get("/api/v1/countries/?page=9999"), 404)


def test_pagination_refuses_an_unordered_queryset(db):
    request = APIRequestFactory().get("/api/v1/countries/")
    from rest_framework.request import Request

    with pytest.raises(ImproperlyConfigured):
        OrderedPageNumberPagination().paginate_queryset(Country.objects.order_by(), Request(request))


def test_list_endpoints_answer_csv(persona_clients, country_a):
    response = persona_clients["victor"].get("/api/v1/countries/?format=csv&page_size=500")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].split(",")[:3] == ["iso3", "name", "region"]
    assert any(line.startswith("QAA,Alphaland,Africa") for line in lines)
    assert "desk.slug" in lines[0]


def test_csv_defuses_spreadsheet_formulas_in_free_text(persona_clients, country_a, alice):
    from tests.factories import AssessmentFactory

    AssessmentFactory(country=country_a, author=alice, source='=HYPERLINK("http://evil")')
    body = persona_clients["victor"].get("/api/v1/assessments/?format=csv").content.decode()
    assert "'=HYPERLINK" in body


def test_detail_endpoints_do_not_offer_csv(persona_clients, country_a):
    assert persona_clients["victor"].get("/api/v1/countries/QAA/?format=csv").status_code == 404


def test_requests_beyond_the_rate_are_throttled_per_token(persona_clients, token_client, alice):
    from django.core.cache import cache

    cache.clear()
    with override_settings(REST_FRAMEWORK={**_rest_settings(), "DEFAULT_THROTTLE_RATES": {"api": "2/min"}}):
        api = persona_clients["alice"]
        assert api.get("/api/v1/methodologies/").status_code == 200
        assert api.get("/api/v1/methodologies/").status_code == 200
        error = assert_error_shape(api.get("/api/v1/methodologies/"), 429)
        assert error["code"] == "throttled"
        # Another token of the same user has its own budget.
        assert token_client(alice).get("/api/v1/methodologies/").status_code == 200
    cache.clear()


def _rest_settings():
    from django.conf import settings

    return settings.REST_FRAMEWORK


def test_errors_stay_json_when_csv_was_asked_for(persona_clients):
    response = persona_clients["victor"].get("/api/v1/countries/?format=csv&page=9999")
    assert response["Content-Type"].startswith("application/json")
    assert_error_shape(response, 404)


@pytest.mark.parametrize("value", ["0761-02-04T07:58:21+18:36", "0001-01-01T00:00:00+05:00", "2026-01-01T00:00:00Z"])
def test_date_time_filters_with_any_offset_are_not_a_server_error(persona_clients, value):
    from urllib.parse import quote

    response = persona_clients["victor"].get(f"/api/v1/alerts/?raised_after={quote(value)}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "raised_after" in response.json()["error"]["fields"]
