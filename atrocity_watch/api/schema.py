"""OpenAPI post-processing: the shared error body documented on every operation, CSV documented as text."""

from __future__ import annotations

from core.api.exceptions import HTTP_ERRORS

ERROR_SCHEMA = {
    "type": "object",
    "description": "The one body every 4xx answer has.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "code": {"type": "string", "description": "Machine-readable code, e.g. invalid, not_found."},
                "message": {"type": "string", "description": "What went wrong, in plain words."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Field name to a list of messages; empty unless the input was invalid.",
                },
                "rows": {
                    "type": "array",
                    "description": "Bulk requests only: every bad row (1-based) and its field errors.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "row": {"type": "integer"},
                            "errors": {"type": "object", "additionalProperties": {}},
                        },
                        "required": ["row", "errors"],
                    },
                },
            },
            "required": ["status", "code", "message", "fields"],
        }
    },
    "required": ["error"],
    "example": {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "severity: Severity must be 0, 1, 2 or 3 (none, low, moderate, serious); got 7.",
            "fields": {"severity": ["Severity must be 0, 1, 2 or 3 (none, low, moderate, serious); got 7."]},
        }
    },
}

CSV_DESCRIPTION = " Add `?format=csv` for the same page as CSV (nested fields become dotted columns)."


def add_error_responses(result, generator, request, public):
    """Document 400/401/403/404/429 with the shared error body on every operation that lacks them."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in HTTP_ERRORS.items():
                operation["responses"].setdefault(str(code), {"description": description, "content": error_content})
            for code, response in operation["responses"].items():
                if code.startswith("4") and "content" not in response:
                    response["content"] = error_content
                content = response.get("content", {})
                if "text/csv" in content:
                    content["text/csv"] = {"schema": {"type": "string"}}
                    if CSV_DESCRIPTION not in operation.get("description", ""):
                        operation["description"] = operation.get("description", "") + CSV_DESCRIPTION
    return result


EMPTY_VALUE = {"type": "string", "enum": [""], "description": "Empty: the same as leaving the parameter out."}


def _database_values(read):
    """What `read` finds in the database, or None where there is no database to ask yet (a deployment check or a
    schema build before migrations): the schema then documents the field without the current values."""
    from django.db import DatabaseError

    try:
        return read()
    except DatabaseError:
        return None


def _filter_field_schema(field) -> dict:
    """What a FilterSet's form field accepts, as JSON Schema keywords: choices as an enum, number bounds."""
    from django import forms

    if isinstance(field, forms.ModelChoiceField):
        key = field.to_field_name or "pk"
        values = _database_values(lambda: [str(getattr(obj, key)) for obj in field.queryset])
        return {} if values is None else {"enum": values}
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        if type(field).__name__.endswith("CSVField") or "CSV" in type(field).__name__:
            return {}
        return {"enum": [str(value) for value, _ in field.choices if value not in ("", None)]}
    bounds = {"type": "integer"} if isinstance(field, forms.IntegerField) else {}
    if getattr(field, "min_value", None) is not None:
        bounds["minimum"] = field.min_value
    if getattr(field, "max_value", None) is not None:
        bounds["maximum"] = field.max_value
    return bounds


def _list_filterset(path: str):
    """The FilterSet of the list view at `path`, instantiated unbound, or None."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    view_class = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None) or {}
    filterset_class = getattr(view_class, "filterset_class", None)
    if filterset_class is None or actions.get("get") != "list":
        return None
    return filterset_class(data={}, queryset=filterset_class._meta.model.objects.none())


def document_query_parameters(result, generator, request, public):
    """Every query parameter documents what the server accepts: FilterSet choices (including the regions and desks
    in the database) as enums, number bounds as minimum and maximum, and the empty value, which the server treats as
    an absent parameter. Without this, a client (or schemathesis) sending a schema-valid value would be refused."""
    for path, path_item in result.get("paths", {}).items():
        filterset = _database_values(lambda path=path: _list_filterset(path)) if "{" not in path else None
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or "schema" not in parameter:
                    continue
                schema = parameter["schema"]
                if filterset is not None and method == "get" and parameter["name"] in filterset.form.fields:
                    constraints = _filter_field_schema(filterset.form.fields[parameter["name"]])
                    if "enum" in constraints and schema.get("type") in (None, "string", "integer", "number"):
                        schema = {"type": "string", "enum": constraints["enum"]}
                    else:
                        schema = {**schema, **{k: v for k, v in constraints.items() if k != "enum"}}
                if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
                    schema = {**schema, "pattern": NO_NUL}  # Django's form fields refuse NUL characters
                if schema.get("type") == "array":
                    # Several values travel comma-separated in one parameter (sort=a,b); a repeated one is refused.
                    parameter.update({"style": "form", "explode": False, "schema": schema})
                    continue
                parameter["schema"] = {"anyOf": [schema, EMPTY_VALUE]}
    _document_code_fields(result)
    _document_text_fields(result)
    return result


# DRF's CharField refuses NUL characters and, after trimming whitespace, a blank value where one is required.
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = "^[^\\x00]*[^\\s\\x00][^\\x00]*$"


def _document_text_fields(result) -> None:
    """Text fields in request bodies say what DRF's CharField takes: no NUL character, not only whitespace when
    required, and numbers as well as strings (it stores their text)."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        properties = component.get("properties", {})
        for field, prop in list(properties.items()):
            nested = prop.get("type") == "array" and isinstance(prop.get("items"), dict)
            target = prop["items"] if nested else prop
            if target.get("type") != "string" or {"enum", "format", "pattern"} & set(target):
                continue
            target["pattern"] = NOT_BLANK if target.get("minLength", 0) >= 1 else NO_NUL
            if not nested:
                properties[field] = {"anyOf": [target, {"type": "number"}]}


def _document_code_fields(result) -> None:
    """Request bodies name countries (one, or a list of them) and indicators by code; list the codes that exist, so
    a schema-valid body is one the server can look up (an unknown code is refused with 400)."""
    from indicators.models import Country, Indicator

    codes = {
        "country": _database_values(lambda: sorted(Country.objects.values_list("iso3", flat=True))),
        "indicator": _database_values(
            lambda: sorted(
                Indicator.objects.filter(framework__is_active=True, is_retired=False).values_list("code", flat=True)
            )
        ),
    }
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        for field, values in codes.items():
            prop = component.get("properties", {}).get(field)
            if prop is not None and prop.get("type") == "string" and values:
                prop["enum"] = values
        countries = component.get("properties", {}).get("countries")
        if countries is not None and countries.get("type") == "array" and codes["country"]:
            countries["items"] = {"type": "string", "enum": codes["country"]}
