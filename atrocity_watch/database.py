"""Database time limits per kind of process, and the answer when the database does not answer in time.

Web processes get a statement timeout of a few seconds and every process a short connect timeout (settings
DATABASE_CONNECT_TIMEOUT, DATABASE_WEB_STATEMENT_TIMEOUT, DATABASE_WORKER_STATEMENT_TIMEOUT), so a database that
accepts connections but never answers costs a request a few seconds and a 503, instead of a gunicorn worker for as long
as the socket stays open. Celery workers get a longer limit sized to their longest task; management commands and
tests, run by an operator, get none.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def statement_timeout_apply(*, role: str, alias: str = "default") -> None:
    """Give the connections this process opens from now on the statement timeout of its role ("web" or "worker")."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    milliseconds = int(settings.DATABASE_STATEMENT_TIMEOUTS[role] * 1000)
    options = connection.settings_dict.setdefault("OPTIONS", {})
    kept = " ".join(part for part in options.get("options", "").split(" -c ") if "statement_timeout" not in part)
    options["options"] = f"{kept} -c statement_timeout={milliseconds}".strip()
    connection.close()


def server_error(request):
    """handler500: a database that is down or too slow answers 503 with Retry-After (JSON under /api/), rendered
    without touching the database; any other error answers the plain 500."""
    error = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if isinstance(error, DATABASE_UNAVAILABLE):
        message = "The database is not answering; try again in a minute."
        if api:
            body = {"error": {"status": 503, "code": "database_unavailable", "message": message, "fields": {}}}
            response = JsonResponse(body, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if api:
        message = "The server failed to answer this request; the error has been logged."
        return JsonResponse({"error": {"status": 500, "code": "error", "message": message, "fields": {}}}, status=500)
    return HttpResponse(render_to_string("500.html"), status=500)
