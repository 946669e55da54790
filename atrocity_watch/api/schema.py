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
