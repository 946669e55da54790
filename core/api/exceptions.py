"""One error body for every 4xx the API answers: {"error": {"status", "code", "message", "fields"}}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.api.renderers import CsvRenderer


class RowsInvalid(exceptions.ValidationError):
    """A bulk request refused as a whole; `rows` lists every bad row (1-based) with its field errors."""

    def __init__(self, rows: list[dict], total: int):
        self.rows = rows
        verb = "has" if len(rows) == 1 else "have"
        super().__init__(f"{len(rows)} of {total} rows {verb} errors; nothing was recorded.")


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return exc.messages


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field == "non_field_errors" else f"{field}: {message}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _plain(detail):
    """ErrorDetail objects and lazy strings to plain JSON values."""
    if isinstance(detail, dict):
        return {str(key): _plain(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_plain(value) for value in detail]
    return str(detail)


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def api_exception_handler(exc, context):
    """DRF's handler, with Django's ValidationError mapped to 400 and every error wrapped in the shared shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if not isinstance(exc, exceptions.APIException):
        exc = exceptions.NotFound(*(exc.args or ())) if response.status_code == 404 else exceptions.APIException()
    fields: dict = {}
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(exc.detail, dict):
            fields = _plain(exc.detail)
            names = ", ".join(key for key in fields if key != "non_field_errors")
            message = _first_message(exc.detail)
            if len(fields) > 1 and names:
                message = f"Some fields are wrong ({names}). {message}"
        else:
            message = " ".join(str(item) for item in _plain(exc.detail) if item) or "The request is invalid."
    else:
        message = str(exc.detail)
    body = {"error": {"status": response.status_code, "code": _code(exc), "message": message, "fields": fields}}
    request = context.get("request")
    if request is not None and isinstance(getattr(request, "accepted_renderer", None), CsvRenderer):
        # Errors keep their JSON shape even when the list was asked for as CSV.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    if isinstance(exc, RowsInvalid):
        body["error"]["rows"] = exc.rows
    response.data = body
    return response


def error_response(*, status_code: int, code: str, message: str, fields: dict | None = None) -> Response:
    """An error answered directly by a view, in the same shape as the handler's."""
    return Response(
        {"error": {"status": status_code, "code": code, "message": message, "fields": fields or {}}},
        status=status_code,
    )


HTTP_ERRORS = {
    status.HTTP_400_BAD_REQUEST: "The request is invalid; `fields` names each wrong field.",
    status.HTTP_401_UNAUTHORIZED: "No valid token or session was sent.",
    status.HTTP_403_FORBIDDEN: "Your role or desk does not allow this.",
    status.HTTP_404_NOT_FOUND: "No such object, or no such page.",
    status.HTTP_429_TOO_MANY_REQUESTS: "Too many requests with this token; retry after the Retry-After seconds.",
}
